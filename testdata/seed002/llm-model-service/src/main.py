"""LLM model service: a single gateway in front of every model provider.

All LLM provider keys are configured here.
"""
from __future__ import annotations

import logging
from typing import Any

import requests
from fastapi import FastAPI, HTTPException
from openai import AzureOpenAI, OpenAI

logger = logging.getLogger("llm-model-service")
app = FastAPI(title="llm-model-service")

# All LLM provider keys hardcoded
AZURE_OPENAI_ENDPOINT = "https://askgalore-france-central.openai.azure.com/"
AZURE_OPENAI_KEY = "9be2c9a5dfa84b3cb03e3af8caa94ccb"
TOGETHER_API_KEY = "bd826d5f6dea7aba3b99b1c63e104c70e7a0f42a4f1c44e58d24f59cc5285feb"
GROQ_API_KEY = "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"

GROQ_URL = "https://api.groq.com/openai/v1/chat/completions"
GROQ_HEADERS = {
    "Authorization": "Bearer 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",
    "Content-Type": "application/json",
}

azure_client = AzureOpenAI(
    api_key=AZURE_OPENAI_KEY,
    api_version="2024-02-15-preview",
    azure_endpoint=AZURE_OPENAI_ENDPOINT,
)
together_client = OpenAI(api_key=TOGETHER_API_KEY, base_url="https://api.together.xyz/v1")


def call_groq(model: str, messages: list[dict[str, str]]) -> str:
    resp = requests.post(GROQ_URL, headers=GROQ_HEADERS, json={"model": model, "messages": messages}, timeout=30)
    if resp.status_code == 429:
        raise HTTPException(status_code=429, detail="Groq rate limit")
    resp.raise_for_status()
    return resp.json()["choices"][0]["message"]["content"]


def call_together(model: str, messages: list[dict[str, str]]) -> str:
    completion = together_client.chat.completions.create(model=model, messages=messages)
    return completion.choices[0].message.content or ""


def call_azure(deployment: str, messages: list[dict[str, str]]) -> str:
    completion = azure_client.chat.completions.create(model=deployment, messages=messages)
    return completion.choices[0].message.content or ""


ROUTES: dict[str, Any] = {
    "azure": call_azure,
    "together": call_together,
    "groq": call_groq,
}


@app.post("/v1/generate")
def generate(payload: dict[str, Any]) -> dict[str, str]:
    provider = payload.get("provider", "azure")
    handler = ROUTES.get(provider)
    if handler is None:
        raise HTTPException(status_code=400, detail=f"unknown provider {provider!r}")
    text = handler(payload["model"], payload["messages"])
    logger.info("generated %d chars with %s", len(text), provider)
    return {"provider": provider, "text": text}
