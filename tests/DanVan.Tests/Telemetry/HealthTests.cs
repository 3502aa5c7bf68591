using System.Diagnostics;
using DanVan.Functions;
using DanVan.Tests.Support;
using DanVan.Tests.Uploads;

namespace DanVan.Tests.Telemetry;

/// <summary>
/// <c>GET /api/health</c> against an Azurite of the test's own: 200 while storage answers, 503 within the health
/// check's short timeout once it is stopped, 200 again when it is back; anonymous, and it says nothing else.
/// </summary>
[Collection(OutageCollection.Name)]
public sealed class HealthTests
{
    private static Task<TestResponse> HealthAsync(TestApp app) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/health"), r => app.Get<HealthFunctions>().Health(r, CancellationToken.None));

    [Fact]
    public async Task Health_answers_200_while_storage_answers_503_soon_after_it_stops_and_200_again_once_it_is_back()
    {
        using var azurite = new OwnAzurite();
        await using var app = await TestApp.StartAsync(storage: azurite.ConnectionString);

        var up = await HealthAsync(app);
        // Azurite writes its data folder every few seconds: DanVan's tables, containers and queues are on disk.
        await Task.Delay(TimeSpan.FromSeconds(6));
        azurite.Kill();
        var clock = Stopwatch.StartNew();
        var down = await HealthAsync(app);
        var answeredIn = clock.Elapsed;
        azurite.Start();
        var back = await HealthAsync(app);

        Assert.Equal(200, up.Status);
        Assert.Equal("""{"status":"ok"}""", up.Text);
        Assert.Equal("no-store", up.Headers.CacheControl.ToString());
        Assert.Equal((503, "storage_unavailable", "5"), (down.Status, down.Code, down.Headers.RetryAfter.ToString()));
        Assert.True(answeredIn < HealthFunctions.Timeout + TimeSpan.FromSeconds(2), $"answered in {answeredIn}");
        Assert.Equal(200, back.Status);
    }
}
