// DanVan on Azure: `azd up` creates a resource group with the function app (Flex Consumption), its storage, Key Vault and monitoring.
// Every app setting the code reads is set below, by the names in the BRIEF's configuration table.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string = 'southeastasia'

@description('Sender address of DanVan\'s emails (DanVan__Email__From); must be a verified sender in SendGrid.')
param emailFrom string

@description('Sở Nội vụ\'s own address, copied on overdue reminders and sent digests (DanVan__Email__SoNoiVuAddress).')
param soNoiVuAddress string

@secure()
@minLength(16)
@description('The break-glass token (accepted only while breakGlass is true); kept in Key Vault as "admin-token".')
param adminToken string

@minLength(1)
@description('Staff sign-in: the OpenID Connect issuer whose access tokens DanVan accepts (DanVan__Auth__Authority), e.g. https://login.microsoftonline.com/{tenant-id}/v2.0 for Entra ID, or the province\'s Keycloak realm https://sso.example.gov.vn/realms/{realm}.')
param authAuthority string

@minLength(1)
@description('Staff sign-in: the dashboard\'s client (application) id at the provider, a public client with authorization code + PKCE (DanVan__Auth__ClientId).')
param authClientId string

@minLength(1)
@description('Staff sign-in: the audience (aud) of the access tokens DanVan accepts (DanVan__Auth__Audience): with Entra ID v2 tokens, the API app\'s client id.')
param authAudience string

@description('Staff sign-in: the scopes the dashboard asks for (DanVan__Auth__Scope); with Entra ID include the API\'s scope, e.g. "openid profile api://{client-id}/access_as_user".')
param authScope string = 'openid profile'

@description('Staff sign-in: the token claim with the person\'s roles (DanVan__Auth__RolesClaim); Entra ID app roles: "roles".')
param authRolesClaim string = 'roles'

@description('Break-glass: whether the shared admin token is accepted at all (DanVan__Auth__BreakGlass). Off in Azure; turn on only for an emergency, and off again.')
param breakGlass bool = false

@secure()
@description('SendGrid API key; kept in Key Vault as "sendgrid-api-key". Empty: the app writes emails to the "outbox" container instead of sending.')
param sendGridApiKey string = ''

@description('Days a final record stays write-once, from the province\'s records schedule: every compiled bundle (container compilations) and every report version a final bundle includes (DanVan__Backup__FinalRecordDays). Version-level WORM.')
@minValue(1)
@maxValue(146000)
param finalRecordRetentionDays int = 3650

@description('Days each backup of the tables is kept (DanVan__Backup__RetentionDays) and stays write-once (container backups).')
@minValue(1)
@maxValue(3650)
param backupRetentionDays int = 35

@description('Province named in the draft provincial report (DanVan__Compilation__ProvinceName).')
param provinceName string = 'Vĩnh Phúc'

@description('Base of the links in emails (DanVan__PublicBaseUrl); empty means the function app\'s own https address.')
param publicBaseUrl string = ''

@description('Object id of the operator running azd (azd sets AZURE_PRINCIPAL_ID); granted Key Vault Secrets Officer to rotate secrets. Empty grants nothing.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@description('Email address of the IT team that keeps DanVan running: the alerts\' action group sends to it. Empty: alerts show in the portal only.')
param alertEmail string = ''

@minValue(1)
@maxValue(100)
@description('Percentage of requests answered 5xx in 15 minutes (at least 20 requests) above which an alert fires.')
param serverErrorPercentThreshold int = 5

var tags = { 'azd-env-name': environmentName }
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var functionAppName = 'func-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var keyVaultName = 'kv-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'
var deploymentContainerName = 'app-package'

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: resourceGroup
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: resourceGroup
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: resourceGroup
  params: {
    name: storageAccountName
    location: location
    tags: tags
    // The names in functions/Storage/StorageNames.cs (production has no prefix), plus the deployment container.
    containers: ['reports', 'compilations', 'outbox', 'emailbodies', 'backups', deploymentContainerName]
    // Final records are write-once (README, "Nothing lost"): bundles and backups by a default policy; the report versions a
    // final bundle includes by a policy DanVan sets on each of them (hence the support on reports).
    versionImmutableContainers: ['reports', 'compilations', 'backups']
    writeOnceDays: {
      compilations: finalRecordRetentionDays
      backups: backupRetentionDays
    }
    tables: ['units', 'credentials', 'periods', 'submissions', 'audit', 'emailledger', 'compilations', 'indicators', 'figures', 'decisions', 'periodchanges', 'unitperiods', 'blobwrites', 'outlines']
  }
}

module keyVault 'modules/keyvault.bicep' = {
  scope: resourceGroup
  params: {
    name: keyVaultName
    location: location
    tags: tags
    adminToken: adminToken
    sendGridApiKey: sendGridApiKey
  }
}

