// DanVan's storage account: the Functions host's own storage, the deployment package, and DanVan's tables and containers.
// Identity only (no shared keys), TLS 1.2, no public blobs; versioning + soft delete keep a deleted or overwritten report recoverable.
// An AVM module (avm/res/storage/storage-account) would fit; the public registry is unreachable offline, so the resources are written directly.

param name string
param location string
param tags object

@description('Blob containers: DanVan\'s own (functions/Storage/StorageNames.cs) and the Flex Consumption deployment container.')
param containers string[]

@description('Tables DanVan uses (functions/Storage/StorageNames.cs).')
param tables string[]

@description('Containers whose blob versions can each carry a write-once retention of their own (version-level immutability support). Set when a container is created; an existing container needs Azure\'s migration first.')
param versionImmutableContainers string[] = []

@description('Container name -> days every new blob version in it stays write-once (a time-based, version-level default policy). Created unlocked: README, Operations, says how the province locks it.')
param writeOnceDays object = {}

@description('Days a deleted blob, blob version or container can be restored.')
@minValue(1)
@maxValue(365)
param retentionDays int = 30

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: retentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: retentionDays
    }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in containers: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
      immutableStorageWithVersioning: contains(versionImmutableContainers, container) ? { enabled: true } : null
    }
  }
]

// Write once: no version of a blob in these containers can be overwritten or deleted until its retention ends.
resource writeOncePolicies 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = [
  for policy in items(writeOnceDays): {
    parent: blobContainers[indexOf(containers, policy.key)]
    name: 'default'
    properties: {
      immutabilityPeriodSinceCreationInDays: policy.value
      allowProtectedAppendWrites: false
    }
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource storageTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for table in tables: {
    parent: tableService
    name: table
  }
]

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
