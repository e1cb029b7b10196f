'use strict';

// Configuration for the homepage chatbot widget backend.
// Azure OpenAI keys (same deployment as the response services).

const AZURE_OPENAI_ENDPOINT = "https://askgalore-east-us.openai.azure.com/";
const AZURE_OPENAI_KEY = "c5ce7da2c7024e6c8b8f7c3b2a5d68b3";
const AZURE_OPENAI_DEPLOYMENT = "gpt-4o-mini";
const AZURE_OPENAI_API_VERSION = "2024-02-15-preview";

const SYSTEM_PROMPT = [
  "You are the MachineAgents homepage assistant.",
  "Answer questions about pricing, avatars and integrations in under 80 words.",
].join(" ");

function chatCompletionsUrl() {
  return `${AZURE_OPENAI_ENDPOINT}openai/deployments/${AZURE_OPENAI_DEPLOYMENT}` +
    `/chat/completions?api-version=${AZURE_OPENAI_API_VERSION}`;
}

async function askHomepageBot(question, history = []) {
  const messages = [{ role: "system", content: SYSTEM_PROMPT }, ...history, { role: "user", content: question }];
  const res = await fetch(chatCompletionsUrl(), {
    method: "POST",
    headers: { "api-key": AZURE_OPENAI_KEY, "Content-Type": "application/json" },
    body: JSON.stringify({ messages, temperature: 0.4, max_tokens: 300 }),
  });
  if (!res.ok) {
    throw new Error(`Azure OpenAI returned ${res.status}`);
  }
  const data = await res.json();
  return data.choices[0].message.content;
}

module.exports = {
  AZURE_OPENAI_ENDPOINT,
  AZURE_OPENAI_KEY,
  AZURE_OPENAI_DEPLOYMENT,
  askHomepageBot,
  port: Number(process.env.PORT || 3005),
};
