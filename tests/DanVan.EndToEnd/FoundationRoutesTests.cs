using System.Diagnostics;
using System.Net;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;
using Xunit.Abstractions;

namespace DanVan.EndToEnd;

/// <summary>Every foundation route through the real worker: its happy path and an auth failure.</summary>
[Collection(DanVanHostCollection.Name)]
public sealed class FoundationRoutesTests(DanVanHost danvan, ITestOutputHelper output)
{
    private async Task<string> CreateUnitAsync()
    {
        var code = Api.NewUnitCode();
        using var response = await danvan.SendAsync(danvan.Admin(HttpMethod.Put, $"api/units/{code}", Api.Json(Api.Unit(code))));
        await response.ReadJsonAsync(HttpStatusCode.Created);
        return code;
    }

    private async Task<string> IssueTokenAsync(string code)
    {
        using var response = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/units/{code}/token"));
        return (await response.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task The_admin_lists_units_and_a_caller_without_credentials_gets_401()
    {
        var code = await CreateUnitAsync();

        using var listed = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, "api/units"));
        var units = await listed.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Contains(units.EnumerateArray(), u => u.GetProperty("code").GetString() == code);

        using var anonymous = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, "api/units"));
        await anonymous.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Put_unit_creates_then_replaces_with_the_route_code_and_refuses_a_wrong_token()
    {
        var code = Api.NewUnitCode();
        using var created = await danvan.SendAsync(danvan.Admin(HttpMethod.Put, $"api/units/{code}", Api.Json(Api.Unit(code))));
        Assert.Equal(code, (await created.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("code").GetString());

        using var replaced = await danvan.SendAsync(danvan.Admin(HttpMethod.Put, $"api/units/{code}", Api.Json(Api.Unit(code, "Sở Đổi tên"))));
        Assert.Equal("Sở Đổi tên", (await replaced.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString());

        // The {code} route value reaches the function: a body naming another unit is refused.
        using var mismatch = await danvan.SendAsync(danvan.Admin(HttpMethod.Put, $"api/units/{code}", Api.Json(Api.Unit("another-unit"))));
        await mismatch.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        using var wrongToken = await danvan.SendAsync(DanVanHost.As("not-the-admin-token-at-all", HttpMethod.Put, $"api/units/{code}", Api.Json(Api.Unit(code))));
        await wrongToken.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Import_loads_the_sample_units_and_refuses_a_unit_token_with_403()
    {
        var sample = await File.ReadAllTextAsync(Path.Combine(Tests.Support.Azurite.RepositoryRoot, "functions", "SampleData", "units.vinh-phuc-2023.sample.json"));
        using var imported = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, "api/units/import", Api.JsonContent(sample)));
        var result = await imported.ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(result.GetProperty("imported").GetInt32() + result.GetProperty("updated").GetInt32() > 0);

        var unitToken = await IssueTokenAsync(await CreateUnitAsync());
        using var forbidden = await danvan.SendAsync(DanVanHost.As(unitToken, HttpMethod.Post, "api/units/import", Api.JsonContent(sample)));
        await forbidden.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_issued_token_works_for_its_unit_and_only_the_admin_may_issue_one()
    {
        var code = await CreateUnitAsync();
        var token = await IssueTokenAsync(code);
        Assert.StartsWith($"dv1.{code}.", token);

        using var asUnit = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, "api/periods"));
        var periods = await asUnit.ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(periods.GetArrayLength() > 0);

        using var unitIssuing = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Post, $"api/units/{code}/token"));
        await unitIssuing.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        using var unknown = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, "api/units/no-such-unit-here/token"));
        await unknown.ReadProblemAsync(HttpStatusCode.NotFound, "unknown_unit");
    }

    [Fact]
    public async Task Periods_are_listed_for_the_admin_and_refused_without_credentials()
    {
        var clock = Stopwatch.StartNew();
        using var response = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, "api/periods"));
        var periods = await response.ReadJsonAsync(HttpStatusCode.OK);
        output.WriteLine($"GET /api/periods through host + worker: {clock.ElapsedMilliseconds} ms");
        // Exactly the sample plan's periods as of the suite's instant, each open and late as the plan says.
        var expected = SamplePlan.Listed(SuiteClock.Now);
        Assert.Equal(expected.Select(p => p.Id), periods.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        foreach (var (period, listed) in expected.Zip(periods.EnumerateArray()))
        {
            Assert.Equal(period.Deadline, listed.GetProperty("deadline").GetDateTimeOffset());
            Assert.Equal(period.OpensAt, listed.GetProperty("opensAt").GetDateTimeOffset());
            var finalized = listed.TryGetProperty("finalizedAt", out var at) && at.ValueKind != System.Text.Json.JsonValueKind.Null;
            Assert.Equal(period.IsOpenAt(SuiteClock.Now) && !finalized, listed.GetProperty("isOpen").GetBoolean());
            Assert.Equal(!period.IsOnTimeAt(SuiteClock.Now), listed.GetProperty("deadlinePassed").GetBoolean());
        }

        using var anonymous = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, "api/periods"));
        await anonymous.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Period_status_answers_json_and_csv_and_refuses_without_credentials()
    {
        var code = await CreateUnitAsync();
        var period = SamplePlan.Current(SuiteClock.Now);
        using var json = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{period.Id}/status"));
        var status = await json.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(period.Id, status.GetProperty("periodId").GetString());
        Assert.Equal(period.Deadline, status.GetProperty("deadline").GetDateTimeOffset());
        var row = status.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("unitCode").GetString() == code);
        Assert.Equal("missing", row.GetProperty("status").GetString());

        using var csv = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{period.Id}/status?format=csv"));
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("filename*=UTF-8''", csv.Content.Headers.ContentDisposition?.ToString() ?? "");
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.Contains(code, System.Text.Encoding.UTF8.GetString(bytes));

        using var unknown = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, "api/periods/1999-H1/status"));
        await unknown.ReadProblemAsync(HttpStatusCode.NotFound, "unknown_period");

        using var anonymous = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, $"api/periods/{period.Id}/status"));
        await anonymous.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_audit_log_shows_admin_actions_and_refuses_a_unit()
    {
        var code = await CreateUnitAsync();
        var token = await IssueTokenAsync(code);

        using var audit = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, "api/audit"));
        var entries = await audit.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Contains(entries.EnumerateArray(), e => e.GetProperty("action").GetString() == "unit.put" && e.GetProperty("unitCode").GetString() == code);
        Assert.Contains(entries.EnumerateArray(), e => e.GetProperty("action").GetString() == "credential.issue" && e.GetProperty("unitCode").GetString() == code);

        using var asUnit = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, "api/audit"));
        await asUnit.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
