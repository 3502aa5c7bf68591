using Azure.Data.Tables;
using DanVan.Changes;
using DanVan.Functions;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Submissions;
using DanVan.Tests.Support;

namespace DanVan.Benchmarks;

/// <summary>
/// GET /status for 5,000 units (the function: auth, queries, shaping, JSON) against the raw table
/// queries that answer it (the registry partition, the period's head rows, the period's state row).
/// </summary>
public static class StatusScenario
{
    /// <summary>5,000 (the issue's scenario), or <c>DANVAN_BENCH_STATUS_UNITS</c>; four in five have submitted.</summary>
    private static readonly int Units = int.Parse(Environment.GetEnvironmentVariable("DANVAN_BENCH_STATUS_UNITS") ?? "5000", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<Row> RunAsync()
    {
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 20, 9, 0, 0, TimeSpan.FromHours(7)));
        var units = Enumerable.Range(1, Units).Select(i => Samples($"don-vi-{i:D4}", $"Đơn vị số {i:D4}")).ToList();
        await app.Get<UnitRegistry>().ImportAsync(units);
        // 4,000 units submitted (1 version each, every fifth a second one; few writers, as they share the period's row), through the store that owns the table (no blobs: status reads rows only).
        var submissions = app.Get<SubmissionStore>();
        await Parallel.ForEachAsync(Enumerable.Range(1, Units * 4 / 5), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            for (var v = 1; v <= 1 + (i % 5 == 0 ? 1 : 0); v++)
            {
                await submissions.AppendVersionAsync(new SubmissionVersion
                {
                    PeriodId = "2026-H1", UnitCode = $"don-vi-{i:D4}", ReceiptId = $"r{i}-{v}", BlobName = $"2026-H1/don-vi-{i:D4}/r{i}-{v}",
                    FileName = "Báo cáo.pdf", ContentType = "application/pdf", SizeBytes = 1, Sha256 = new string('a', 64), UploadedBy = "benchmark",
                    ReceivedAt = new DateTimeOffset(2026, 5, 10 + (i % 8), 8, 0, 0, TimeSpan.FromHours(7)),
                }, keyHash: null, await submissions.AppendBasisAsync("2026-H1", $"don-vi-{i:D4}", ct), ct: ct);
            }
        });

        var periods = app.Get<PeriodsFunctions>();
        var rowsSeen = 0;
        var (danVan, baseline) = await Measure.PairAsync(
            async _ =>
            {
                var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/status", TestApp.AdminToken), r => periods.PeriodStatus(r, "2026-H1", default));
                rowsSeen = response.Json.GetProperty("rows").GetArrayLength();
            },
            async _ =>
            {
                var unitRows = Drain(app.Store.Table<UnitRegistry>().QueryAsync<TableEntity>(e => e.PartitionKey == UnitEntity.Partition));
                var heads = Drain(app.Store.Table<SubmissionStore>().QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"2026-H1"} and RowKey ge {SubmissionKeys.HeadsFrom} and RowKey lt {SubmissionKeys.HeadsTo}")));
                var state = app.Store.Table<PeriodGate>().GetEntityIfExistsAsync<TableEntity>(PeriodStateEntity.Partition, "2026-H1");
                await Task.WhenAll(unitRows, heads, state);
            },
            runs: 9,
            warmups: 2);

        var ratio = danVan.Median / baseline.Median;
        return new Row($"status of {Units:N0} units", danVan.ToString(), baseline.ToString(), $"{ratio:F2}×", "≤ 1.5×", ratio <= 1.5, $"{rowsSeen} rows, {Units * 4 / 5:N0} submitted; baseline = the raw range queries of the same rows");
    }

    private static UnitRecord Samples(string code, string name) =>
        new(code, name, "Sở, ban, ngành", [$"{code}@example.org"], null, "2023-05-25", null);

    private static async Task<int> Drain<T>(Azure.AsyncPageable<T> pages) where T : notnull
    {
        var n = 0;
        await foreach (var _ in pages)
        {
            n++;
        }

        return n;
    }
}
