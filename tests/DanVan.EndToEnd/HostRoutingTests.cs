using DanVan.TestHost;
using DanVan.TestHost.Rpc;

namespace DanVan.EndToEnd;

/// <summary>The host's routing and schedules on their own, from metadata shaped like the worker's.</summary>
public sealed class HostRoutingTests
{
    private static HostedFunction Http(string name, string method, string? route) =>
        HostedFunction.From(Metadata(name, $$"""{"name":"request","type":"httpTrigger","direction":"In","authLevel":"Anonymous","methods":["{{method}}"]{{(route is null ? "" : $$""","route":"{{route}}" """)}}}"""), "api");

    private static RpcFunctionMetadata Metadata(string name, string trigger)
    {
        var metadata = new RpcFunctionMetadata { Name = name, FunctionId = Guid.NewGuid().ToString() };
        metadata.RawBindings.Add(trigger);
        metadata.RawBindings.Add("""{"name":"$return","type":"http","direction":"Out"}""");
        return metadata;
    }

    private static readonly FunctionRouter Router = new(
    [
        Http("PutUnit", "put", "units/{code}"),
        Http("IssueToken", "post", "units/{code}/token"),
        Http("ImportUnits", "post", "units/import"),
        Http("ByCode", "post", "units/{code}"),
        Http("Version", "get", "reports/{unit}/versions/{version:int}"),
        Http("NoRoute", "get", null),
    ]);

    [Theory]
    [InlineData("POST", "/api/units/import", "ImportUnits")]
    [InlineData("POST", "/api/units/so-noi-vu", "ByCode")]
    [InlineData("PUT", "/api/units/import", "PutUnit")]
    [InlineData("POST", "/api/units/so-noi-vu/token", "IssueToken")]
    [InlineData("GET", "/api/reports/so-noi-vu/versions/3", "Version")]
    [InlineData("GET", "/api/NoRoute", "NoRoute")]
    public void A_request_goes_to_the_most_specific_matching_function(string method, string path, string expected)
    {
        Assert.Equal(expected, Router.Match(method, path)?.Function.Name);
    }

    [Theory]
    [InlineData("GET", "/api/reports/so-noi-vu/versions/latest")]
    [InlineData("DELETE", "/api/units/so-noi-vu")]
    [InlineData("GET", "/units/so-noi-vu")]
    public void A_request_no_function_accepts_matches_nothing(string method, string path)
    {
        Assert.Null(Router.Match(method, path));
    }

    [Fact]
    public void Route_values_are_those_of_the_template()
    {
        var match = Router.Match("POST", "/api/units/so-noi-vu/token");
        Assert.Equal("so-noi-vu", match?.Values["code"]);
    }

    [Theory]
    [InlineData("%REMINDER_SCHEDULE%", "0 0 1 * * *", true)]
    [InlineData("0 15 17 * * *", null, true)]
    [InlineData("0 */5 * * *", null, true)]
    [InlineData("%MISSING_SETTING%", null, false)]
    [InlineData("not a schedule", null, false)]
    public void A_timer_schedule_resolves_from_settings_as_six_or_five_field_cron(string schedule, string? setting, bool valid)
    {
        var timer = HostedFunction.From(Metadata("Timer", $$"""{"name":"timer","type":"timerTrigger","direction":"In","schedule":"{{schedule}}"}"""), "api");
        var settings = new Dictionary<string, string>();
        if (setting is not null)
        {
            settings["REMINDER_SCHEDULE"] = setting;
        }

        Assert.True(timer.IsTimer);
        Assert.Equal("timer", timer.TriggerName);
        Assert.Equal(valid, TimerSchedules.TryParse(timer, settings) is not null);
    }
}
