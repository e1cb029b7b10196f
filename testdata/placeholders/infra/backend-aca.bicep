// infra/modules/backend-aca.bicep (excerpt)
param keyVaultUri string
param identityResourceId string

var secrets = [
  {
    name: 'zep-api-key'
    keyVaultUrl: '${keyVaultUri}secrets/zep-api-key'
    identity: identityResourceId
  }
  {
    name: 'postgres-password'
    keyVaultUrl: '${keyVaultUri}secrets/postgres-password'
    identity: identityResourceId
  }
]

var env = [
  {
    name: 'ZEP_API_KEY'
    secretRef: 'zep-api-key'
  }
  {
    name: 'POSTGRES_PASSWORD'
    secretRef: 'postgres-password'
  }
]
