import json
import logging
import os

import requests
from fastapi import FastAPI
from openai import AzureOpenAI
from pymongo import MongoClient

logger = logging.getLogger(__name__)
app = FastAPI()

mongo_client = MongoClient(os.getenv("MONGO_URI"))
db = mongo_client[os.getenv("MONGO_DB_NAME", "askgalore")]
history_collection = db["chat_history"]

# Identical keys to the 3D service
azure_endpoint = "https://askgalore-france-central.openai.azure.com/"
openai_key = "9be2c9a5dfa84b3cb03e3af8caa94ccb"
together_api_key = "bd826d5f6dea7aba3b99b1c63e104c70e7a0f42a4f1c44e58d24f59cc5285feb"

client = AzureOpenAI(
    api_key=openai_key,
    api_version="2024-02-15-preview",
    azure_endpoint=azure_endpoint,
)


def ask_llama(messages, model="meta-llama/Llama-3.3-70B-Instruct-Turbo"):
    headers = {"Authorization": f"Bearer {together_api_key}", "Content-Type": "application/json"}
    body = {"model": model, "messages": messages, "max_tokens": 512}
    resp = requests.post("https://api.together.xyz/v1/chat/completions", headers=headers, data=json.dumps(body), timeout=60)
    resp.raise_for_status()
    return resp.json()["choices"][0]["message"]["content"]


def ask_azure(messages, deployment="gpt-4-turbo"):
    completion = client.chat.completions.create(model=deployment, messages=messages, temperature=0.3)
    return completion.choices[0].message.content


@app.post("/v2/get-response-text-chatbot")
def get_response(payload: dict):
    user_id = payload["user_id"]
    project_id = payload["project_id"]
    question = payload["question"]
    previous = list(history_collection.find({"user_id": user_id, "project_id": project_id}).limit(10))
    messages = [{"role": m["role"], "content": m["content"]} for m in previous]
    messages.append({"role": "user", "content": question})
    if payload.get("model", "").startswith("llama"):
        answer = ask_llama(messages)
    else:
        answer = ask_azure(messages)
    history_collection.insert_many([
        {"user_id": user_id, "project_id": project_id, "role": "user", "content": question},
        {"user_id": user_id, "project_id": project_id, "role": "assistant", "content": answer},
    ])
    logger.info("answered %s/%s", user_id, project_id)
    return {"text": answer}
