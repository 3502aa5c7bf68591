using System.Diagnostics;
using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Tests.Support;

namespace DanVan.Tests.Compilation;

/// <summary>Tests that measure the process's memory: alone, never beside other tests (their allocations would count).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurement
{
    public const string Name = "Memory measurement";
}

[Collection(MemoryMeasurement.Name)]
public sealed class CompilationMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string PeriodId = "2026-H1";
    private const long MiB = 1024 * 1024;

    /// <summary>The bound: compiling ten bombs may raise the process's memory by less than this over idle.</summary>
    private const long MaxRise = 256 * MiB;

    private static readonly DateTimeOffset AfterDeadline = new(2026, 5, 16, 0, 15, 0, TimeSpan.FromHours(7));

    [Fact]
    public async Task Ten_docx_bombs_compile_within_256_MB_above_idle_and_the_draft_says_each_was_not_read()
    {
        await using var app = await TestApp.StartAsync(AfterDeadline);
        var seeder = new SubmissionSeeder(app);
        var bomb = TestFiles.BombDocx(50 * MiB);
        output.WriteLine($"bomb: {bomb.Length / 1024} KiB on disk, word/document.xml inflating to {50} MiB or more");
        for (var i = 1; i <= 10; i++)
        {
            var code = $"don-vi-{i:D2}";
            await SubmissionSeeder.AddUnitAsync(app, code, $"Đơn vị thử {i:D2}");
            await seeder.SeedAsync(PeriodId, code, $"bom-{i:D2}.docx", bomb, new DateTimeOffset(2026, 5, 14, 8, 0, 0, TimeSpan.FromHours(7)));
        }

        var period = app.Get<PeriodCatalog>().Get(PeriodId);
        using var process = Process.GetCurrentProcess();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        process.Refresh();
        var idleWorkingSet = process.WorkingSet64;
        var idleHeap = GC.GetTotalMemory(forceFullCollection: false);

        // Sampled every ~5 ms on a thread of its own (not the thread pool the compile runs on).
        long peakWorkingSet = idleWorkingSet, peakHeap = idleHeap;
        var samples = 0;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
                samples++;
                Thread.Sleep(5);
            }
        }) { IsBackground = true, Name = "memory sampler" };
        sampler.Start();

        var elapsed = Stopwatch.StartNew();
        CompileResult result;
        try
        {
            result = await app.Get<Compiler>().CompileAsync(period, "admin");
        }
        finally
        {
            stop.Cancel();
            sampler.Join();
        }

        var workingSetRise = peakWorkingSet - idleWorkingSet;
        var heapRise = peakHeap - idleHeap;
        output.WriteLine($"compile of 10 bombs: {elapsed.ElapsedMilliseconds} ms, {samples} samples");
        output.WriteLine($"working set: idle {idleWorkingSet / MiB} MiB, peak {peakWorkingSet / MiB} MiB, rise {workingSetRise / MiB} MiB");
        output.WriteLine($"GC heap:     idle {idleHeap / MiB} MiB, peak {peakHeap / MiB} MiB, rise {heapRise / MiB} MiB");

        Assert.True(result.Created);
        Assert.Equal(10, result.Compilation.SourceVersions.Count);
        Assert.True(workingSetRise < MaxRise, $"The working set rose by {workingSetRise / MiB} MiB (bound {MaxRise / MiB} MiB).");
        Assert.True(heapRise < MaxRise, $"The GC heap rose by {heapRise / MiB} MiB (bound {MaxRise / MiB} MiB).");

        var bundle = await Bundle.OfAsync(app, result.Compilation);
        Assert.All(bundle.Entries.Where(e => e.Name.StartsWith(BundleWriter.ReportsFolder, StringComparison.Ordinal)), e => Assert.Equal(bomb, e.Content));
        var paragraphs = TestFiles.DocxParagraphs(bundle[BundleWriter.DraftEntry]);
        for (var i = 1; i <= 10; i++)
        {
            Assert.Contains(paragraphs, p => p.StartsWith($"- Đơn vị thử {i:D2}: tệp \"bom-{i:D2}.docx\" quá lớn (", StringComparison.Ordinal)
                && p.Contains("không đọc được nội dung; xem tệp gốc trong thư mục BaoCao", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(paragraphs, p => p.Contains("Nội dung lặp lại", StringComparison.Ordinal));
    }
}
