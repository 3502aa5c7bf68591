using DanVan.Audit;
using DanVan.Auth;
using DanVan.Functions;
using DanVan.Registry;
using DanVan.Tests.Support;

namespace DanVan.Tests.Integration;

public class AuthTests
{
    private static async Task<(TestApp App, UnitsFunctions Units, PeriodsFunctions Periods)> StartAsync()
    {
        var app = await TestApp.StartAsync();
        await app.Get<UnitRegistry>().ImportAsync([Samples.Unit("so-noi-vu", "Sở Nội vụ"), Samples.Unit("so-y-te", "Sở Y tế")]);
        return (app, app.Get<UnitsFunctions>(), app.Get<PeriodsFunctions>());
    }

    private static async Task<string> IssueAsync(UnitsFunctions units, string code)
    {
        var response = await TestHttp.InvokeAsync(TestHttp.Request("POST", $"/api/units/{code}/token", TestApp.AdminToken), r => units.IssueToken(r, code, default));
        Assert.Equal(201, response.Status);
        Assert.Equal(code, response.Json.GetProperty("unitCode").GetString());
        Assert.EndsWith("+07:00", response.Json.GetProperty("issuedAt").GetString());
        return response.Json.GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task An_issued_token_is_long_random_stored_only_as_a_hash_and_acts_for_its_unit()
    {
        var (app, units, periods) = await StartAsync();
        await using var _ = app;

        var token = await IssueAsync(units, "so-y-te");
        var row = await app.Store.Table<CredentialStore>().GetEntityAsync<CredentialEntity>(CredentialEntity.Partition, "so-y-te");
        var status = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/status", token), r => periods.PeriodStatus(r, "2026-H1", default));

        var secret = token.Split('.')[2];
        Assert.True(Convert.FromBase64String(secret.Replace('-', '+').Replace('_', '/') + "=").Length >= 32);
        Assert.DoesNotContain(secret, row.Value.TokenHash);
        Assert.Equal(CredentialStore.Hash(token), row.Value.TokenHash);
        Assert.Equal(200, status.Status);
        Assert.Equal(["so-y-te"], status.Json.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("unitCode").GetString()));
    }

    [Fact]
    public async Task Issuing_a_new_token_revokes_the_previous_one()
    {
        var (app, units, periods) = await StartAsync();
        await using var _ = app;

        var first = await IssueAsync(units, "so-y-te");
        var second = await IssueAsync(units, "so-y-te");

        var withFirst = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods", first), r => periods.ListPeriods(r, default));
        var withSecond = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods", second), r => periods.ListPeriods(r, default));

        Assert.NotEqual(first, second);
        Assert.Equal(401, withFirst.Status);
        Assert.Equal("unauthorized", withFirst.Code);
        Assert.Equal(200, withSecond.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Bearer")]
    [InlineData("Bearer not a token")]
    [InlineData("Bearer wrong-admin-token-0123456789")]
    [InlineData("Bearer dv1.so-y-te.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Bearer dv1.khong-ton-tai.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Missing_malformed_or_wrong_credentials_get_401_without_revealing_anything(string? header)
    {
        var (app, units, periods) = await StartAsync();
        await using var _ = app;
        await IssueAsync(units, "so-y-te");

        var known = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/status", header), r => periods.PeriodStatus(r, "2026-H1", default));
        var unknown = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2099-Z/status", header), r => periods.PeriodStatus(r, "2099-Z", default));

        Assert.Equal(401, known.Status);
        Assert.Equal("unauthorized", known.Code);
        Assert.Equal(known.Text, unknown.Text.Replace("2099-Z", "2026-H1"));
        Assert.Contains("Bearer", known.Headers.WWWAuthenticate.ToString());
    }

    [Fact]
    public async Task A_unit_token_on_an_admin_route_is_403_whether_or_not_the_target_exists()
    {
        var (app, units, _) = await StartAsync();
        await using var __ = app;
        var token = await IssueAsync(units, "so-y-te");

        var onList = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/units", token), r => units.ListUnits(r, default));
        var onExisting = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/so-noi-vu/token", token), r => units.IssueToken(r, "so-noi-vu", default));
        var onMissing = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/khong-co/token", token), r => units.IssueToken(r, "khong-co", default));
        var audit = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/audit", token), r => app.Get<AuditFunctions>().ListAudit(r, default));

        Assert.All(new[] { onList, onExisting, onMissing, audit }, r => Assert.Equal((403, "forbidden"), (r.Status, r.Code)));
    }

    [Fact]
    public async Task A_unit_sees_only_its_own_status_row_and_never_another_units()
    {
        var (app, units, periods) = await StartAsync();
        await using var _ = app;
        var token = await IssueAsync(units, "so-noi-vu");

        var admin = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/status", TestApp.AdminToken), r => periods.PeriodStatus(r, "2026-H1", default));
        var unit = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/status", token), r => periods.PeriodStatus(r, "2026-H1", default));

        Assert.Equal(2, admin.Json.GetProperty("rows").GetArrayLength());
        Assert.Equal(["so-noi-vu"], unit.Json.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("unitCode").GetString()));
        Assert.True(Caller.ForUnit("so-noi-vu").MayActFor("so-noi-vu"));
        Assert.False(Caller.ForUnit("so-noi-vu").MayActFor("so-y-te"));
    }

    [Fact]
    public async Task Issuing_a_token_for_an_unknown_unit_is_404_for_the_admin()
    {
        var (app, units, _) = await StartAsync();
        await using var __ = app;

        var response = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/khong-co/token", TestApp.AdminToken), r => units.IssueToken(r, "khong-co", default));

        Assert.Equal((404, "unknown_unit"), (response.Status, response.Code));
    }

    [Fact]
    public async Task Credential_issues_and_registry_changes_are_audited()
    {
        var (app, units, _) = await StartAsync();
        await using var __ = app;
        await IssueAsync(units, "so-y-te");

        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/audit", TestApp.AdminToken), r => app.Get<AuditFunctions>().ListAudit(r, default));

        var entry = response.Json.EnumerateArray().Single(e => e.GetProperty("action").GetString() == AuditActions.TokenIssue);
        Assert.Equal(DanVan.Auth.Actors.BreakGlass, entry.GetProperty("actor").GetString());
        Assert.Equal("so-y-te", entry.GetProperty("unitCode").GetString());
        Assert.EndsWith("+07:00", entry.GetProperty("at").GetString());
    }
}
