using System.Diagnostics;
using System.Net;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;
using Xunit.Abstractions;

namespace DanVan.EndToEnd;

/// <summary>
/// The compilation timer through the admin route, and the compilation routes, through the real worker.
/// Each test works in its own overdue period of the suite's instant: the latest, the one before, the oldest.
/// </summary>
[Collection(DanVanHostCollection.Name)]
public sealed class CompilationRoutesTests(DanVanHost danvan, ITestOutputHelper output)
{
    [Fact]
    public async Task The_compilation_timer_runs_through_the_admin_route_and_stores_a_bundle()
    {
        var periodId = SamplePlan.Overdue(SuiteClock.Now)[0].Id;
        var (code, token) = await danvan.UnitWithTokenAsync("cmp");
        await danvan.UploadAsync(token, periodId);

        var result = await danvan.RunTimerAsync("CompileDuePeriods");
        output.WriteLine($"CompileDuePeriods through POST /admin/functions: {result.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(result.Succeeded, result.Error);

        using var listed = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{periodId}/compilations"));
        var compilations = await listed.ReadJsonAsync(HttpStatusCode.OK);
        var newest = compilations.EnumerateArray().First();
        Assert.Equal("timer", newest.GetProperty("createdBy").GetString());
        Assert.Equal(SuiteClock.Now, newest.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Contains(code, newest.GetProperty("sourceVersions").GetRawText(), StringComparison.Ordinal);

        var blobs = new List<string>();
        await foreach (var blob in danvan.Container("compilations").GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        Assert.Contains(blobs, b => b.StartsWith(periodId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_admin_compiles_lists_and_downloads_and_a_unit_is_refused()
    {
        var periodId = SamplePlan.Overdue(SuiteClock.Now)[1].Id;
        var (_, token) = await danvan.UnitWithTokenAsync("cmp");
        await danvan.UploadAsync(token, periodId);

        var clock = Stopwatch.StartNew();
        using var created = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/periods/{periodId}/compilations"));
        var compilation = await created.ReadJsonAsync(HttpStatusCode.Created);
        output.WriteLine($"POST compilations: {clock.ElapsedMilliseconds} ms, {compilation.GetProperty("sizeBytes").GetInt64()} bytes");

        using var listed = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{periodId}/compilations"));
        Assert.True((await listed.ReadJsonAsync(HttpStatusCode.OK)).GetArrayLength() >= 1);

        using var latest = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{periodId}/compilations/latest"));
        Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
        Assert.Equal("application/zip", latest.Content.Headers.ContentType?.MediaType);
        var zip = await latest.Content.ReadAsByteArrayAsync();
        Assert.Equal("PK"u8.ToArray(), zip[..2]);

        using var unitCompiles = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Post, $"api/periods/{periodId}/compilations"));
        await unitCompiles.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        using var unitDownloads = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, $"api/periods/{periodId}/compilations/latest"));
        await unitDownloads.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        using var anonymousList = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, $"api/periods/{periodId}/compilations"));
        await anonymousList.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Finalize_closes_a_period_to_uploads_and_only_the_admin_may_finalize()
    {
        var periodId = SamplePlan.Overdue(SuiteClock.Now)[^1].Id;
        var (_, token) = await danvan.UnitWithTokenAsync("fin");

        using var byUnit = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Post, $"api/periods/{periodId}/finalize"));
        await byUnit.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        using var finalized = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/periods/{periodId}/finalize"));
        var body = await finalized.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(SuiteClock.Now, body.GetProperty("finalizedAt").GetDateTimeOffset());
        Assert.True(body.GetProperty("compilation").GetProperty("final").GetBoolean());

        using var lateUpload = await danvan.SendAsync(Scenario.UploadRequest(token, periodId));
        await lateUpload.ReadProblemAsync(HttpStatusCode.Conflict, "period_finalized");
    }
}
