using System.Diagnostics;
using DanVan.Tests.Support;
using Xunit.Abstractions;

namespace DanVan.Tests.Uploads;

/// <summary>
/// Measures (prints, never asserts) what one upload costs in memory and time in this process: bytes
/// allocated on the managed heap during the upload, and the peak rise of the process's working set,
/// sampled every 5 ms. The body is generated on the fly, so the test itself holds no copy of the file.
/// </summary>
public sealed class UploadMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Uploads_of_5_and_50_MB_are_measured()
    {
        await using var bed = await UploadBed.StartAsync();
        await Measure(bed, 1L * 1024 * 1024, "warm-up");
        await Measure(bed, 5L * 1024 * 1024, "5 MB");
        await Measure(bed, 50L * 1024 * 1024, "50 MB");
        await Measure(bed, 5L * 1024 * 1024, "5 MB with Content-Length (one Put Blob)", withLength: true);
        await Measure(bed, 50L * 1024 * 1024, "50 MB with Content-Length (one Put Blob)", withLength: true);
    }

    private async Task Measure(UploadBed bed, long size, string label, bool withLength = false)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var self = Process.GetCurrentProcess();
            while (!sampling.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                await Task.Delay(5);
            }
        });
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();

        var body = new GeneratedBody(size);
        var request = UploadBed.RawStream(body, $"đo {size}.pdf", bed.UnitToken);
        request.ContentLength = withLength ? size : null;
        var response = await bed.SendAsync(request);

        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        await sampling.CancelAsync();
        await sampler;
        Assert.Equal(201, response.Status);
        output.WriteLine(
            $"{label}: {watch.Elapsed.TotalSeconds:0.00} s ({size / 1e6 / watch.Elapsed.TotalSeconds:0.0} MB/s), " +
            $"managed allocations {allocated / 1048576.0:0.0} MiB, working set peak +{(peak - baseline) / 1048576.0:0.0} MiB " +
            $"(baseline {baseline / 1048576.0:0} MiB)");
    }
}
