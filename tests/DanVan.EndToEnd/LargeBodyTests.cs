using System.Diagnostics;
using System.Net;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;
using Xunit.Abstractions;

namespace DanVan.EndToEnd;

/// <summary>
/// Bodies past the worker Kestrel's default limit (30,000,000 bytes) go through the host streamed and
/// get DanVan's own answer. Uploads add their test here with <see cref="DanVanHost.SendLargeBodyAsync"/>.
/// </summary>
[Collection(DanVanHostCollection.Name)]
public sealed class LargeBodyTests(DanVanHost danvan, ITestOutputHelper output)
{
    public const long PastKestrelDefault = 31_000_000;

    [Fact]
    public async Task A_31_MB_report_is_streamed_through_the_host_stored_and_read_back()
    {
        var code = Api.NewUnitCode("upload");
        using (var put = await danvan.SendAsync(danvan.Admin(HttpMethod.Put, $"api/units/{code}", Api.Json(Api.Unit(code)))))
        {
            await put.ReadJsonAsync(HttpStatusCode.Created);
        }

        string token;
        using (var issued = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/units/{code}/token")))
        {
            token = (await issued.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("token").GetString()!;
        }

        var periodId = SamplePlan.Current(SuiteClock.Now).Id;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        using var upload = await danvan.SendLargeBodyAsync(HttpMethod.Post, $"api/periods/{periodId}/reports", PastKestrelDefault, "application/pdf", token,
            r => r.Headers.Add("X-File-Name", "bao-cao-lon.pdf"), startingWith: "%PDF-1.7\n"u8.ToArray());
        var receipt = await upload.ReadJsonAsync(HttpStatusCode.Created);
        var uploadMs = clock.ElapsedMilliseconds;

        // The client and the host share this process: had either held the body, 31 MB would show here.
        var allocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1e6;
        output.WriteLine($"Allocated in the test process (client + host) during the upload: {allocatedMb:F1} MB");
        Assert.True(allocatedMb < PastKestrelDefault / 1e6 / 2, $"The host seems to buffer the body: {allocatedMb:F1} MB allocated.");
        Assert.Equal(PastKestrelDefault, receipt.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(1, receipt.GetProperty("version").GetInt32());

        clock.Restart();
        using var download = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, $"api/periods/{periodId}/reports/{code}/versions/1"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        await using var body = await download.Content.ReadAsStreamAsync();
        var sha = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(body));
        Assert.Equal(receipt.GetProperty("sha256").GetString()!.ToLowerInvariant(), sha);
        output.WriteLine($"31 MB upload through host + worker: {uploadMs} ms ({PastKestrelDefault / 1e6 / (uploadMs / 1000.0):F1} MB/s); download + hash: {clock.ElapsedMilliseconds} ms");

        using var notANumber = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, $"api/periods/{periodId}/reports/{code}/versions/latest"));
        Assert.Equal(HttpStatusCode.NotFound, notANumber.StatusCode);
    }

    [Fact]
    public async Task A_31_MB_json_body_gets_DanVans_problem_not_a_bare_500()
    {
        var clock = Stopwatch.StartNew();
        using var response = await danvan.SendLargeBodyAsync(HttpMethod.Post, "api/units/import", PastKestrelDefault, "application/json");
        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        output.WriteLine($"31 MB POST answered in {clock.ElapsedMilliseconds} ms");
    }
}
