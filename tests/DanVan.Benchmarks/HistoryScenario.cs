using DanVan.Auth;
using DanVan.Compilation;
using DanVan.Functions;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Submissions;
using DanVan.Tests.Support;
using DanVan.Uploads;
using DanVan.Changes;

namespace DanVan.Benchmarks;

/// <summary>
/// Years of history that did not change: the nightly compilation timer (orphan sweep, then every due period
/// compiled if its inputs changed) and <c>GET /api/periods</c> (admin, and a unit caller), with 10 years of
/// history (21 periods × 500 units, each period compiled, nothing changed since) against the same work with
/// one period of history, on the same Azurite, alternating.
/// </summary>
public static class HistoryScenario
{
    /// <summary>Units per period: 500 (the issue's scenario), or <c>DANVAN_BENCH_HISTORY_UNITS</c> on a machine too busy for it.</summary>
    private static readonly int Units = int.Parse(Environment.GetEnvironmentVariable("DANVAN_BENCH_HISTORY_UNITS") ?? "500", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 15, 0, TimeSpan.FromHours(7));

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        await using var history = await SeedAsync(firstYear: 2016);
        await using var recent = await SeedAsync(firstYear: 2026);
        var periodsHistory = history.App.Get<PeriodCatalog>().Current().Count;
        var periodsRecent = recent.App.Get<PeriodCatalog>().Current().Count;

        var (timer, timerBase) = await Measure.PairAsync(_ => TimerAsync(history.App), _ => TimerAsync(recent.App), runs: 9, warmups: 2);
        var (admin, adminBase) = await Measure.PairAsync(_ => PeriodsAsync(history.App, TestApp.AdminToken), _ => PeriodsAsync(recent.App, TestApp.AdminToken), runs: 15, warmups: 3);
        var (unit, unitBase) = await Measure.PairAsync(_ => PeriodsAsync(history.App, history.UnitToken), _ => PeriodsAsync(recent.App, recent.UnitToken), runs: 15, warmups: 3);

        Row Of(string scenario, Sample a, Sample b, string note)
        {
            var ratio = a.Median / b.Median;
            return new Row(scenario, a.ToString(), b.ToString(), $"{ratio:F2}×", "≤ 1.2×", ratio <= 1.2, note);
        }

        var shape = $"{periodsHistory} periods × {Units} units vs {periodsRecent} period(s); each period compiled, nothing changed";
        return
        [
            Of("nightly timer, 10 years of history", timer, timerBase, $"{shape}; sweep (periods in play, older ones only where a blob write was noted lately) + compile check from the period changes index (one query), no bundle made"),
            Of("GET /api/periods, 10 years, admin", admin, adminBase, $"{shape}; counts cached at each period's marker, every period's stamp from the period changes index (one query)"),
            Of("GET /api/periods, 10 years, unit caller", unit, unitBase, $"{shape}; the unit's own rows cached at each period's stamp (one query), the index (one query)"),
        ];
    }

    private static async Task TimerAsync(TestApp app)
    {
        await app.Get<OrphanSweeper>().SweepAsync();
        var made = await app.Get<Compiler>().CompileDueAsync();
        if (made.Count > 0)
        {
            throw new InvalidOperationException("nothing changed, yet the timer compiled");
        }
    }

    private static async Task PeriodsAsync(TestApp app, string token)
    {
        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods", token), r => app.Get<PeriodsFunctions>().ListPeriods(r, default));
        if (response.Status != 200)
        {
            throw new InvalidOperationException($"GET /api/periods answered {response.Status}: {response.Text}");
        }
    }

    private sealed class Seeded(TestApp app, string unitToken) : IAsyncDisposable
    {
        public TestApp App { get; } = app;

        public string UnitToken { get; } = unitToken;

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    /// <summary>
    /// Every unit's one small file in every due period, then the timer once: each period compiled. The history is old:
    /// nobody wrote a blob for it lately (the seeder is not the upload route and notes nothing; the compilations' notes go).
    /// </summary>
    private static async Task<Seeded> SeedAsync(int firstYear)
    {
        var app = await TestApp.StartAsync(Now, new Dictionary<string, string?> { ["DanVan:Plan:FirstYear"] = firstYear.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await app.Get<UnitRegistry>().ImportAsync(Enumerable.Range(1, Units)
            .Select(i => (UnitRecord?)new UnitRecord($"don-vi-{i:D3}", $"Đơn vị số {i:D3}", "Sở, ban, ngành", [$"don-vi-{i:D3}@example.org"], null, "2015-01-01", null))
            .ToList());
        var seeder = new SubmissionSeeder(app);
        var file = "%PDF-1.7\n% một tệp nhỏ\n"u8.ToArray();
        var due = app.Get<PeriodCatalog>().Current().Where(p => p.Deadline <= Now).ToList();
        // One writer per period: every version commit replaces the period's row under its ETag, so writers
        // sharing a period would mostly retry each other's conflicts.
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (period, _) =>
        {
            for (var i = 1; i <= Units; i++)
            {
                await seeder.SeedAsync(period.Id.ToString(), $"don-vi-{i:D3}", "Báo cáo.pdf", file, period.Deadline.AddDays(-3));
            }
        });
        var compiled = await app.Get<Compiler>().CompileDueAsync();

        // Written minutes ago here, the history's blobs were written years ago there: their blob-write notes (the
        // compilations just made noted their periods) are outside the orphan sweep's window, as if they were that old.
        await foreach (var note in app.Store.Table<BlobWriteNotes>().QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            await app.Store.Table<BlobWriteNotes>().DeleteEntityAsync(note.PartitionKey, note.RowKey);
        }

        Console.WriteLine($"  seeded {due.Count} periods × {Units} units (first year {firstYear}); {compiled.Count} compiled");
        var token = (await app.Get<CredentialStore>().IssueAsync("don-vi-001")).Token;
        return new Seeded(app, token);
    }
}