module roles 'modules/roles.bicep' = {
  scope: resourceGroup
  dependsOn: [storage, keyVault, monitoring]
  params: {
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    applicationInsightsName: applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  scope: resourceGroup
  dependsOn: [roles] // the identity must reach storage and Key Vault before the app starts
  params: {
    planName: 'plan-${resourceToken}'
    name: functionAppName
    location: location
    tags: tags
    identityId: identity.outputs.id
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    appSettings: {
      // The Functions host's own storage: identity, no keys.
      AzureWebJobsStorage__accountName: storage.outputs.name
      AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
      AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
      AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      AZURE_CLIENT_ID: identity.outputs.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'

      // DanVan's own storage connection, in its Azure shape (locally it is a connection string).
      DanVanStorage__serviceUri: storage.outputs.blobEndpoint
      DanVanStorage__tableServiceUri: storage.outputs.tableEndpoint
      DanVanStorage__queueServiceUri: storage.outputs.queueEndpoint
      DanVanStorage__credential: 'managedidentity'
      DanVanStorage__clientId: identity.outputs.clientId

      // Secrets: Key Vault references, resolved with the identity (keyVaultReferenceIdentity).
      DanVan__AdminToken: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.adminTokenUri})'
      DanVan__Email__SendGridApiKey: empty(sendGridApiKey) ? '' : '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.sendGridApiKeyUri})'

      // Staff sign-in (OpenID Connect) and break-glass: README "Signing in".
      DanVan__Auth__Authority: authAuthority
      DanVan__Auth__ClientId: authClientId
      DanVan__Auth__Audience: authAudience
      DanVan__Auth__Scope: authScope
      DanVan__Auth__RolesClaim: authRolesClaim
      DanVan__Auth__GroupsClaim: 'groups'
      DanVan__Auth__BreakGlass: breakGlass ? 'true' : 'false'
      DanVan__Auth__KeyRefreshSeconds: '30'
      DanVan__Auth__MetadataTimeoutSeconds: '10'
      DanVan__PublicBaseUrl: empty(publicBaseUrl) ? 'https://${functionAppName}.azurewebsites.net' : publicBaseUrl
      DanVan__MaxUploadBytes: '52428800'
      DanVan__Email__SendGridHost: 'https://api.sendgrid.com'
      DanVan__Email__From: emailFrom
      DanVan__Email__SoNoiVuAddress: soNoiVuAddress
      DanVan__Email__FromName: 'DanVan - Sở Nội vụ'
      DanVan__Email__MaxAttempts: '4'
      DanVan__Email__MaxRetryDelaySeconds: '60'
      DanVan__Email__AttemptTimeoutSeconds: '30'
      DanVan__Reminders__DaysBefore: '14,7,3,1'
      DanVan__Reminders__DaysAfter: '1,3,7'
      DanVan__Reminders__CatchUpDays: '7'
      DanVan__Reminders__MaxParallelism: '16'
      DanVan__MaxParallelism: '8'
      DanVan__Compilation__ProvinceName: provinceName
      DanVan__Backup__RetentionDays: string(backupRetentionDays)
      DanVan__Backup__MaxRereads: '10'
      DanVan__Backup__FinalRecordDays: string(finalRecordRetentionDays)

      // PDF signatures: Record (verify and show) or Require (refuse unsigned, broken or later-changed PDFs, and
      // files that are not PDF). Trust anchors: PEM or base64 DER certificates the province chooses; none by default.
      DanVan__Signatures__Policy: 'Record'
      DanVan__Decisions__EmailOnAccept: 'false'
      DanVan__Signatures__TrustedRoots: ''

      // The email queue the sender's trigger reads (%EMAIL_QUEUE%): StorageNames.EmailQueue, no prefix in Azure.
      EMAIL_QUEUE: 'emails'

      // Timers, in UTC (Linux ignores WEBSITE_TIME_ZONE): 08:00, 00:15 and 03:00 Vietnam time.
      REMINDER_SCHEDULE: '0 0 1 * * *'
      COMPILATION_SCHEDULE: '0 15 17 * * *'
      BACKUP_SCHEDULE: '0 0 20 * * *'

      // The reporting plan (Kế hoạch 158/KH-UBND). Another plan is a change of these settings; add __2__… for more reports.
      DanVan__Plan__DeadlineRule: 'Before'
      DanVan__Plan__FirstYear: '2024'
      DanVan__Plan__Reports__0__Code: 'H1'
      DanVan__Plan__Reports__0__Title: 'Báo cáo 06 tháng'
      DanVan__Plan__Reports__0__DueMonth: '5'
      DanVan__Plan__Reports__0__DueDay: '15'
      DanVan__Plan__Reports__0__OpensDaysBefore: '60'
      DanVan__Plan__Reports__0__DataFromMonth: '12'
      DanVan__Plan__Reports__0__DataFromDay: '15'
      DanVan__Plan__Reports__0__DataToMonth: '6'
      DanVan__Plan__Reports__0__DataToDay: '14'
      DanVan__Plan__Reports__1__Code: 'Y'
      DanVan__Plan__Reports__1__Title: 'Báo cáo năm'
      DanVan__Plan__Reports__1__DueMonth: '11'
      DanVan__Plan__Reports__1__DueDay: '15'
      DanVan__Plan__Reports__1__OpensDaysBefore: '60'
      DanVan__Plan__Reports__1__DataFromMonth: '12'
      DanVan__Plan__Reports__1__DataFromDay: '15'
      DanVan__Plan__Reports__1__DataToMonth: '12'
      DanVan__Plan__Reports__1__DataToDay: '14'
    }
  }
}

// Alerts (timers, email failures, 5xx rate, /api/health) and the action group that emails them: see README, Operations.
module alerts 'modules/alerts.bicep' = {
  scope: resourceGroup
  params: {
    namePrefix: resourceToken
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    appUri: functionApp.outputs.uri
    alertEmail: alertEmail
    serverErrorPercentThreshold: serverErrorPercentThreshold
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
