// What tells a province's IT team that DanVan needs them: an action group (email) and the alerts it is sent.
// Log alerts read DanVan's own events in Application Insights (customEvents, names from functions/Telemetry/DanVanTelemetry.cs)
// and the Functions host's requests; an availability test calls GET /api/health, because Flex Consumption has no
// platform health check (siteConfig.healthCheckPath is for App Service and Premium plans).

param location string
param tags object

@description('Resource id of the Application Insights component the app sends its telemetry to.')
param applicationInsightsId string

@description('The function app\'s https address; the availability test calls <address>/api/health.')
param appUri string

@description('Who is emailed when an alert fires. Empty: the alerts still fire and show in the portal, no email is sent.')
param alertEmail string

@description('5xx answers, as a percentage of all requests in 15 minutes (at least 20 of them), above which an alert fires.')
@minValue(1)
@maxValue(100)
param serverErrorPercentThreshold int

param namePrefix string

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'DanVan'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      {
        name: 'operators'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// A timer that has not succeeded for 26 hours has missed a daily run (08:00, 00:15 and 03:00 Vietnam time), with two hours to spare.
var timerAlerts = [
  {
    key: 'reminders'
    timer: 'RemindersTimer'
    severity: 1
    title: 'DanVan: reminder timer has not succeeded for 26 hours'
    description: 'No successful run of RemindersTimer (daily 08:00 Vietnam time) in 26 hours: reminders are not going out. See README, Operations.'
  }
  {
    key: 'compilation'
    timer: 'CompileDuePeriods'
    severity: 2
    title: 'DanVan: compilation timer has not succeeded for 26 hours'
    description: 'No successful run of CompileDuePeriods (daily 00:15 Vietnam time) in 26 hours: compiled reports may be stale. See README, Operations.'
  }
  {
    key: 'backup'
    timer: 'BackupNightly'
    severity: 2
    title: 'DanVan: backup timer has not succeeded for 26 hours'
    description: 'No successful run of BackupNightly (daily 03:00 Vietnam time) in 26 hours: the newest backup of the tables is older than a day. See README, Backups and restore.'
  }
]

resource timerNotSucceeded 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for alert in timerAlerts: {
  name: 'alert-${namePrefix}-${alert.key}-timer'
  location: location
  tags: tags
  properties: {
    displayName: alert.title
    description: alert.description
    severity: alert.severity
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    criteria: {
      allOf: [
        {
          query: 'customEvents | where timestamp > ago(26h) | where name == "TimerRun" and tostring(customDimensions.timer) == "${alert.timer}" and tostring(customDimensions.outcome) == "succeeded"'
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}]

// The sender counts the poison queue every hour (CountPoisonedEmails); the latest count above zero means emails could not be sent.
resource poisonQueueNotEmpty 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${namePrefix}-emails-poisoned'
  location: location
  tags: tags
  properties: {
    displayName: 'DanVan: emails could not be sent (poison queue not empty)'
    description: 'The email poison queue holds messages SendGrid refused 5 times. See them with GET /api/emails/failed or on the dashboard. See README, Operations.'
    severity: 2
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT3H'
    criteria: {
      allOf: [
        {
          query: 'customEvents | where name == "EmailsPoisoned" | summarize arg_max(timestamp, *) | extend poisoned = toint(customDimensions["count"]) | where poisoned > 0'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

// Requests are the Functions host's, one per invocation, with the status code DanVan answered.
resource serverErrors 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${namePrefix}-5xx-rate'
  location: location
  tags: tags
  properties: {
    displayName: 'DanVan: 5xx answers above ${serverErrorPercentThreshold}% of requests'
    description: 'More than ${serverErrorPercentThreshold}% of requests in 15 minutes were answered 5xx (503 storage_unavailable, 500). See README, Operations.'
    severity: 1
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'requests | summarize total = count(), failed = countif(toint(resultCode) >= 500) | where total >= 20 and 100.0 * failed / total > ${serverErrorPercentThreshold}'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

// GET /api/health from three places every 5 minutes; it answers 503 when storage does not answer within 3 seconds.
resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: 'health-${namePrefix}'
  location: location
  tags: union(tags, { 'hidden-link:${applicationInsightsId}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'health-${namePrefix}'
    Name: 'DanVan /api/health'
    Kind: 'standard'
    Enabled: true
    Frequency: 300
    Timeout: 30
    RetryEnabled: true
    Locations: [
      { Id: 'apac-sg-sin-azr' }
      { Id: 'apac-hk-hkn-azr' }
      { Id: 'apac-jp-kaw-edge' }
    ]
    Request: {
      RequestUrl: '${appUri}/api/health'
      HttpVerb: 'GET'
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 14
    }
  }
}

resource healthFailing 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-${namePrefix}-health'
  location: 'global'
  tags: tags
  properties: {
    description: 'GET /api/health failed from 2 of 3 locations: the app is down or its storage does not answer. See README, Operations.'
    severity: 1
    enabled: true
    scopes: [healthTest.id, applicationInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: applicationInsightsId
      failedLocationCount: 2
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

output actionGroupId string = actionGroup.id
