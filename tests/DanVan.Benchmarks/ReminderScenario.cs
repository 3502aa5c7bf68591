using DanVan.Periods;
using DanVan.Registry;
using DanVan.Reminders;
using DanVan.Tests.Email;
using DanVan.Tests.Support;
using Microsoft.Extensions.Options;

namespace DanVan.Benchmarks;

/// <summary>
/// One reminder run for 500 missing units at one stage, against a SendGrid stub that validates every
/// request and adds 50 ms of latency per call. Each run uses a fresh period so every unit is due anew.
/// </summary>
public static class ReminderScenario
{
    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        await using var stub = await SendGridStub.StartAsync();
        var vn = TimeSpan.FromHours(7);
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2024, 5, 1, 8, 0, 0, vn), stub.Settings);
        await app.Get<UnitRegistry>().ImportAsync(Enumerable.Range(1, 500)
            .Select(i => (UnitRecord?)new UnitRecord($"don-vi-{i:D3}", $"Đơn vị số {i:D3}", "Sở, ban, ngành", [$"don-vi-{i:D3}@example.org"], null, "2020-01-01", null))
            .ToList());
        stub.Latency = TimeSpan.FromMilliseconds(50);
        var service = app.Get<ReminderService>();
        var catalog = app.Get<PeriodCatalog>();
        var parallelism = app.Get<IOptions<ReminderOptions>>().Value.MaxParallelism;

        // Each run is a different year's 6-month period on its before-7 day, so the ledger is empty for it.
        var years = new Queue<int>(Enumerable.Range(2024, 4));
        var sent = 0;
        var sample = await Measure.SingleAsync(
            async _ =>
            {
                var year = years.Dequeue();
                app.Clock.SetUtcNow(new DateTimeOffset(year, 5, 8, 8, 0, 0, vn));
                var run = await service.RunAsync(catalog.Get($"{year}-H1"), dryRun: false, "benchmark");
                sent = run.Queued;
            },
            runs: 3,
            warmups: 1);

        var seconds = sample.Median / 1000;
        return
        [
            new Row("reminder run (enqueue), 500 units, stub 50 ms", sample.ToString(), "—", "—", "< 5 s", seconds < 5,
                $"{sent} queued (claimed and enqueued; the queue-triggered sender sends them); MaxParallelism {parallelism}, at most {stub.MaxConcurrent} concurrent SendGrid calls; {sent / seconds:F0}/s; {stub.Violations.Count} schema violations"),
        ];
    }
}
