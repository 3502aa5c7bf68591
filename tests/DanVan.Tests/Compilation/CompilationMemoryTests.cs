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
    public async Task Docx_pdf_and_xlsx_bombs_compile_within_256_MB_above_idle_and_the_draft_says_each_was_not_read()
    {
        await using var app = await TestApp.StartAsync(AfterDeadline);
        var seeder = new SubmissionSeeder(app);
        var bomb = TestFiles.BombDocx(50 * MiB);
        var contentBomb = HostileFiles.PdfContentBomb(40 * MiB);
        var objectStreamBomb = HostileFiles.PdfObjectStreamBomb(40 * MiB);
        var objectCountBomb = HostileFiles.PdfObjectStreamBomb(1024, declaredObjects: 50_000_000);
        var xlsxBomb = HostileFiles.XlsxBomb(50 * MiB);
        var longPage = HostileFiles.PdfOfOneLongString((int)ReportLimits.Default.MaxPageContentBytes - 64);
        output.WriteLine($"docx bomb: {bomb.Length / 1024} KiB on disk, word/document.xml inflating to 50 MiB or more");
        output.WriteLine($"pdf content bomb: {contentBomb.Length / 1024} KiB on disk, one page's content inflating to 40 MiB of text operators");
        output.WriteLine($"pdf object stream bombs: {objectStreamBomb.Length / 1024} KiB inflating to 40 MiB; {objectCountBomb.Length / 1024} KiB declaring 50,000,000 objects");
        output.WriteLine($"xlsx bomb: {xlsxBomb.Length / 1024} KiB on disk, its sheet inflating to 50 MiB; pdf page of one string at the page budget: {longPage.Length / 1024} KiB");
        var files = new List<(string Name, byte[] Content, bool Unread)>();
        files.AddRange(Enumerable.Range(1, 10).Select(i => ($"bom-{i:D2}.docx", bomb, true)));
        files.AddRange(Enumerable.Range(1, 4).Select(i => ($"bom-noi-dung-{i}.pdf", contentBomb, true)));
        files.AddRange(Enumerable.Range(1, 3).Select(i => ($"bom-luong-doi-tuong-{i}.pdf", objectStreamBomb, true)));
        files.Add(("bom-so-doi-tuong.pdf", objectCountBomb, true));
        files.AddRange(Enumerable.Range(1, 2).Select(i => ($"bom-{i}.xlsx", xlsxBomb, false)));
        files.Add(("trang-dai.pdf", longPage, false));
        for (var i = 1; i <= files.Count; i++)
        {
            var code = $"don-vi-{i:D2}";
            await SubmissionSeeder.AddUnitAsync(app, code, $"Đơn vị thử {i:D2}");
            await seeder.SeedAsync(PeriodId, code, files[i - 1].Name, files[i - 1].Content, new DateTimeOffset(2026, 5, 14, 8, 0, 0, TimeSpan.FromHours(7)));
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
        output.WriteLine($"compile of {files.Count} files: {elapsed.ElapsedMilliseconds} ms, {samples} samples");
        output.WriteLine($"working set: idle {idleWorkingSet / MiB} MiB, peak {peakWorkingSet / MiB} MiB, rise {workingSetRise / MiB} MiB");
        output.WriteLine($"GC heap:     idle {idleHeap / MiB} MiB, peak {peakHeap / MiB} MiB, rise {heapRise / MiB} MiB");

        Assert.True(result.Created);
        Assert.Equal(files.Count, result.Compilation.SourceVersions.Count);
        Assert.True(workingSetRise < MaxRise, $"The working set rose by {workingSetRise / MiB} MiB (bound {MaxRise / MiB} MiB).");
        Assert.True(heapRise < MaxRise, $"The GC heap rose by {heapRise / MiB} MiB (bound {MaxRise / MiB} MiB).");

        var bundle = await Bundle.OfAsync(app, result.Compilation);
        var reports = bundle.Entries.Where(e => e.Name.StartsWith(BundleWriter.ReportsFolder, StringComparison.Ordinal)).ToList();
        Assert.Equal(files.Select(f => Bundle.Sha256(f.Content)), reports.Select(e => Bundle.Sha256(e.Content)));
        var paragraphs = TestFiles.DocxParagraphs(bundle[BundleWriter.DraftEntry]);
        for (var i = 1; i <= files.Count; i++)
        {
            var (name, _, unread) = files[i - 1];
            var prefix = $"- Đơn vị thử {i:D2}: tệp \"{name}\" ";
            var note = paragraphs.FirstOrDefault(p => p.StartsWith(prefix, StringComparison.Ordinal) && p.Contains("nội dung", StringComparison.Ordinal));
            output.WriteLine($"{name}: {note}");
            if (unread)
            {
                Assert.NotNull(note);
                Assert.StartsWith(prefix + "quá lớn (", note);
                Assert.Contains("không đọc được nội dung; xem tệp gốc trong thư mục BaoCao", note);
            }
        }

        Assert.Contains(paragraphs, p => p.Contains("tệp \"bom-1.xlsx\" không phải DOCX", StringComparison.Ordinal));
        Assert.DoesNotContain(paragraphs, p => p.Contains("Nội dung lặp lại", StringComparison.Ordinal));
    }
}
