"""Voice chatbot: answer with Azure OpenAI, then speak with Azure TTS."""
import base64
import logging

import requests
from fastapi import FastAPI
from openai import AzureOpenAI

logger = logging.getLogger("response-voice-chatbot-service")
app = FastAPI()

# Azure TTS
tts_subscription_key = "ef2f59ac5f4d44e6a94e71c23fdb5c43"
tts_region = "centralindia"

# Azure OpenAI (shared keys)
azure_endpoint = "https://askgalore-france-central.openai.azure.com/"
openai_key = "9be2c9a5dfa84b3cb03e3af8caa94ccb"

client = AzureOpenAI(api_key=openai_key, api_version="2024-02-15-preview", azure_endpoint=azure_endpoint)

VOICES = {
    "female": "en-IN-NeerjaNeural",
    "male": "en-IN-PrabhatNeural",
}


def get_tts_token() -> str:
    url = f"https://{tts_region}.api.cognitive.microsoft.com/sts/v1.0/issueToken"
    resp = requests.post(url, headers={"Ocp-Apim-Subscription-Key": tts_subscription_key}, timeout=10)
    resp.raise_for_status()
    return resp.text


def text_to_speech(text: str, gender: str = "female") -> bytes:
    token = get_tts_token()
    voice = VOICES.get(gender, VOICES["female"])
    ssml = (
        "<speak version='1.0' xml:lang='en-IN'>"
        f"<voice name='{voice}'>{text}</voice>"
        "</speak>"
    )
    resp = requests.post(
        f"https://{tts_region}.tts.speech.microsoft.com/cognitiveservices/v1",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/ssml+xml",
            "X-Microsoft-OutputFormat": "audio-16khz-32kbitrate-mono-mp3",
        },
        data=ssml.encode("utf-8"),
        timeout=30,
    )
    resp.raise_for_status()
    return resp.content


@app.post("/v2/get-response-voice-chatbot")
def get_response(payload: dict):
    messages = [
        {"role": "system", "content": "You are a helpful voice assistant. Answer in two sentences."},
        {"role": "user", "content": payload["question"]},
    ]
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    answer = completion.choices[0].message.content
    audio = text_to_speech(answer, payload.get("voice", "female"))
    logger.info("voice response: %d bytes", len(audio))
    return {"text": answer, "audio": base64.b64encode(audio).decode("ascii")}
