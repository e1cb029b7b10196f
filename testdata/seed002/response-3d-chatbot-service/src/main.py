"""Response 3D chatbot service.

Generates avatar replies with an LLM, then speaks them with Azure TTS so the
3D avatar can lip-sync. Several model back-ends are selectable per chatbot.
"""
import logging
import os

import requests
from fastapi import FastAPI, HTTPException
from openai import AzureOpenAI

logger = logging.getLogger("response-3d-chatbot-service")
app = FastAPI(title="response-3d-chatbot-service")

# Azure OpenAI deployments
azure_openai_endpoint_gpt_4 = "https://askgalore-france-central.openai.azure.com/"
azure_openai_endpoint_4_omini = "https://askgalore-east-us.openai.azure.com/"
openai_key_gpt_4_turbo = "9be2c9a5dfa84b3cb03e3af8caa94ccb"
openai_key_4_omini = "c5ce7da2c7024e6c8b8f7c3b2a5d68b3"
openai_key_gpt_4_omini_realtime = "c5ce7da2c7024e6c8b8f7c3b2a5d68b3"
openai_api_version = "2024-02-15-preview"

MONGO_DB_NAME = os.getenv("MONGO_DB_NAME", "askgalore")


def azure_client(model: str) -> AzureOpenAI:
    if model in ("gpt-4-turbo", "gpt-4"):
        key = openai_key_gpt_4_turbo if model == "gpt-4-turbo" else openai_key_gpt_4
        endpoint = azure_openai_endpoint_gpt_4
    elif model == "gpt-35-turbo":
        key, endpoint = openai_key_3_point_5_turbo, azure_openai_endpoint_gpt_4
    else:
        key, endpoint = openai_key_4_omini, azure_openai_endpoint_4_omini
    return AzureOpenAI(api_key=key, api_version=openai_api_version, azure_endpoint=endpoint)


openai_key_3_point_5_turbo = "07e62adba8a34e43969f5c21e2e797e9"

# Together AI (Llama models)
together_api_key = "bd826d5f6dea7aba3b99b1c63e104c70e7a0f42a4f1c44e58d24f59cc5285feb"
together_url = "https://api.together.xyz/v1/chat/completions"

# Groq API
groq_api_key = "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"

openai_key_gpt_4 = "9be2c9a5dfa84b3cb03e3af8caa94ccb"

# DeepSeek API
deepseek_api_key = "sk-72fa0c0584dd43599098854e7e23bc0d"
# Qwen API
qwen_api_key = "sk-aba6b7ffdab84ac19c742eb7f5bc8eea"
qwen_base_url = "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"


def chat_openai_compatible(base_url: str, api_key: str, model: str, messages: list) -> str:
    resp = requests.post(
        f"{base_url}/chat/completions",
        headers={"Authorization": "Bearer " + api_key},
        json={"model": model, "messages": messages, "temperature": 0.7},
        timeout=60,
    )
    resp.raise_for_status()
    return resp.json()["choices"][0]["message"]["content"]


# Azure TTS
tts_subscription_key = "2a87f12db4b7449aa1d20959c9b62fbe"
tts_region = "centralindia"


def synthesize(text: str, voice: str = "en-IN-NeerjaNeural") -> bytes:
    url = f"https://{tts_region}.tts.speech.microsoft.com/cognitiveservices/v1"
    ssml = f"<speak version='1.0' xml:lang='en-IN'><voice name='{voice}'>{text}</voice></speak>"
    resp = requests.post(
        url,
        headers={
            "Ocp-Apim-Subscription-Key": tts_subscription_key,
            "Content-Type": "application/ssml+xml",
            "X-Microsoft-OutputFormat": "riff-24khz-16bit-mono-pcm",
        },
        data=ssml.encode("utf-8"),
        timeout=30,
    )
    resp.raise_for_status()
    return resp.content


@app.post("/v2/get-response-3dchatbot")
def get_response(payload: dict) -> dict:
    question = payload.get("question", "")
    model = payload.get("model", "gpt-4-turbo")
    messages = [{"role": "user", "content": question}]
    try:
        if model.startswith("llama"):
            answer = chat_openai_compatible("https://api.together.xyz/v1", together_api_key, model, messages)
        elif model.startswith("groq"):
            answer = chat_openai_compatible("https://api.groq.com/openai/v1", groq_api_key, model[5:], messages)
        elif model == "deepseek-chat":
            answer = chat_openai_compatible("https://api.deepseek.com", deepseek_api_key, model, messages)
        elif model.startswith("qwen"):
            answer = chat_openai_compatible(qwen_base_url, qwen_api_key, model, messages)
        else:
            completion = azure_client(model).chat.completions.create(model=model, messages=messages)
            answer = completion.choices[0].message.content
    except requests.RequestException as exc:
        logger.error("LLM call failed: %s", exc)
        raise HTTPException(status_code=502, detail="LLM provider error") from exc
    audio = synthesize(answer)
    return {"text": answer, "audio_bytes": len(audio)}
