using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;
using DanVan.Domain;
using DanVan.Registry;
using DanVan.Storage;
using DanVan.Submissions;

namespace DanVan.Tests.Support;

/// <summary>
/// Submissions as an upload leaves them, without the upload route: the blob at the store's path, then the
/// version through <see cref="SubmissionStore.AppendVersionAsync"/> (the one owner of the table's layout).
/// </summary>
public sealed class SubmissionSeeder(SubmissionStore submissions, DanVanStore store)
{
    public static readonly DateOnly UnitsFrom = new(2023, 1, 1);

    public SubmissionSeeder(TestApp app)
        : this(app.Get<SubmissionStore>(), app.Store)
    {
    }

    public static Task AddUnitAsync(TestApp app, string code, string name, string group = "Sở, ban, ngành") =>
        app.Get<UnitRegistry>().PutAsync(new Unit(code, name, group, [$"{code}@example.org"], null, UnitsFrom, null));

    public async Task<SubmissionVersion> SeedAsync(string periodId, string unitCode, string fileName, byte[] content, DateTimeOffset receivedAt, string contentType = "application/octet-stream", string? signatures = null)
    {
        var receiptId = Guid.NewGuid().ToString("N");
        var blobName = SubmissionKeys.BlobName(periodId, unitCode, receiptId);
        await store.Reports.GetBlobClient(blobName).UploadAsync(
            new BinaryData(content),
            new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } });

        var row = new SubmissionVersion
        {
            PeriodId = periodId,
            ReceiptId = receiptId,
            UnitCode = unitCode,
            FileName = fileName,
            ContentType = contentType,
            SizeBytes = content.LongLength,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            ReceivedAt = receivedAt.ToUniversalTime(),
            BlobName = blobName,
            UploadedBy = $"unit:{unitCode}",
            Signatures = signatures,
        };
        var appended = await submissions.AppendVersionAsync(row, keyHash: null, await submissions.AppendBasisAsync(periodId, unitCode));
        return appended.Version;
    }
}
