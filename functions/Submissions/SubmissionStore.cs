using Azure;
using Azure.Data.Tables;
using DanVan.Storage;

namespace DanVan.Submissions;

/// <summary>
/// Table <c>submissions</c>. PartitionKey = the period id, so one period's uploads share a partition:
/// the status of every unit is one range query, and an upload commits its rows in one entity-group
/// transaction. RowKeys, by kind (unit codes are [a-z0-9-], so '~' never occurs inside one):
/// <list type="bullet">
/// <item><c>h~{unit}</c> — the unit's head: latest version, when it arrived, its hash. Its ETag is the
/// optimistic-concurrency token that allocates version numbers.</item>
/// <item><c>v~{unit}~{000001}</c> — one immutable version (the receipt), pointing at its blob.</item>
/// <item><c>k~{unit}~{sha256(Idempotency-Key)}</c> — an idempotency key and the version it produced.</item>
/// </list>
/// Report blobs live in container <c>reports</c> at <c>{periodId}/{unit}/{receiptId}</c>: the path comes
/// from period, unit and a fresh id, never from the file name.
/// </summary>
public static class SubmissionKeys
{
    public static string Head(string unitCode) => $"h~{unitCode}";

    public static string Version(string unitCode, int version) => $"v~{unitCode}~{version:D6}";

    public static string VersionsFrom(string unitCode) => $"v~{unitCode}~";

    public static string VersionsTo(string unitCode) => $"v~{unitCode}~~";

    public static string IdempotencyKey(string unitCode, string keyHash) => $"k~{unitCode}~{keyHash}";

    public const string HeadsFrom = "h~";
    public const string HeadsTo = "h~~";

    public const string AllVersionsFrom = "v~";
    public const string AllVersionsTo = "v~~";

    public static string BlobName(string periodId, string unitCode, string receiptId) => $"{periodId}/{unitCode}/{receiptId}";
}

public sealed class SubmissionHeadEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string UnitCode { get; set; } = "";
    public int LatestVersion { get; set; }
    public DateTimeOffset LatestReceivedAt { get; set; }
    public string LatestSha256 { get; set; } = "";
    public string LatestReceiptId { get; set; } = "";
}

public sealed class SubmissionVersionEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ReceiptId { get; set; } = "";
    public string UnitCode { get; set; } = "";
    public int Version { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long SizeBytes { get; set; }
    public string Sha256 { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public string? Note { get; set; }
    public string BlobName { get; set; } = "";

    /// <summary>"unit:{code}" or "admin" (an upload on the unit's behalf).</summary>
    public string UploadedBy { get; set; } = "";
}

public sealed class IdempotencyKeyEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Version { get; set; }
}

/// <summary>The latest state of one unit for one period.</summary>
public sealed record SubmissionHead(string UnitCode, int LatestVersion, DateTimeOffset LatestReceivedAt, string LatestSha256, string LatestReceiptId);

/// <summary>Reads of the submissions table that status, reminders and compilation share.</summary>
public sealed class SubmissionStore(DanVanStore store)
{
    /// <summary>Every unit that has uploaded for the period, keyed by unit code.</summary>
    public async Task<IReadOnlyDictionary<string, SubmissionHead>> HeadsAsync(string periodId, CancellationToken ct = default)
    {
        var heads = new Dictionary<string, SubmissionHead>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {SubmissionKeys.HeadsFrom} and RowKey lt {SubmissionKeys.HeadsTo}");
        await foreach (var e in store.Submissions.QueryAsync<SubmissionHeadEntity>(filter, cancellationToken: ct))
        {
            heads[e.UnitCode] = new SubmissionHead(e.UnitCode, e.LatestVersion, e.LatestReceivedAt, e.LatestSha256, e.LatestReceiptId);
        }

        return heads;
    }

    /// <summary>Every version a unit uploaded for the period, oldest first.</summary>
    public async Task<IReadOnlyList<SubmissionVersionEntity>> VersionsAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {periodId} and RowKey ge {SubmissionKeys.VersionsFrom(unitCode)} and RowKey lt {SubmissionKeys.VersionsTo(unitCode)}");
        var versions = new List<SubmissionVersionEntity>();
        await foreach (var e in store.Submissions.QueryAsync<SubmissionVersionEntity>(filter, cancellationToken: ct))
        {
            versions.Add(e);
        }

        return versions.OrderBy(v => v.Version).ToList();
    }

    public async Task<SubmissionVersionEntity?> VersionAsync(string periodId, string unitCode, int version, CancellationToken ct = default)
    {
        var row = await store.Submissions.GetEntityIfExistsAsync<SubmissionVersionEntity>(periodId, SubmissionKeys.Version(unitCode, version), cancellationToken: ct);
        return row.HasValue ? row.Value : null;
    }
}
