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
        // What a crash between the blob commit and the version transaction leaves: a blob with DanVan's metadata, no row.
        await bed.App.Store.Reports.GetBlobClient(orphanName).UploadAsync(
            BinaryData.FromBytes(Samples.Pdf(1_000)),
            new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["receivedat"] = bed.App.Clock.GetUtcNow().UtcDateTime.ToString("O") } });
        var sweeper = bed.App.Get<OrphanSweeper>();

        var tooYoung = await sweeper.SweepAsync(UploadBed.Period);
        bed.App.Clock.Advance(TimeSpan.FromHours(2));
        var swept = await sweeper.SweepAsync(UploadBed.Period);

        Assert.Equal(201, stored.Status);
        Assert.Empty(tooYoung);
        Assert.Equal([orphanName], swept);
        var left = Assert.Single(await bed.CommittedBlobsAsync());
        Assert.EndsWith(stored.Json.GetProperty("receiptId").GetString()!, left.Name);
    }
}
