using DanVan.Functions;
using DanVan.Tests.Support;
using DanVan.Tests.Uploads;
using UploadSamples = DanVan.Tests.Uploads.Samples;

namespace DanVan.Tests.Http;

/// <summary>
/// Every API answer (JSON, CSV, file, problem) says <c>Cache-Control: no-store</c> and
/// <c>X-Content-Type-Options: nosniff</c>: they carry credentials, personal data and report files.
/// </summary>
public sealed class ApiHeadersTests
{
    [Fact]
    public async Task Credentials_registry_status_audit_versions_downloads_and_problems_are_no_store_and_nosniff()
    {
        await using var bed = await UploadBed.StartAsync();
        await bed.SendAsync(UploadBed.Raw(UploadSamples.Pdf(), "a.pdf", bed.UnitToken));
        var units = bed.App.Get<UnitsFunctions>();
        var periods = bed.App.Get<PeriodsFunctions>();
        var audit = bed.App.Get<AuditFunctions>();

        var answers = new Dictionary<string, TestResponse>
        {
            ["token"] = await TestHttp.InvokeAsync(TestHttp.Request("POST", $"/api/units/{UploadBed.OtherUnit}/token", TestApp.AdminToken), r => units.IssueToken(r, UploadBed.OtherUnit, default)),
            ["units"] = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/units", TestApp.AdminToken), r => units.ListUnits(r, default)),
            ["status"] = await TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{UploadBed.Period}/status", TestApp.AdminToken), r => periods.PeriodStatus(r, UploadBed.Period, default)),
            ["status csv"] = await TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{UploadBed.Period}/status", TestApp.AdminToken, query: "format=csv"), r => periods.PeriodStatus(r, UploadBed.Period, default)),
            ["audit"] = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/audit", TestApp.AdminToken), r => audit.ListAudit(r, default)),
            ["versions"] = await bed.ListAsync(UploadBed.Unit, bed.UnitToken),
            ["download"] = await bed.DownloadAsync(UploadBed.Unit, 1, bed.UnitToken),
            ["401 problem"] = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/units"), r => units.ListUnits(r, default)),
            ["404 problem"] = await bed.DownloadAsync(UploadBed.Unit, 9, bed.UnitToken),
        };

        Assert.Equal([201, 200, 200, 200, 200, 200, 200, 401, 404], answers.Values.Select(a => a.Status));
        Assert.StartsWith("text/csv", answers["status csv"].ContentType);
        Assert.StartsWith("application/problem+json", answers["401 problem"].ContentType);
        Assert.Equal("Bearer realm=\"danvan\"", answers["401 problem"].Headers.WWWAuthenticate.ToString());
        foreach (var (name, answer) in answers)
        {
            Assert.True(answer.Headers.CacheControl.ToString() == "no-store", $"{name}: Cache-Control is \"{answer.Headers.CacheControl}\"");
            Assert.True(answer.Headers.XContentTypeOptions.ToString() == "nosniff", $"{name}: X-Content-Type-Options is \"{answer.Headers.XContentTypeOptions}\"");
        }
    }
}
