using System.Text;
using DanVan.Compilation;
using DanVan.Domain;
using DanVan.Figures;
using DanVan.Reading;
using DanVan.Registry;
using DanVan.Signatures;
using DanVan.Tests.Compilation;
using DanVan.Tests.Support;
using DanVan.Uploads;

namespace DanVan.Tests.Reading;

/// <summary>Tests that measure time: alone, after every other test, never beside another (its threads would count).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LinearityMeasurement
{
    public const string Name = "Linearity measurement";
}

/// <summary>
/// Every reader of a unit's file is linear in what it reads: the same hostile shape at four sizes, each double the
/// last, may take at most 2.5 times as long per doubling (quadratic work takes 4 times), as the line fitted through all
/// four times says (log time against log size), and allocates less than the memory budget at the largest size. Each time is the process's CPU time (waiting for a core is not work), the best
/// of five rounds that take every size in turn (of a few reads each when one read is short), so a busy stretch of a
/// shared machine does not count; a ratio over the bound is measured again before it fails.
/// </summary>
[Collection(LinearityMeasurement.Name)]
public sealed class LinearityTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// What doubling the input may cost over the whole range (linear work: x2; quadratic: x4): the slope of the line fitted
    /// through all four times, so that no one time, the first and shortest least of all, decides alone.
    /// </summary>
    private const double MaxGrowth = 2.5;

    /// <summary>
    /// What one doubling may cost: more than the fitted growth, as one step can cross a size of the core's caches (beside
    /// the other test projects, whose processes share them, the PDF page's first step measured x2.74 and x3.16 in clean
    /// runs, its next two x2.21 and x1.81) while a quadratic reader still grows x4 at every step.
    /// </summary>
    private const double MaxStep = 3.5;
    private const long MiB = 1024 * 1024;
    private const long MemoryBudget = 256 * MiB;

    [Fact]
    public void Reading_a_docx_paragraph_of_many_runs_is_linear()
    {
        // From 100,000 runs (2.7 MiB allocated per read) up, two reads per size: below that a read fits the core's caches and
        // the first doubling measured the caches (x2.3-x2.5), not the reader.
        AssertLinear("DOCX, runs in one paragraph", [100_000, 200_000, 400_000, 800_000],
            runs => TestFiles.RawDocx(w =>
            {
                w.Write("<w:p>");
                for (var i = 0; i < runs; i++)
                {
                    w.Write("<w:r><w:t>a</w:t></w:r>");
                }

                w.Write("</w:p>");
            }),
            docx => Assert.Null(ReportText.Read(new MemoryStream(docx), "bao-cao.docx").Problem),
            repeat: 2);
    }

    [Fact]
    public void Reading_a_pdf_page_of_many_text_operators_is_linear()
    {
        AssertLinear("PDF, text operators on one page", [750, 1_500, 3_000, 6_000],
            HostileFiles.PdfWithTextOperators,
            pdf => Assert.Null(PdfReportText.Read(new MemoryStream(pdf), "bao-cao.pdf").Problem),
            repeat: 8); // one read of the smallest is a few ms: a single one, timed by the CPU clock's ticks, swung x1.6-x3.2
    }

    [Fact]
    public void Opening_a_pdf_without_cross_references_is_linear()
    {
        // PdfPig's open itself does the work here: no table, so it searches the whole file for each object.
        AssertLinear("PDF open, objects without a cross-reference table", [10_000, 20_000, 40_000, 80_000],
            HostileFiles.PdfWithoutCrossReferences,
            pdf => Assert.Null(PdfReportText.Read(new MemoryStream(pdf), "bao-cao.pdf").Problem),
            repeat: 3);
    }

    [Fact]
    public void Reading_a_figures_workbook_cell_of_many_text_runs_is_linear()
    {
        AssertLinear("figures XLSX, runs in one cell", [4_000, 8_000, 16_000, 32_000],
            runs => HostileFiles.XlsxWithRuns(FigureTemplate.IdentitySheetName, runs),
            xlsx => Assert.Equal("not_a_template", Assert.Throws<DomainException>(() => FigureWorkbookReader.Read(xlsx)).Code),
            repeat: 10);
    }

    [Fact]
    public void Reading_a_units_workbook_cell_of_many_text_runs_is_linear()
    {
        AssertLinear("units XLSX, runs in one cell", [4_000, 8_000, 16_000, 32_000],
            runs => HostileFiles.XlsxWithRuns(UnitSheet.SheetName, runs),
            xlsx => Assert.Equal("missing_columns", Assert.Throws<DomainException>(() => UnitFileReader.Read(xlsx, null)).Code),
            repeat: 10);
    }

    [Fact]
    public void Reading_a_units_csv_field_of_many_escaped_quotes_is_linear()
    {
        AssertLinear("units CSV, one quoted field", [125_000, 250_000, 500_000, 1_000_000],
            quotes => Encoding.UTF8.GetBytes("\"" + new StringBuilder(2 * quotes).Insert(0, "\"\"", quotes) + "\"\n"),
            // The field stops the read where it crosses a cell's 32,767 characters; what is left grows with the file is its
            // decoding and the header scan for the delimiter.
            csv => Assert.Equal("invalid_csv", Assert.Throws<DomainException>(() => UnitFileReader.Read(csv, "text/csv")).Code),
            repeat: 50); // 50 reads of 3.9 MiB stay inside the 256 MiB no-GC region
    }

    [Fact]
    public void Reading_a_zip_directory_of_many_entries_is_linear()
    {
        AssertLinear("ZIP directory, entries", [1_250, 2_500, 5_000, 10_000],
            HostileFiles.ZipWithEntries,
            // The ranges are slices of the file in memory: what is timed is the directory's reading, not the copies a
            // caller's ranged reads make (a blob's come from the network). Up to 10,000 entries nothing it allocates is
            // large, so the collector reuses warm memory; a no-GC region would hand out cold memory, read after read.
            zip => Assert.NotNull(ZipDirectory.ReadAsync(zip.Length, (offset, count, _) => Task.FromResult((ReadOnlyMemory<byte>)zip.AsMemory((int)offset, (int)Math.Min(count, zip.Length - offset)))).GetAwaiter().GetResult()),
            repeat: 200, rounds: 10, noGc: false); // a read of the smallest is 0.04 ms: 200 make a sample of 8 ms
    }

    [Fact]
    public void Scanning_a_pdf_of_many_end_of_file_markers_for_signatures_is_linear()
    {
        AssertLinear("PDF signature scan, %%EOF markers after 8 signatures", [250_000, 500_000, 1_000_000, 2_000_000],
            HostileFiles.PdfWithManyEofs,
            pdf =>
            {
                using var scan = new PdfSignatureScan(8, 256 * 1024);
                for (var at = 0; at < pdf.Length; at += 64 * 1024)
                {
                    scan.Append(pdf.AsSpan(at, Math.Min(64 * 1024, pdf.Length - at)));
                }

                scan.Complete();
                Assert.Equal(8, scan.Contents.Count);
            });
    }

    [Fact]
    public void The_fitted_growth_passes_linear_times_with_one_slow_step_and_fails_quadratic_times_with_one_fast_step()
    {
        Assert.Equal(2.0, FittedGrowth([1, 2, 4, 8]), 6);
        Assert.Equal(4.0, FittedGrowth([1, 4, 16, 64]), 6);
        // The clean run where the PDF page's first step took x3.16: linear all the same.
        Assert.InRange(FittedGrowth([2.45, 7.74, 17.11, 30.92]), 2.0, MaxGrowth);
        // Quadratic work whose first step happened to measure x3.2: still over the bound.
        Assert.True(FittedGrowth([1, 3.2, 12.8, 51.2]) > MaxGrowth);
    }

    private void AssertLinear(string reader, int[] sizes, Func<int, byte[]> make, Action<byte[]> read, int repeat = 1, int rounds = 5, bool noGc = true)
    {
        var files = sizes.Select(make).ToList();
        foreach (var file in files)
        {
            read(file); // compiled, tiered up and warmed before anything is timed
        }

        var times = Enumerable.Repeat(double.MaxValue, sizes.Length).ToArray();
        var allocated = new long[sizes.Length];
        for (var round = 0; round < rounds; round++)
        {
            // Round by round, every size once: a busy stretch of the machine falls on all sizes alike.
            for (var i = 0; i < sizes.Length; i++)
            {
                var (ms, bytes) = Measure(files[i], read, repeat, noGc);
                (times[i], allocated[i]) = (Math.Min(times[i], ms), bytes);
            }
        }

        for (var i = 1; i < sizes.Length; i++)
        {
            for (var again = 0; again < 3 && times[i] > MaxStep * times[i - 1]; again++)
            {
                times[i - 1] = Math.Min(times[i - 1], Measure(files[i - 1], read, repeat, noGc).Ms);
                times[i] = Math.Min(times[i], Measure(files[i], read, repeat, noGc).Ms);
            }
        }

        for (var i = 0; i < sizes.Length; i++)
        {
            output.WriteLine($"{reader}: {sizes[i],10:N0} ({files[i].Length / 1024.0,8:N1} KiB) {times[i],9:N2} ms{(i > 0 ? $"  ×{times[i] / times[i - 1]:N2}" : "         ")}  allocated {allocated[i] / (double)MiB,7:N1} MiB");
        }

        for (var i = 1; i < sizes.Length; i++)
        {
            Assert.True(times[i] <= MaxStep * times[i - 1], $"{reader}: {sizes[i]:N0} took {times[i]:N2} ms, {times[i] / times[i - 1]:N2} times {sizes[i - 1]:N0} ({times[i - 1]:N2} ms); one doubling of linear work takes at most {MaxStep} times.");
        }

        var growth = FittedGrowth(times);
        for (var again = 0; again < 3 && growth > MaxGrowth; again++)
        {
            for (var i = 0; i < sizes.Length; i++)
            {
                times[i] = Math.Min(times[i], Measure(files[i], read, repeat, noGc).Ms);
            }

            growth = FittedGrowth(times);
        }

        Assert.True(growth <= MaxGrowth, $"{reader}: from {sizes[0]:N0} to {sizes[^1]:N0} each doubling took {growth:N2} times by the fitted line ({string.Join(", ", times.Select(t => $"{t:N2}"))} ms); linear work takes at most {MaxGrowth} times.");

        Assert.True(allocated[^1] < MemoryBudget, $"{reader}: reading {sizes[^1]:N0} allocated {allocated[^1] / MiB} MiB (budget {MemoryBudget / MiB} MiB).");
    }

    /// <summary>
    /// What one doubling costs by the least-squares line through (doubling i, log2 of time i): 2 to the power of its slope.
    /// </summary>
    internal static double FittedGrowth(IReadOnlyList<double> times)
    {
        var meanX = (times.Count - 1) / 2.0;
        var meanY = times.Average(Math.Log2);
        var covariance = times.Select((t, i) => (i - meanX) * (Math.Log2(t) - meanY)).Sum();
        var variance = times.Select((_, i) => (i - meanX) * (i - meanX)).Sum();
        return Math.Pow(2, covariance / variance);
    }

    /// <summary>
    /// The process's CPU time for <paramref name="repeat"/> reads, in ms per read, and the bytes one read allocated. CPU
    /// time, not the wall clock: on a machine others share, the time the reader waited for a core is not its work. The
    /// reads run in a no-GC region when the runtime grants one the size of the budget: when the collector of a test
    /// process full of other tests' objects happens to run is not the reader's work either.
    /// </summary>
    private static (double Ms, long Allocated) Measure(byte[] file, Action<byte[]> read, int repeat, bool noGc)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Settle();
        noGc = noGc && TryStartNoGcRegion();
        try
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var spent = TimeSpan.Zero;
            for (var r = 0; r < repeat; r++)
            {
                // Each read starts with the core's cache holding none of the file: a small file read again and again
                // from the cache would look faster per byte than a large one for no reason of the reader's.
                EvictCache();
                var started = CpuTime();
                read(file);
                spent += CpuTime() - started;
            }

            var ms = spent.TotalMilliseconds / repeat;
            return (ms, (GC.GetTotalAllocatedBytes(precise: true) - before) / repeat);
        }
        finally
        {
            if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
    }

    private static readonly byte[] CacheSweep = new byte[8 * 1024 * 1024];

    private static void EvictCache()
    {
        for (var i = 0; i < CacheSweep.Length; i += 64)
        {
            CacheSweep[i]++;
        }
    }

    /// <summary>
    /// Waits (up to ten seconds) until no other thread of the test process is working: the CPU time is the whole
    /// process's, so a read another test left behind to stop at its own bound must not be counted as this one's.
    /// </summary>
    private static void Settle()
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (Environment.TickCount64 < deadline)
        {
            var before = CpuTime();
            Thread.Sleep(50);
            if ((CpuTime() - before).TotalMilliseconds < 5)
            {
                return;
            }
        }
    }

    private static bool TryStartNoGcRegion()
    {
        try
        {
            return GC.TryStartNoGCRegion(MemoryBudget);
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>CPU time of the whole process (every thread: the readers run on their own), to the nanosecond.</summary>
    private static TimeSpan CpuTime()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ProcessCpuTimeClock, out var now) == 0)
        {
            return TimeSpan.FromTicks(now.Seconds * TimeSpan.TicksPerSecond + now.Nanoseconds / 100);
        }

        return System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
    }

    private const int ProcessCpuTimeClock = 2; // CLOCK_PROCESS_CPUTIME_ID

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
