using System.Diagnostics;
using System.Net;
using DanVan.EndToEnd.Support;
using Xunit.Abstractions;

namespace DanVan.EndToEnd;

/// <summary>The compilation timer through the admin route, and the compilation routes, through the real worker.</summary>
[Collection(DanVanHostCollection.Name)]
public sealed class CompilationRoutesTests(DanVanHost danvan, ITestOutputHelper output)
{
    [Fact]
    public async Task The_compilation_timer_runs_through_the_admin_route_and_stores_a_bundle()
    {
        var (code, token) = await danvan.UnitWithTokenAsync("cmp");
        await danvan.UploadAsync(token, "2025-Y");

        var result = await danvan.RunTimerAsync("CompileDuePeriods");
        output.WriteLine($"CompileDuePeriods through POST /admin/functions: {result.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(result.Succeeded, result.Error);

        using var listed = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, "api/periods/2025-Y/compilations"));
        var compilations = await listed.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Contains(compilations.EnumerateArray(), c => c.GetProperty("createdBy").GetString() is { } by && !by.Contains("admin", StringComparison.OrdinalIgnoreCase)
            && c.GetRawText().Contains(code, StringComparison.Ordinal));

        var blobs = new List<string>();
        await foreach (var blob in danvan.Container("compilations").GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        Assert.Contains(blobs, b => b.StartsWith("2025-Y", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_admin_compiles_lists_and_downloads_and_a_unit_is_refused()
    {
        var (_, token) = await danvan.UnitWithTokenAsync("cmp");
        await danvan.UploadAsync(token, "2025-H1");

        var clock = Stopwatch.StartNew();
        using var created = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, "api/periods/2025-H1/compilations"));
        var compilation = await created.ReadJsonAsync(HttpStatusCode.Created);
        output.WriteLine($"POST compilations: {clock.ElapsedMilliseconds} ms, {compilation.GetProperty("sizeBytes").GetInt64()} bytes");

        using var listed = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, "api/periods/2025-H1/compilations"));
        Assert.True((await listed.ReadJsonAsync(HttpStatusCode.OK)).GetArrayLength() >= 1);

        using var latest = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, "api/periods/2025-H1/compilations/latest"));
        Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
        Assert.Equal("application/zip", latest.Content.Headers.ContentType?.MediaType);
        var zip = await latest.Content.ReadAsByteArrayAsync();
        Assert.Equal("PK"u8.ToArray(), zip[..2]);

        using var unitCompiles = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Post, "api/periods/2025-H1/compilations"));
        await unitCompiles.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        using var unitDownloads = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, "api/periods/2025-H1/compilations/latest"));
        await unitDownloads.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        using var anonymousList = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, "api/periods/2025-H1/compilations"));
        await anonymousList.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Finalize_closes_a_period_to_uploads_and_only_the_admin_may_finalize()
    {
        var (_, token) = await danvan.UnitWithTokenAsync("fin");

        using var byUnit = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Post, "api/periods/2024-H1/finalize"));
        await byUnit.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        using var finalized = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, "api/periods/2024-H1/finalize"));
        var body = await finalized.ReadJsonAsync(HttpStatusCode.OK);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, body.GetProperty("finalizedAt").ValueKind);
        Assert.True(body.GetProperty("compilation").GetProperty("final").GetBoolean());

        using var lateUpload = await danvan.SendAsync(Scenario.UploadRequest(token, "2024-H1"));
        await lateUpload.ReadProblemAsync(HttpStatusCode.Conflict, "period_finalized");
    }
}
