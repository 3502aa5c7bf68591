using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using DanVan.Domain;
using DanVan.Registry;
using DanVan.Storage;
using DanVan.Submissions;
using DanVan.Tests.Support;

namespace DanVan.Tests.Compilation;

/// <summary>
/// Writes submissions exactly as functions/Submissions/SubmissionStore.cs describes (blob at
/// {periodId}/{unit}/{receiptId}, then head + version rows in one transaction), so compilation can
/// be tested without the upload route.
/// </summary>
public sealed class SubmissionSeeder(DanVanStore store)
{
    public static readonly DateOnly UnitsFrom = new(2023, 1, 1);

    public static Task AddUnitAsync(TestApp app, string code, string name, string group = "Sở, ban, ngành") =>
        app.Get<UnitRegistry>().PutAsync(new Unit(code, name, group, [$"{code}@example.org"], null, UnitsFrom, null));

    public async Task<SubmissionVersionEntity> SeedAsync(string periodId, string unitCode, string fileName, byte[] content, DateTimeOffset receivedAt, string contentType = "application/octet-stream")
    {
        var head = await store.Submissions.GetEntityIfExistsAsync<SubmissionHeadEntity>(periodId, SubmissionKeys.Head(unitCode));
        var version = head.HasValue ? head.Value!.LatestVersion + 1 : 1;
        var receiptId = Guid.NewGuid().ToString("N");
        var blobName = SubmissionKeys.BlobName(periodId, unitCode, receiptId);
        await store.Reports.GetBlobClient(blobName).UploadAsync(
            new BinaryData(content),
            new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } });

        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var row = new SubmissionVersionEntity
        {
            PartitionKey = periodId,
            RowKey = SubmissionKeys.Version(unitCode, version),
            ReceiptId = receiptId,
            UnitCode = unitCode,
            Version = version,
            FileName = fileName,
            ContentType = contentType,
            SizeBytes = content.LongLength,
            Sha256 = sha,
            ReceivedAt = receivedAt.ToUniversalTime(),
            BlobName = blobName,
            UploadedBy = $"unit:{unitCode}",
        };
        var newHead = new SubmissionHeadEntity
        {
            PartitionKey = periodId,
            RowKey = SubmissionKeys.Head(unitCode),
            UnitCode = unitCode,
            LatestVersion = version,
            LatestReceivedAt = receivedAt.ToUniversalTime(),
            LatestSha256 = sha,
            LatestReceiptId = receiptId,
        };
        await store.Submissions.SubmitTransactionAsync(
        [
            head.HasValue
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, newHead, head.Value!.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, newHead),
            new TableTransactionAction(TableTransactionActionType.Add, row),
        ]);
        return row;
    }
}
