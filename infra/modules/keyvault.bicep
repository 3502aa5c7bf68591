// Key Vault in RBAC mode with purge protection, holding DanVan's two secrets; the app reads them through Key Vault references.
// An AVM module (avm/res/key-vault/vault) would fit; the public registry is unreachable offline, so the resources are written directly.

param name string
param location string
param tags object

@secure()
@description('The admin (Sở Nội vụ) credential, stored as secret "admin-token".')
param adminToken string

@secure()
@description('SendGrid API key, stored as secret "sendgrid-api-key"; empty stores nothing (the app then writes emails to the outbox container).')
param sendGridApiKey string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource adminTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'admin-token'
  properties: {
    value: adminToken
    contentType: 'text/plain'
  }
}

resource sendGridApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(sendGridApiKey)) {
  parent: vault
  name: 'sendgrid-api-key'
  properties: {
    value: sendGridApiKey
    contentType: 'text/plain'
  }
}

output id string = vault.id
output name string = vault.name
// Versionless URIs, so a rotated secret is picked up without redeploying.
output adminTokenUri string = '${vault.properties.vaultUri}secrets/${adminTokenSecret.name}'
// Named even when no key was given (no secret then): main.bicep only references it when a key exists.
output sendGridApiKeyUri string = '${vault.properties.vaultUri}secrets/sendgrid-api-key'
