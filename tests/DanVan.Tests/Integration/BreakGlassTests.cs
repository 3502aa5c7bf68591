using DanVan.Functions;
using DanVan.Tests.Support;

namespace DanVan.Tests.Integration;

/// <summary>The shared admin token only while <c>DanVan__Auth__BreakGlass</c> allows it; a sign-in provider that does not answer is a 503, not a 401.</summary>
public sealed class BreakGlassTests
{
    private static Dictionary<string, string?> SignIn(string authority, bool breakGlass) => new()
    {
        ["DanVan:Auth:Authority"] = authority,
        ["DanVan:Auth:ClientId"] = "danvan-dashboard",
        ["DanVan:Auth:Audience"] = "api://danvan-local",
        ["DanVan:Auth:BreakGlass"] = breakGlass ? "true" : "false",
        ["DanVan:Auth:MetadataTimeoutSeconds"] = "2",
    };

    [Fact]
    public async Task With_break_glass_off_the_admin_token_is_just_a_wrong_token()
    {
        await using var on = await TestApp.StartAsync(settings: SignIn("http://127.0.0.1:9", breakGlass: true));
        await using var off = await TestApp.StartAsync(settings: SignIn("http://127.0.0.1:9", breakGlass: false));

        var allowed = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/me", TestApp.AdminToken), r => on.Get<AuthFunctions>().Me(r, default));
        var refused = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/me", TestApp.AdminToken), r => off.Get<AuthFunctions>().Me(r, default));
        var config = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/auth/config"), r => Task.FromResult(off.Get<AuthFunctions>().AuthConfig(r)));

        Assert.Equal(200, allowed.Status);
        Assert.True(allowed.Json.GetProperty("breakGlass").GetBoolean());
        Assert.Equal((401, "unauthorized"), (refused.Status, refused.Code));
        Assert.False(config.Json.GetProperty("breakGlassAllowed").GetBoolean());
        Assert.Equal("http://127.0.0.1:9", config.Json.GetProperty("authority").GetString());
    }

    [Fact]
    public async Task A_persons_token_when_the_provider_cannot_be_reached_is_503_identity_unavailable_with_retry_after()
    {
        await using var app = await TestApp.StartAsync(settings: SignIn($"http://127.0.0.1:{Azurite.FreePort()}", breakGlass: false));
        const string jwtShaped = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/me", jwtShaped), r => app.Get<AuthFunctions>().Me(r, default));

        Assert.Equal((503, "identity_unavailable"), (response.Status, response.Code));
        Assert.Equal("5", response.Headers.RetryAfter.ToString());
    }

    [Theory]
    [InlineData("actor=")]
    [InlineData("actor=%01x")]
    public async Task An_audit_filter_that_names_no_one_is_400_naming_the_parameter(string query)
    {
        await using var app = await TestApp.StartAsync();

        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/audit", TestApp.AdminToken, query: query), r => app.Get<AuditFunctions>().ListAudit(r, default));

        Assert.Equal((400, "invalid_parameter"), (response.Status, response.Code));
        Assert.Contains("actor", response.Text);
    }
}
