#!/usr/bin/env bash
# Rotate the JWT signing key and restart the services that use it.
set -euo pipefail

VAULT_NAME="${VAULT_NAME:-machineavatars-kv}"
RESOURCE_GROUP="${RESOURCE_GROUP:-machineavatars-rg}"

az keyvault secret set \
  --vault-name "$VAULT_NAME" \
  --name "jwt-secret-key" \
  --value "$(openssl rand -base64 32)" \
  --output none

export DATABASE_URL="postgresql://app:${DB_PASSWORD}@db.internal:5432/app"
export OPENAI_API_KEY="${OPENAI_API_KEY:-sk-...}"
API_KEY="YOUR_API_KEY"

for app in auth-service gateway-service; do
  az webapp restart --name "$app" --resource-group "$RESOURCE_GROUP"
done
curl -fsS -H "Authorization: Bearer ${API_KEY}" https://api.machineagents.ai/health
