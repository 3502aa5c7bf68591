using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Submissions;
using DanVan.Uploads;
using Microsoft.Extensions.Logging;

namespace DanVan.Tests.Uploads;

public sealed class OrphanSweeperTests
{
    [Fact]
    public async Task Blobs_no_row_points_at_are_removed_once_old_in_both_containers_and_referenced_ones_are_kept()
    {
        await using var bed = await UploadBed.StartAsync(new DateTimeOffset(2026, 5, 20, 9, 0, 0, TimeSpan.FromHours(7)));
        var stored = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(5_000), "Báo cáo.pdf", bed.UnitToken));
        var compiled = await bed.App.Get<Compiler>().CompileAsync(bed.App.Get<PeriodCatalog>().Get(UploadBed.Period), "admin");
        var orphanReport = SubmissionKeys.BlobName(UploadBed.Period, UploadBed.Unit, "orphan-from-a-crash");
        var orphanBundle = $"{UploadBed.Period}/0099-orphan-from-a-crash.zip";
        // What a crash between a blob's commit and its row leaves: a blob, no row. The report's metadata says
        // its upload began long ago: the sweep must go by the commit (Last-Modified) instead.
        await bed.App.Store.Reports.GetBlobClient(orphanReport).UploadAsync(
            BinaryData.FromBytes(Samples.Pdf(1_000)),
            new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["receivedat"] = "2020-01-01T00:00:00.0000000Z" } });
        await bed.App.Store.CompilationBlobs.GetBlobClient(orphanBundle).UploadAsync(BinaryData.FromBytes([0x50, 0x4B, 0x05, 0x06]));
        // Storage's own clock ages blobs (seconds resolution): a short minimum age, then a real wait past it.
        var sweeper = new OrphanSweeper(bed.App.Store, bed.App.Get<SubmissionStore>(), bed.App.Get<CompilationStore>(), bed.App.Get<PeriodCatalog>(),
            bed.App.Get<DanVan.Changes.BlobWriteNotes>(), bed.App.Clock, bed.App.Get<ILogger<OrphanSweeper>>()) { MinimumAge = TimeSpan.FromSeconds(2) };

        var tooYoung = await sweeper.SweepAsync(UploadBed.Period);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var swept = await sweeper.SweepAsync(UploadBed.Period);

        Assert.Equal(201, stored.Status);
        Assert.Empty(tooYoung);
        Assert.Equal([orphanReport, orphanBundle], swept);
        var left = Assert.Single(await bed.CommittedBlobsAsync());
        Assert.EndsWith(stored.Json.GetProperty("receiptId").GetString()!, left.Name);
        Assert.True(await bed.App.Store.CompilationBlobs.GetBlobClient(compiled.Compilation.BlobName).ExistsAsync());
        Assert.False(await bed.App.Store.CompilationBlobs.GetBlobClient(orphanBundle).ExistsAsync());
    }
}
