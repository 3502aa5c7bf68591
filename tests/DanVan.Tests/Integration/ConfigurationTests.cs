using DanVan.Configuration;
using DanVan.Domain;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DanVan.Tests.Integration;

public class ConfigurationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddDanVan(configuration);
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["DanVanStorage"] = "UseDevelopmentStorage=true",
        ["DanVan:AdminToken"] = "local-admin-token-NOT-A-SECRET",
    };

    [Fact]
    public void A_missing_admin_token_stops_the_app_with_a_message_naming_the_setting()
    {
        var values = Valid();
        values.Remove("DanVan:AdminToken");
        using var provider = Build(values);

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DanVanOptions>>().Value);

        Assert.Contains("DanVan__AdminToken", ex.Message);
    }

    [Fact]
    public void A_missing_storage_connection_stops_the_app_with_a_message_naming_the_setting()
    {
        var values = Valid();
        values.Remove("DanVanStorage");

        var ex = Assert.Throws<InvalidOperationException>(() => Build(values));

        Assert.Contains("DanVanStorage", ex.Message);
    }

    [Fact]
    public void A_malformed_plan_is_refused_with_the_setting_that_is_wrong()
    {
        var values = Valid();
        values["DanVan:Plan:Reports:0:Code"] = "Q1";
        values["DanVan:Plan:Reports:0:Title"] = "Báo cáo quý I";
        values["DanVan:Plan:Reports:0:DueMonth"] = "13";
        values["DanVan:Plan:Reports:0:DueDay"] = "20";
        using var provider = Build(values);

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PlanOptions>>().Value);

        Assert.Contains("DanVan__Plan__Reports__0__DueMonth", ex.Message);
    }

    [Fact]
    public void A_quarterly_plan_and_the_on_or_before_rule_come_from_settings()
    {
        var values = Valid();
        values["DanVan:Plan:DeadlineRule"] = "OnOrBefore";
        values["DanVan:Plan:Reports:0:Code"] = "Q1";
        values["DanVan:Plan:Reports:0:Title"] = "Báo cáo quý I";
        values["DanVan:Plan:Reports:0:DueMonth"] = "3";
        values["DanVan:Plan:Reports:0:DueDay"] = "20";
        using var provider = Build(values);

        var plan = provider.GetRequiredService<ReportingPlan>();

        Assert.Equal(DeadlineRule.OnOrBefore, plan.Rule);
        Assert.Equal(["Q1"], plan.Reports.Select(r => r.Code));
        Assert.Equal(new DateTimeOffset(2026, 3, 21, 0, 0, 0, TimeSpan.FromHours(7)), plan.Find("2026-Q1", new DateOnly(2026, 1, 1))!.Deadline);
    }

    [Fact]
    public void Without_plan_settings_the_default_plan_of_KH_158_applies()
    {
        using var provider = Build(Valid());

        var plan = provider.GetRequiredService<ReportingPlan>();

        Assert.Equal(["H1", "Y"], plan.Reports.Select(r => r.Code));
        Assert.Equal(DeadlineRule.Before, plan.Rule);
    }
}
