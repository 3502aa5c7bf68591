using Azure;
using Azure.Data.Tables;
using DanVan.Changes;
using DanVan.Storage;
using Microsoft.Extensions.Logging;

namespace DanVan.Submissions;

/// <summary>
/// Table <c>submissions</c>. PartitionKey = the period id, so one period's uploads share a partition:
/// the status of every unit is one range query, and an upload commits its rows in one entity-group
/// transaction. RowKeys, by kind (unit codes are [a-z0-9-], so '~' never occurs inside one):
/// <list type="bullet">
/// <item><c>h~{unit}</c> — the unit's head: latest version, when it arrived, its hash. Its ETag is the
/// optimistic-concurrency token that allocates version numbers, and the fence finalization puts up
/// (<see cref="SubmissionHeadEntity.ClosedAt"/>; a unit with no version gets a head with version 0, which no reader lists).</item>
/// <item><c>v~{unit}~{000001}</c> — one immutable version (the receipt), pointing at its blob.</item>
/// <item><c>k~{unit}~{sha256(Idempotency-Key)}</c> — an idempotency key and the version it produced.</item>
/// <item><c>p~state</c> — written by earlier designs (the period's gate, a count of versions); nothing reads it now:
/// a period's one finalization record is <see cref="PeriodGate"/>'s. Finalization shuts that gate first, then fences
/// every unit's head here (<see cref="SubmissionStore.FenceAsync"/>; its neighbours in the decisions and figures
/// tables), so a version is either committed before its unit's fence (and in the final bundle) or refused.</item>
/// <item><c>t~{changeId}</c> — the ticket of the change a version is (<see cref="ChangeTickets"/>), added with it.</item>
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

    public const string PeriodState = "p~state";

    public const string HeadsFrom = "h~";
    public const string HeadsTo = "h~~";

    public const string AllVersionsFrom = "v~";
    public const string AllVersionsTo = "v~~";

    public static string BlobName(string periodId, string unitCode, string receiptId) => $"{periodId}/{unitCode}/{receiptId}";
}

/// <summary>Row <c>h~{unit}</c>: the store's own; it hands out <see cref="SubmissionHead"/>.</summary>
internal sealed class SubmissionHeadEntity : TableRow, ITableEntity
{
    public string UnitCode { get; set; } = "";
    public int LatestVersion { get; set; }
    public DateTimeOffset LatestReceivedAt { get; set; }
    public string LatestSha256 { get; set; } = "";
    public string LatestReceiptId { get; set; } = "";

    /// <summary>The latest version's <see cref="SubmissionVersion.Signatures"/>, so status rows need no version reads.</summary>
    public string? LatestSignatures { get; set; }

    /// <summary>When finalization fenced the unit's head: no version is appended to it any more.</summary>
    public DateTimeOffset? ClosedAt { get; set; }

    public SubmissionHead ToHead() => new(UnitCode, LatestVersion, LatestReceivedAt, LatestSha256, LatestReceiptId, LatestSignatures);
}

/// <summary>
/// Row <c>v~{unit}~{000001}</c>: the store's own; it takes and hands out <see cref="SubmissionVersion"/>. Its columns are
/// the version's fields (<see cref="SubmissionVersionFields"/>); its keys are the period and the version.
/// </summary>
internal sealed record SubmissionVersionEntity : SubmissionVersionFields, ITableEntity
{
    public SubmissionVersionEntity()
    {
    }

    private SubmissionVersionEntity(SubmissionVersion v)
        : base(v) => (PartitionKey, RowKey) = (v.PeriodId, SubmissionKeys.Version(v.UnitCode, v.Version));

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public static SubmissionVersionEntity From(SubmissionVersion v) => new(v);

    public SubmissionVersion ToVersion() => new(this) { PeriodId = PartitionKey };
}

/// <summary>Row <c>k~{unit}~{sha256(key)}</c>.</summary>
internal sealed class IdempotencyKeyEntity : TableRow, ITableEntity
{
    public int Version { get; set; }
}

