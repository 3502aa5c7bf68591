using DanVan.Periods;
using DanVan.Registry;
using DanVan.Reminders;
using DanVan.Tests.Email;
using DanVan.Tests.Support;
using Microsoft.Extensions.Options;

namespace DanVan.Benchmarks;

/// <summary>
/// One reminder run for 5,000 missing units at one stage, against a SendGrid stub that validates every
/// request and adds 50 ms of latency per call: the run claims and enqueues every reminder while the queue is
/// drained through the queue function as the Functions host's queue listener would with DanVan's host.json
/// (batchSize, newBatchThreshold, polling back-off: <see cref="HostQueues"/>), until every email reached the stub. The bound on
/// concurrent SendGrid calls is DanVan's own (<c>DanVan__Reminders__MaxParallelism</c>, the sender's slots).
/// Each run uses a fresh period so every unit is due anew.
/// </summary>
public static class ReminderScenario
{
    /// <summary>5,000 (the issue's scenario), or <c>DANVAN_BENCH_REMINDER_UNITS</c>.</summary>
    private static readonly int Units = int.Parse(Environment.GetEnvironmentVariable("DANVAN_BENCH_REMINDER_UNITS") ?? "5000", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        await using var stub = await SendGridStub.StartAsync();
        var vn = TimeSpan.FromHours(7);
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2024, 5, 1, 8, 0, 0, vn), stub.Settings);
        await app.Get<UnitRegistry>().ImportAsync(Enumerable.Range(1, Units)
            .Select(i => (UnitRecord?)new UnitRecord($"don-vi-{i:D4}", $"Đơn vị số {i:D4}", "Sở, ban, ngành", [$"don-vi-{i:D4}@example.org"], null, "2020-01-01", null))
            .ToList());
        stub.Latency = TimeSpan.FromMilliseconds(50);
        var service = app.Get<ReminderService>();
        var catalog = app.Get<PeriodCatalog>();
        var parallelism = app.Get<IOptions<ReminderOptions>>().Value.MaxParallelism;

        // Each run is a different year's 6-month period on its before-7 day, so the ledger is empty for it.
        var years = new Queue<int>(Enumerable.Range(2024, 4));
        var queued = 0;
        var delivered = 0;
        var enqueue = new List<double>();
        var send = new List<double>();
        var sample = await Measure.SingleAsync(
            async _ =>
            {
                var year = years.Dequeue();
                app.Clock.SetUtcNow(new DateTimeOffset(year, 5, 8, 8, 0, 0, vn));
                // The host's queue listener runs while the timer does: the drain polls from the start.
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var running = service.RunAsync(catalog.Get($"{year}-H1"), dryRun: false, "benchmark");
                var draining = EmailQueueDrain.DrainAsync(app, whileRunning: running);
                var run = await running;
                enqueue.Add(watch.Elapsed.TotalMilliseconds);
                queued = run.Queued;
                delivered = (await draining).Processed;
                send.Add(watch.Elapsed.TotalMilliseconds);
            },
            runs: 2,
            warmups: 1); // JIT and connection set-up are left out, as in every other row

        var seconds = sample.Median / 1000;
        var reminders = stub.Reminders.Count;
        return
        [
            new Row($"reminder run, {Units:N0} units due, stub 50 ms", sample.ToString(), "—", "—", $"< 30 s, ≤ {parallelism} concurrent", seconds < 30 && stub.MaxConcurrent <= parallelism && stub.Violations.IsEmpty,
                $"{queued} queued per run; the run returned after {string.Join(" / ", enqueue.Select(e => $"{e / 1000:F1} s"))}, the last email reached the stub {string.Join(" / ", send.Zip(enqueue).Select(p => $"{(p.First - p.Second) / 1000:F1} s"))} later " +
                $"({delivered} queue messages in the last run, host.json batchSize {HostQueues.BatchSize} + newBatchThreshold {HostQueues.NewBatchThreshold}); " +
                $"{reminders} reminders reached the stub over {sample.Milliseconds.Count} runs; at most {stub.MaxConcurrent} concurrent SendGrid calls (MaxParallelism {parallelism}); {stub.Violations.Count} schema violations"),
        ];
    }
}
