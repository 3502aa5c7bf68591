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

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData(null)]
    public void A_set_clock_outside_Development_stops_the_app_with_a_message_naming_the_setting(string? environment)
    {
        var values = Valid();
        values["DanVan:Clock:Now"] = "2026-05-12T08:00+07:00";
        values["AZURE_FUNCTIONS_ENVIRONMENT"] = environment;

        var ex = Assert.Throws<InvalidOperationException>(() => Build(values));

        Assert.Contains("DanVan__Clock__Now", ex.Message);
        Assert.Contains("AZURE_FUNCTIONS_ENVIRONMENT", ex.Message);
    }

    [Fact]
    public void In_Development_the_set_clock_is_the_apps_clock_and_moves_on_at_its_rate()
    {
        var values = Valid();
        values["DanVan:Clock:Now"] = "2026-05-12T08:00+07:00";
        values["DanVan:Clock:Rate"] = "0";
        values["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
        using var provider = Build(values);

        var clock = provider.GetRequiredService<TimeProvider>();

        Assert.Equal(new DateTimeOffset(2026, 5, 12, 1, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, clock.GetUtcNow().Offset);
    }

    [Fact]
    public void A_set_clock_moves_on_from_its_instant_at_its_rate()
    {
        var real = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var start = new DateTimeOffset(2026, 5, 14, 23, 59, 0, TimeSpan.FromHours(7));
        var clock = new SetClock(start, 60, real);

        real.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(start.AddMinutes(1), clock.GetUtcNow());
    }

    [Theory]
    [InlineData("2026-05-12T08:00", null)]
    [InlineData("12/05/2026 08:00 +07:00", null)]
    [InlineData("2026-05-12T08:00+07:00", "-1")]
    [InlineData("2026-05-12T08:00+07:00", "nhanh")]
    public void A_malformed_clock_setting_is_refused_by_name(string now, string? rate)
    {
        var values = Valid();
        values["DanVan:Clock:Now"] = now;
        values["DanVan:Clock:Rate"] = rate;
        values["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";

        var ex = Assert.Throws<InvalidOperationException>(() => Build(values));

        Assert.Contains(rate is null ? "DanVan__Clock__Now" : "DanVan__Clock__Rate", ex.Message);
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
