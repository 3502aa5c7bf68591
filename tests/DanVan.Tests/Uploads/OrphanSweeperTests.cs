using DanVan.Submissions;
using DanVan.Uploads;

namespace DanVan.Tests.Uploads;

public sealed class OrphanSweeperTests
{
    [Fact]
    public async Task A_blob_without_a_version_row_is_removed_once_it_is_old_and_stored_reports_are_kept()
    {
        await using var bed = await UploadBed.StartAsync();
        var stored = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(5_000), "Báo cáo.pdf", bed.UnitToken));
        var orphanName = SubmissionKeys.BlobName(UploadBed.Period, UploadBed.Unit, "orphan-from-a-crash");
        // What a crash between the blob commit and the version transaction leaves: a blob, no row. Its
        // metadata says the upload began long ago: the sweep must go by the commit (Last-Modified) instead.
        await bed.App.Store.Reports.GetBlobClient(orphanName).UploadAsync(
            BinaryData.FromBytes(Samples.Pdf(1_000)),
            new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["receivedat"] = "2020-01-01T00:00:00.0000000Z" } });
        // Storage's own clock ages blobs (seconds resolution): a short minimum age, then a real wait past it.
        var sweeper = new OrphanSweeper(bed.App.Store, bed.App.Get<DanVan.Periods.PeriodCatalog>(), bed.App.Get<Microsoft.Extensions.Logging.ILogger<OrphanSweeper>>()) { MinimumAge = TimeSpan.FromSeconds(2) };

        var tooYoung = await sweeper.SweepAsync(UploadBed.Period);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var swept = await sweeper.SweepAsync(UploadBed.Period);

        Assert.Equal(201, stored.Status);
        Assert.Empty(tooYoung);
        Assert.Equal([orphanName], swept);
        var left = Assert.Single(await bed.CommittedBlobsAsync());
        Assert.EndsWith(stored.Json.GetProperty("receiptId").GetString()!, left.Name);
    }
}
