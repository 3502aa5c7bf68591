using System.Net;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;

namespace DanVan.EndToEnd;

/// <summary>The report routes (Uploads) through the real worker: happy path and auth failures.</summary>
[Collection(DanVanHostCollection.Name)]
public sealed class ReportsRoutesTests(DanVanHost danvan)
{
    private Task<(string Code, string Token)> UnitWithTokenAsync() => danvan.UnitWithTokenAsync("rep");

    /// <summary>The period a unit reports for at the suite's instant.</summary>
    private static readonly PlanPeriod Period = SamplePlan.Current(SuiteClock.Now);

    private static HttpRequestMessage Upload(string? token, string query = "") => Scenario.UploadRequest(token, Period.Id, query);

    [Fact]
    public async Task A_unit_uploads_lists_and_downloads_its_report()
    {
        var (code, token) = await UnitWithTokenAsync();

        using var uploaded = await danvan.SendAsync(Upload(token));
        var receipt = await uploaded.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(code, receipt.GetProperty("unitCode").GetString());
        Assert.Equal($"/api/periods/{Period.Id}/reports/{code}/versions/1", uploaded.Headers.Location?.OriginalString);
        // The app's clock stands at the suite's instant: received then, on time exactly when that is before the deadline.
        Assert.Equal(SuiteClock.Now, receipt.GetProperty("receivedAt").GetDateTimeOffset());
        Assert.Equal(TimeSpan.FromHours(7), receipt.GetProperty("receivedAt").GetDateTimeOffset().Offset);
        Assert.Equal(Period.Deadline, receipt.GetProperty("deadline").GetDateTimeOffset());
        Assert.Equal(Period.IsOnTimeAt(SuiteClock.Now), receipt.GetProperty("onTime").GetBoolean());

        using var listed = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/reports/{code}"));
        var versions = (await listed.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("versions");
        Assert.Equal(1, versions.GetArrayLength());

        using var status = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{Period.Id}/status"));
        var row = (await status.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("unitCode").GetString() == code);
        Assert.Equal(Period.IsOnTimeAt(SuiteClock.Now) ? "on_time" : "late", row.GetProperty("status").GetString());

        using var downloaded = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/reports/{code}/versions/1"));
        Assert.Equal(HttpStatusCode.OK, downloaded.StatusCode);
        Assert.Equal(Scenario.SmallPdf, await downloaded.Content.ReadAsByteArrayAsync());
        Assert.Contains("filename*=UTF-8''", downloaded.Content.Headers.ContentDisposition?.ToString() ?? "");
    }

    [Fact]
    public async Task Report_routes_refuse_a_missing_credential_and_another_units_token()
    {
        var (code, token) = await UnitWithTokenAsync();
        var (_, otherToken) = await UnitWithTokenAsync();
        using (var uploaded = await danvan.SendAsync(Upload(token)))
        {
            await uploaded.ReadJsonAsync(HttpStatusCode.Created);
        }

        using var anonymousUpload = await danvan.SendAsync(Upload(null));
        await anonymousUpload.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

        using var uploadForAnother = await danvan.SendAsync(Upload(otherToken, $"?unit={code}"));
        await uploadForAnother.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        using var listByAnother = await danvan.SendAsync(DanVanHost.As(otherToken, HttpMethod.Get, $"api/periods/{Period.Id}/reports/{code}"));
        await listByAnother.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        using var anonymousDownload = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, $"api/periods/{Period.Id}/reports/{code}/versions/1"));
        await anonymousDownload.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
