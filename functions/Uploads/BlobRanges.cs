using DanVan.Reading;

namespace DanVan.Uploads;

/// <summary>Ranged reads of a stored blob, for <see cref="ZipDirectory"/> and <see cref="FileTypes.CheckPackageAsync"/>.</summary>
public static class BlobRanges
{
    /// <summary>
    /// Each read is one Get Blob with a Range header. Report blobs are written once and never
    /// overwritten, so the reads of one check all see the same bytes.
    /// </summary>
    public static ReadRange Of(Azure.Storage.Blobs.Specialized.BlobBaseClient blob) => async (offset, count, ct) =>
    {
        var options = new Azure.Storage.Blobs.Models.BlobDownloadOptions { Range = new Azure.HttpRange(offset, count) };
        var response = await blob.DownloadContentAsync(options, ct);
        return response.Value.Content.ToMemory();
    };
}
