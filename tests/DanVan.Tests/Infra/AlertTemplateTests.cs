using System.Text.Json.Nodes;
using DanVan.Functions;
using DanVan.Telemetry;

namespace DanVan.Tests.Infra;

/// <summary>
/// The alerts an IT team relies on (infra/modules/alerts.bicep, built by scripts/check-infra): an action group
/// emailing the address given as a parameter, and alerts that read the events and functions DanVan really has.
/// </summary>
public sealed class AlertTemplateTests
{
    private static readonly Lazy<ArmTemplate> Lazy = new(ArmTemplate.Load);

    private static ArmTemplate Template => Lazy.Value;

    private static List<Resource> Rules => Template.All("Microsoft.Insights/scheduledQueryRules").ToList();

    /// <summary>The alerts module's own template (its variables hold the timers' list).</summary>
    private static JsonObject AlertsModule => Template.Templates().Single(t => t["variables"]?["timerAlerts"] is not null);

    [Fact]
    public void The_action_group_emails_the_address_of_the_alertEmail_parameter_given_through_azd()
    {
        var group = Template.Single("Microsoft.Insights/actionGroups");

        Assert.Contains("parameters('alertEmail')", group.Node("properties.emailReceivers")!.GetValue<string>(), StringComparison.Ordinal);
        var main = Template.ModuleDeploying("Microsoft.Insights/actionGroups");
        Assert.Equal("[parameters('alertEmail')]", main.String("properties.parameters.alertEmail.value"));
        Assert.NotNull(Template.Root["parameters"]?["alertEmail"]);
        var azdParameters = File.ReadAllText(Path.Combine(Support.Azurite.RepositoryRoot, "infra", "main.parameters.json"));
        Assert.Contains("${DANVAN_ALERT_EMAIL}", azdParameters, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_timer_alert_fires_when_that_timer_function_has_not_succeeded_for_26_hours()
    {
        var timers = AlertsModule["variables"]!["timerAlerts"]!.AsArray().Select(a => a!["timer"]!.GetValue<string>()).ToList();
        var rule = Rules.Single(r => r.Node("copy") is not null);
        var query = rule.Node("properties.criteria.allOf")!.AsArray()[0]!["query"]!.GetValue<string>();

        Assert.Equal([nameof(RemindersFunctions.RemindersTimer), nameof(CompilationsFunctions.CompileDuePeriods), nameof(BackupFunctions.BackupNightly)], timers);
        Assert.Contains("ago(26h)", query, StringComparison.Ordinal);
        Assert.Contains($"name == \"{DanVanTelemetry.Events.TimerRun}\"", query, StringComparison.Ordinal);
        Assert.Contains("\"succeeded\"", query, StringComparison.Ordinal);
        Assert.Equal("LessThan", rule.Node("properties.criteria.allOf")!.AsArray()[0]!["operator"]!.GetValue<string>());
    }

    [Fact]
    public void The_poison_queue_and_5xx_rate_alerts_read_the_events_and_requests_DanVan_reports()
    {
        var queries = Rules.Select(r => r.Node("properties.criteria.allOf")!.AsArray()[0]!["query"]!.GetValue<string>()).ToList();

        Assert.Equal(3, Rules.Count);
        Assert.Contains(queries, q => q.Contains($"\"{DanVanTelemetry.Events.EmailsPoisoned}\"", StringComparison.Ordinal) && q.Contains("poisoned > 0", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.StartsWith("[format('requests", StringComparison.Ordinal) && q.Contains("resultCode) >= 500", StringComparison.Ordinal)
            && q.Contains("parameters('serverErrorPercentThreshold')", StringComparison.Ordinal));
        Assert.All(Rules, r => Assert.Contains("actionGroups", r.Node("properties.actions.actionGroups")![0]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public void An_availability_test_calls_the_health_route_and_alerts_when_it_fails_from_two_places()
    {
        var test = Template.Single("Microsoft.Insights/webtests");
        var alert = Template.Single("Microsoft.Insights/metricAlerts");

        Assert.Contains("/api/health", test.String("properties.Request.RequestUrl"), StringComparison.Ordinal);
        Assert.Equal(200, test.Node("properties.ValidationRules.ExpectedHttpStatusCode")!.GetValue<int>());
        Assert.Equal("Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria", alert.Node("properties.criteria")!["odata.type"]!.GetValue<string>());
    }
}
