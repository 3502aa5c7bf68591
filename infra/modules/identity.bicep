// The function app's user-assigned managed identity: storage, Key Vault and Application Insights trust it.
// An AVM module (avm/res/managed-identity/user-assigned-identity) would fit; the public registry is unreachable offline, so the resource is written directly.

param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
