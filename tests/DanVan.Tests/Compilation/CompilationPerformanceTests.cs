using System.Diagnostics;
using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Tests.Support;
using Xunit.Abstractions;

namespace DanVan.Tests.Compilation;

public sealed class CompilationPerformanceTests(ITestOutputHelper output)
{
    private const int Units = 30;
    private const int FileBytes = 5 * 1024 * 1024;

    [Fact]
    public async Task Thirty_units_of_five_megabytes_compile_with_memory_that_does_not_follow_the_total_size()
    {
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 16, 0, 15, 0, TimeSpan.FromHours(7)));
        var seeder = new SubmissionSeeder(app.Store);
        var random = new Random(33);
        var content = new byte[FileBytes];
        for (var i = 1; i <= Units; i++)
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
        var gcInfo = GC.GetGCMemoryInfo(GCKind.Any);

        Assert.Equal(Units, result.Compilation.SourceVersions.Count);
        Assert.True(result.Compilation.SizeBytes > (long)Units * FileBytes);
        const double Mb = 1024 * 1024;
        output.WriteLine($"Compiled {Units} units x {FileBytes / Mb:F0} MB = {result.Compilation.SizeBytes / Mb:F1} MB bundle in {clock.Elapsed.TotalSeconds:F2} s ({result.Compilation.SizeBytes / Mb / clock.Elapsed.TotalSeconds:F1} MB/s)");
        output.WriteLine($"Managed heap (GC.GetTotalMemory, sampled every 20 ms): baseline {baselineManaged / Mb:F1} MB, peak {peakManaged / Mb:F1} MB (+{(peakManaged - baselineManaged) / Mb:F1} MB)");
        output.WriteLine($"Working set (Process.WorkingSet64, same sampling; test host incl. Azure SDK): baseline {baselineWorkingSet / Mb:F1} MB, peak {peakWorkingSet / Mb:F1} MB (+{(peakWorkingSet - baselineWorkingSet) / Mb:F1} MB)");
        output.WriteLine($"GC.GetGCMemoryInfo: heap {gcInfo.HeapSizeBytes / Mb:F1} MB, committed {gcInfo.TotalCommittedBytes / Mb:F1} MB, pause {gcInfo.PauseTimePercentage:F1}%");
    }
}
