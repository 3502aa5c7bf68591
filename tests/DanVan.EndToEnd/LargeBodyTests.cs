using System.Diagnostics;
using System.Net;
using DanVan.EndToEnd.Support;
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
    public async Task A_31_MB_json_body_gets_DanVans_problem_not_a_bare_500()
    {
        var clock = Stopwatch.StartNew();
        using var response = await danvan.SendLargeBodyAsync(HttpMethod.Post, "api/units/import", PastKestrelDefault, "application/json");
        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        output.WriteLine($"31 MB POST answered in {clock.ElapsedMilliseconds} ms");
    }
}