/// <summary>The latest state of one unit for one period.</summary>
public sealed record SubmissionHead(string UnitCode, int LatestVersion, DateTimeOffset LatestReceivedAt, string LatestSha256, string LatestReceiptId, string? LatestSignatures = null);

/// <summary>
/// What one version of a unit's report records (its receipt), written once: <see cref="SubmissionVersion"/> hands it out
/// with its period, <see cref="SubmissionVersionEntity"/> stores it under the table's keys.
/// </summary>
public abstract record SubmissionVersionFields
{
    public string ReceiptId { get; set; } = "";
    public string UnitCode { get; set; } = "";
    public int Version { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long SizeBytes { get; set; }
    public string Sha256 { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public string? Note { get; set; }

    /// <summary>The report blob, <see cref="SubmissionKeys.BlobName"/>.</summary>
    public string BlobName { get; set; } = "";

    /// <summary>Who uploaded it (the caller's actor: "unit:{code}" or the person acting on the unit's behalf).</summary>
    public string UploadedBy { get; set; } = "";

    /// <summary>A PDF's signatures as checked when it was accepted (<c>Signatures.SignatureReport</c> as JSON); null for other files.</summary>
    public string? Signatures { get; set; }
}

/// <summary>
/// One version of a unit's report (its receipt), as <see cref="SubmissionStore"/> takes it in and hands it out: no table
/// keys. An upload fills it in as it learns the file (name, size, hash, signatures); the store sets <see cref="SubmissionVersionFields.Version"/>.
/// </summary>
public sealed record SubmissionVersion : SubmissionVersionFields
{
    public SubmissionVersion()
    {
    }

    internal SubmissionVersion(SubmissionVersionFields fields)
        : base(fields)
    {
    }

    public string PeriodId { get; set; } = "";
}

/// <summary>What an append starts from: the unit's head row as read (null: none yet; version 0: a fence only), and the change begun for it.</summary>
public sealed class AppendBasis
{
    internal AppendBasis(SubmissionHeadEntity? row, ChangeScope change) => (Row, Change) = (row, change);

    internal SubmissionHeadEntity? Row { get; }

    /// <summary>The change the version will be, begun in the period's index.</summary>
    public ChangeScope Change { get; }

    /// <summary>The unit's latest version as read, or null while it has none.</summary>
    public SubmissionHead? Head => Row is { LatestVersion: > 0 } row ? row.ToHead() : null;
}

/// <summary>
/// What <see cref="SubmissionStore.AppendVersionAsync"/> stored: this upload's version, or (KeyTaken) the one a concurrent
/// upload with the same Idempotency-Key stored; with how many of its transactions storage refused as conflicts (409/412)
/// and how many it tried again after the first (the app's own contention counters, reported with the receipt's event).
/// </summary>
public sealed record AppendOutcome(SubmissionVersion Version, bool KeyTaken, int Conflicts = 0, int Retries = 0);

/// <summary>The period was closed (finalized) before the version could be committed; no attempt of it can commit any more.</summary>
public sealed class PeriodClosedException(string periodId, DateTimeOffset closedAt)
    : Exception($"Period {periodId} was closed at {closedAt:O}.")
{
    public DateTimeOffset ClosedAt { get; } = closedAt;
}

/// <summary>
/// The version was not stored, as far as storage shows. <see cref="OutcomeKnown"/>: every attempt was refused
/// by storage itself, so none can commit later (its blob may be deleted); otherwise an attempt's fate was
/// not reported and the blob is left to the orphan sweep, which deletes it only if no row ever points at it.
/// </summary>
public sealed class AppendFailedException(bool outcomeKnown, Exception inner)
    : Exception(outcomeKnown ? "The version was refused by storage." : "Storage did not report whether the version was stored.", inner)
{
    public bool OutcomeKnown { get; } = outcomeKnown;
}
