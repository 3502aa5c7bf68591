using System.Diagnostics;
using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Tests.Support;
using Xunit.Abstractions;

namespace DanVan.Tests.Compilation;

public sealed class CompilationPerformanceTests(ITestOutputHelper output)
{
    private const int FileBytes = 5 * 1024 * 1024;
    private const double Mb = 1024 * 1024;

    /// <summary>
    /// Compiles 6 and then 30 units of 5 MB each (incompressible, PDF-named) and prints the duration and
    /// the peaks sampled every 20 ms during the compile: if memory followed the total size, the second
    /// peak would be five times the first.
    /// </summary>
    [Fact]
    public async Task Thirty_units_of_five_megabytes_compile_with_memory_that_does_not_follow_the_total_size()
    {
        foreach (var units in new[] { 6, 30 })
        {
            var (elapsed, bundleBytes, managed, workingSet) = await MeasureAsync(units);
            output.WriteLine($"{units} units x 5 MB: {bundleBytes / Mb:F1} MB bundle in {elapsed.TotalSeconds:F2} s ({bundleBytes / Mb / elapsed.TotalSeconds:F1} MB/s)");
            output.WriteLine($"  managed heap (GC.GetTotalMemory): baseline {managed.Baseline / Mb:F1} MB, peak {managed.Peak / Mb:F1} MB (+{(managed.Peak - managed.Baseline) / Mb:F1} MB)");
            output.WriteLine($"  working set (Process.WorkingSet64, whole test host): baseline {workingSet.Baseline / Mb:F1} MB, peak {workingSet.Peak / Mb:F1} MB (+{(workingSet.Peak - workingSet.Baseline) / Mb:F1} MB)");
        }
    }

    private static async Task<(TimeSpan Elapsed, long BundleBytes, (long Baseline, long Peak) Managed, (long Baseline, long Peak) WorkingSet)> MeasureAsync(int units)
    {
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 16, 0, 15, 0, TimeSpan.FromHours(7)));
        var seeder = new SubmissionSeeder(app.Store);
        var random = new Random(33);
        var content = new byte[FileBytes];
        for (var i = 1; i <= units; i++)
        {
            var code = $"don-vi-{i:D2}";
            await SubmissionSeeder.AddUnitAsync(app, code, $"Đơn vị thử nghiệm số {i:D2}");
            random.NextBytes(content);
            "%PDF-1.7\n"u8.CopyTo(content);
            await seeder.SeedAsync("2026-H1", code, $"Báo cáo {i:D2}.pdf", content, new DateTimeOffset(2026, 5, 14, 8, 0, 0, TimeSpan.FromHours(7)).AddMinutes(i));
        }

        content = [];
        var period = app.Get<PeriodCatalog>().Get("2026-H1");
        var compiler = app.Get<Compiler>();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baselineManaged = GC.GetTotalMemory(false);
        var baselineWorkingSet = process.WorkingSet64;
        long peakManaged = baselineManaged, peakWorkingSet = baselineWorkingSet;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                try
                {
                    await Task.Delay(20, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var clock = Stopwatch.StartNew();
        var result = await compiler.CompileAsync(period, "admin");
        clock.Stop();
        await stop.CancelAsync();
        await sampler;

        Assert.Equal(units, result.Compilation.SourceVersions.Count);
        Assert.True(result.Compilation.SizeBytes > (long)units * FileBytes);
        return (clock.Elapsed, result.Compilation.SizeBytes, (baselineManaged, peakManaged), (baselineWorkingSet, peakWorkingSet));
    }
}
