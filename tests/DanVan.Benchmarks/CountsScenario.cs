using DanVan.Compilation;
using DanVan.Decisions;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Submissions;
using DanVan.Tests.Support;

namespace DanVan.Benchmarks;

/// <summary>
/// Do the cached counts of <c>GET /api/periods</c> pay for themselves? At 30, 500 and 5,000 units (or
/// <c>DANVAN_BENCH_COUNTS_UNITS</c>, comma-separated), with every due period since <c>DANVAN_BENCH_COUNTS_FIRST_YEAR</c>
/// (default 2025: three due periods and the open one) submitted by four units in five, nothing changed since:
/// <see cref="PeriodCounts"/> as the request runs it (caches warm) against the same answer worked out with no cache (the
/// stores' reads the cache-miss path makes, nothing read from or written to the period changes index), for the admin and
/// for a unit caller. Each side's storage calls per request (every HTTP request to Azurite, pages included) and its time.
/// </summary>
public static class CountsScenario
{
    private static readonly int[] Sizes = (Environment.GetEnvironmentVariable("DANVAN_BENCH_COUNTS_UNITS") ?? "30,500,5000")
        .Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static readonly int FirstYear = int.Parse(Environment.GetEnvironmentVariable("DANVAN_BENCH_COUNTS_FIRST_YEAR") ?? "2025", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly DateTimeOffset Now = new(2026, 6, 1, 9, 0, 0, TimeSpan.FromHours(7));

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        var rows = new List<Row>();
        foreach (var n in Sizes)
        {
            rows.AddRange(await RunAsync(n));
        }

        return rows;
    }

    private static async Task<IReadOnlyList<Row>> RunAsync(int units)
    {
        var faults = new StorageFaults();
        await using var app = await TestApp.StartAsync(Now, new Dictionary<string, string?> { ["DanVan:Plan:FirstYear"] = FirstYear.ToString(System.Globalization.CultureInfo.InvariantCulture) }, faults: faults);
        await app.Get<UnitRegistry>().ImportAsync(Enumerable.Range(1, units)
            .Select(i => (UnitRecord?)new UnitRecord($"don-vi-{i:D4}", $"Đơn vị số {i:D4}", "Sở, ban, ngành", [$"don-vi-{i:D4}@example.org"], null, "2015-01-01", null))
            .ToList());
        var periods = app.Get<PeriodCatalog>();
        var due = periods.Current().Where(p => p.Deadline <= Now).ToList();
        var submissions = app.Get<SubmissionStore>();
        var work = due.SelectMany(p => Enumerable.Range(1, units * 4 / 5).Select(i => (Period: p.Id.ToString(), Unit: $"don-vi-{i:D4}", At: p.Deadline.AddDays(-(i % 9)))));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (w, ct) =>
        {
            await submissions.AppendVersionAsync(new SubmissionVersion
            {
                PeriodId = w.Period, UnitCode = w.Unit, ReceiptId = $"r-{w.Period}-{w.Unit}", BlobName = $"{w.Period}/{w.Unit}/r",
                FileName = "Báo cáo.pdf", ContentType = "application/pdf", SizeBytes = 1, Sha256 = new string('a', 64), UploadedBy = "benchmark",
                ReceivedAt = w.At,
            }, keyHash: null, await submissions.AppendBasisAsync(w.Period, w.Unit, ct), ct: ct);
        });

        var counts = app.Get<PeriodCounts>();
        var registry = app.Get<UnitRegistry>();
        var decisions = app.Get<DecisionStore>();
        const string unit = "don-vi-0001";
        var shape = $"{units:N0} units, {periods.Current().Count} periods ({due.Count} due, {units * 4 / 5:N0} submitted in each)";
        Console.WriteLine($"  seeded {shape}");

        async Task<int> AdminUncached()
        {
            var list = periods.Current();
            var unitsTask = registry.ListAsync();
            var finalizedTask = periods.FinalizedAsync();
            var (all, finalized) = (await unitsTask, await finalizedTask);
            var sum = 0;
            await Parallel.ForEachAsync(list, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (period, token) =>
            {
                var id = period.Id.ToString();
                var headsTask = submissions.HeadsAsync(id, token);
                var decidedTask = decisions.ForPeriodAsync(id, token);
                var report = StatusReport.Build(period, finalized.TryGetValue(id, out var at) ? at : null, all, await headsTask, await decidedTask);
                Interlocked.Add(ref sum, report.Counts.Submitted);
            });
            return sum;
        }

        async Task<int> UnitUncached()
        {
            var list = periods.Current();
            var unitTask = registry.FindAsync(unit);
            var finalizedTask = periods.FinalizedAsync();
            var (found, finalized) = (await unitTask, await finalizedTask);
            var sum = 0;
            await Parallel.ForEachAsync(list, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (period, token) =>
            {
                var id = period.Id.ToString();
                var headTask = submissions.HeadAsync(id, unit, token);
                var decisionTask = decisions.GetAsync(id, unit, token);
                var row = StatusReport.OfUnit(period, finalized.TryGetValue(id, out var at) ? at : null, found, await headTask, (await decisionTask)?.Decisions).Rows.FirstOrDefault();
                Interlocked.Add(ref sum, PeriodCounts.CountsOf(row).Submitted);
            });
            return sum;
        }

        // Both sides must answer the same figures, or the comparison means nothing.
        var adminCached = (await counts.ForAdminAsync()).Sum(f => f.Counts.Submitted);
        var unitCached = (await counts.ForUnitAsync(unit)).Sum(f => f.Counts.Submitted);
        if (adminCached != await AdminUncached() || unitCached != await UnitUncached())
        {
            throw new InvalidOperationException("the cached and uncached counts differ");
        }

        async Task<(Sample Cached, Sample Uncached, double CachedCalls, double UncachedCalls)> PairAsync(Func<Task> cached, Func<Task> uncached)
        {
            var calls = new[] { 0, 0 };
            var runs = new[] { 0, 0 };
            async Task Counted(int side, Func<Task> run, int i)
            {
                var before = faults.Requests.Count;
                await run();
                if (i >= 0)
                {
                    calls[side] += faults.Requests.Count - before;
                    runs[side]++;
                }
            }

            var (a, b) = await Measure.PairAsync(i => Counted(0, cached, i), i => Counted(1, uncached, i), runs: units >= 5000 ? 9 : 15, warmups: 2);
            return (a, b, (double)calls[0] / runs[0], (double)calls[1] / runs[1]);
        }

        var admin = await PairAsync(() => counts.ForAdminAsync(), AdminUncached);
        var mine = await PairAsync(() => counts.ForUnitAsync(unit), UnitUncached);

        Row Of(string caller, (Sample Cached, Sample Uncached, double CachedCalls, double UncachedCalls) m) => new(
            $"GET /api/periods counts, {units:N0} units, {caller}",
            $"{m.Cached} · {m.CachedCalls:F0} calls",
            $"{m.Uncached} · {m.UncachedCalls:F0} calls",
            $"{m.Cached.Median / m.Uncached.Median:F2}×",
            "—",
            null,
            $"{shape}; DanVan = cached (period changes index), baseline = the same answer with no cache");
        return [Of("admin", admin), Of("unit caller", mine)];
    }
}
