using System.Diagnostics;
using System.Net;
using DanVan.EndToEnd.Support;
using DanVan.TestHost;
using DanVan.Tests.Support;
using Xunit.Abstractions;

namespace DanVan.EndToEnd;

/// <summary>What the host itself must get right, whatever the routes: routing, problems, logs, timers' admin route.</summary>
[Collection(DanVanHostCollection.Name)]
public sealed class HostBehaviourTests(DanVanHost danvan, ITestOutputHelper output)
{
    [Fact]
    public void The_worker_reports_every_foundation_route_with_the_api_prefix()
    {
        output.WriteLine($"Host + worker started in {danvan.StartupTime.TotalMilliseconds:F0} ms (worker pid {danvan.Host.WorkerProcessId})");
        var routes = danvan.Host.Functions.Where(f => f.IsHttp).Select(f => $"{string.Join(',', f.Methods)} {f.RouteTemplate}").ToList();
        routes.ForEach(output.WriteLine);
        Assert.Contains("GET api/units", routes);
        Assert.Contains("PUT api/units/{code}", routes);
        Assert.Contains("POST api/units/import", routes);
        Assert.Contains("POST api/units/{code}/token", routes);
        Assert.Contains("GET api/periods", routes);
        Assert.Contains("GET api/periods/{periodId}/status", routes);
        Assert.Contains("GET api/audit", routes);
    }

    [Fact]
    public async Task An_unknown_route_is_404_and_never_reaches_a_function()
    {
        using var response = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, "api/no-such-route"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        using var wrongMethod = await danvan.SendAsync(danvan.Admin(HttpMethod.Delete, "api/units"));
        Assert.Equal(HttpStatusCode.NotFound, wrongMethod.StatusCode);
    }

    [Fact]
    public async Task A_problem_answer_comes_through_intact()
    {
        using var response = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, "api/periods"));
        var problem = await response.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal("Chưa xác thực", problem.GetProperty("title").GetString());
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("/api/periods", problem.GetProperty("instance").GetString());
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Worker_logs_reach_the_host_log()
    {
        using var response = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, "api/audit"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await WaitUntilAsync(() => danvan.Logs.Any(l => l.Contains("Worker.DanVan.Http.ProblemMiddleware") && l.Contains("ListAudit")));
    }

    [Fact]
    public async Task The_admin_route_refuses_an_unknown_function_and_an_http_function()
    {
        using var unknown = await danvan.Client.PostAsync("admin/functions/NoSuchTimer", Api.JsonContent("""{"input": ""}"""));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var http = await danvan.Client.PostAsync("admin/functions/ListPeriods", Api.JsonContent("""{"input": ""}"""));
        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
    }

    [Fact]
    public void Every_timer_schedule_resolves_from_the_settings_to_a_cron_expression()
    {
        // A %Setting% the app settings lack, or a schedule that is not CRON, never fires in Azure.
        var settings = new Dictionary<string, string>(danvan.Settings);
        foreach (var timer in danvan.Host.Functions.Where(f => f.IsTimer))
        {
            var schedule = TimerSchedules.TryParse(timer, settings);
            output.WriteLine($"{timer.Name}: {timer.Schedule} = {TimerSchedules.Resolve(timer.Schedule, settings)}; next {schedule?.GetNextOccurrence(SuiteClock.Now.UtcDateTime):u}");
            Assert.True(schedule is not null, $"Timer {timer.Name}: schedule '{timer.Schedule}' does not resolve to a CRON expression from local.settings.sample.json.");
        }
    }

    [Fact]
    public async Task Concurrent_requests_are_each_answered_by_their_own_invocation()
    {
        const int count = 40;
        var clock = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            using var response = await danvan.SendAsync(i % 2 == 0 ? danvan.Admin(HttpMethod.Get, "api/periods") : DanVanHost.As(null, HttpMethod.Get, "api/periods"));
            await response.Content.ReadAsByteArrayAsync();
            return (i, response.StatusCode);
        }));
        output.WriteLine($"{count} concurrent GET /api/periods in {clock.ElapsedMilliseconds} ms ({count * 1000.0 / clock.ElapsedMilliseconds:F1} req/s)");
        Assert.All(responses, r => Assert.Equal(r.i % 2 == 0 ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, r.StatusCode));
    }

    /// <summary>The set clock is for training and tests: a worker outside Development refuses to start and names the setting.</summary>
    [Fact]
    public async Task A_worker_outside_Development_refuses_to_start_with_the_clock_setting()
    {
        var settings = new Dictionary<string, string>(danvan.Settings) { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production" };

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionsWorkerHost.StartAsync(new WorkerHostOptions
        {
            FunctionAppDirectory = DanVanHost.FunctionAppDirectory(),
            Settings = settings,
            StartTimeout = TimeSpan.FromSeconds(60),
        }));

        output.WriteLine(refused.Message);
        Assert.Contains("The worker exited", refused.Message);
        Assert.Contains("DanVan__Clock__Now", refused.Message);
        Assert.Contains("'Production'", refused.Message);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "The condition did not become true within 10 s.");
            await Task.Delay(50);
        }
    }
}
