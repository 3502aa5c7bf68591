using System.Security.Cryptography;
using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Submissions;
using DanVan.Tests.Support;

namespace DanVan.Benchmarks;

/// <summary>
/// Many units × 1 MB of incompressible PDF-like bytes: DanVan's compiler end to end against a copy baseline,
/// the SDK downloading every source blob and writing the same bytes into one blob upload (what the bundle must
/// at least cost). Peak memory is sampled during DanVan's runs, at each size, to show it flat. Sizes come from
/// <c>DANVAN_BENCH_COMPILE_UNITS</c> (default <c>500,2000</c>); every run's output is deleted after it. Each size
/// has an Azurite of its own keeping its data on disk: an in-memory Azurite frees deleted blobs only every 10
/// minutes, and at 2,000 units the runs write 2 GB each, which would pile up in memory (its limit is half the
/// machine's) on a machine others share.
/// </summary>
public static class CompileScaleScenario
{
    private const int FileBytes = 1024 * 1024;

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        var sizes = (Environment.GetEnvironmentVariable("DANVAN_BENCH_COMPILE_UNITS") ?? "500,2000")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToList();
        var rows = new List<Row>();
        var memory = new List<string>();
        foreach (var units in sizes)
        {
            var (row, peak) = await RunAsync(units);
            rows.Add(row);
            memory.Add($"{units:N0} units: {peak}");
        }

        rows.Add(new Row("compile × 1 MB peak memory", string.Join("; ", memory), "—", "—", "flat in the number of units", null, "sampled every 5 ms during each DanVan run"));
        return rows;
    }

    private static async Task<(Row Row, string Peak)> RunAsync(int units)
    {
        var vn = TimeSpan.FromHours(7);
        using var azurite = new OwnAzurite();
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 20, 0, 15, 0, vn), storage: azurite.ConnectionString);
        var seeding = System.Diagnostics.Stopwatch.StartNew();
        await app.Get<UnitRegistry>().ImportAsync(Enumerable.Range(1, units)
            .Select(i => (UnitRecord?)new UnitRecord($"don-vi-{i:D4}", $"Đơn vị số {i:D4}", "Sở, ban, ngành", [], null, "2020-01-01", null))
            .ToList());
        var seeder = new SubmissionSeeder(app);
        var file = RandomNumberGenerator.GetBytes(FileBytes);
        "%PDF-1.7\n"u8.CopyTo(file);
        await Parallel.ForEachAsync(Enumerable.Range(1, units), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var own = (byte[])file.Clone();
            BitConverter.TryWriteBytes(own.AsSpan(16), i);
            await seeder.SeedAsync("2026-H1", $"don-vi-{i:D4}", $"Báo cáo {i}.pdf", own, new DateTimeOffset(2026, 5, 10, 8, 0, 0, vn), "application/pdf");
        });

        var seeded = seeding.Elapsed;
        var period = app.Get<PeriodCatalog>().Get("2026-H1");
        var compiler = app.Get<Compiler>();
        var store = app.Get<CompilationStore>();
        var sources = new List<string>();
        await foreach (var blob in app.Store.Reports.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "2026-H1/", default))
        {
            sources.Add(blob.Name);
        }

        double peakManaged = 0, peakWorkingSet = 0;
        var (danVan, copy) = await Measure.PairAsync(
            async _ =>
            {
                using (var probe = MemoryProbe.Start())
                {
                    await compiler.CompileAsync(period, "benchmark");
                    peakManaged = Math.Max(peakManaged, probe.PeakManagedMb);
                    peakWorkingSet = Math.Max(peakWorkingSet, probe.PeakWorkingSetMb);
                }

                await app.Store.CompilationBlobs.GetBlobClient((await store.LatestAsync("2026-H1"))!.BlobName).DeleteAsync();
            },
            async _ =>
            {
                var target = app.Store.CompilationBlobs.GetBlobClient($"baseline/{Guid.NewGuid():N}");
                await using (var output = await target.OpenWriteAsync(overwrite: true, new Azure.Storage.Blobs.Models.BlobOpenWriteOptions { BufferSize = 4 * 1024 * 1024 }))
                {
                    foreach (var name in sources)
                    {
                        var download = await app.Store.Reports.GetBlobClient(name).DownloadStreamingAsync();
                        await using var content = download.Value.Content;
                        await content.CopyToAsync(output);
                    }
                }

                await target.DeleteAsync();
            },
            runs: 3,
            warmups: 1);

        var ratio = danVan.Median / copy.Median;
        var total = units * (double)FileBytes / 1048576.0;
        var row = new Row($"compile {units:N0} units × 1 MB (incompressible)", danVan.ToString(), copy.ToString(), $"{ratio:F2}×", "≤ 1.25×", ratio <= 1.25,
            $"{total:F0} MB in; {total / (danVan.Median / 1000):F0} MB/s (baseline {total / (copy.Median / 1000):F0} MB/s); baseline = SDK download of every source + one upload of the same bytes; seeding took {seeded.TotalSeconds:F0} s");
        return (row, $"+{peakManaged:F1} MB managed, +{peakWorkingSet:F1} MB working set");
    }
}
