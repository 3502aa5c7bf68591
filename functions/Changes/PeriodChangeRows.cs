using Azure;
using Azure.Data.Tables;
using DanVan.Storage;

namespace DanVan.Changes;

/// <summary>
/// Table <c>periodchanges</c>, whose one owner is <see cref="PeriodChangeStore"/>: which periods changed, readable for
/// every period in one query, and what was worked out from a period as it stood at a count of changes (the counts of
/// <c>GET /api/periods</c>, "the timer has nothing to do"). Keys (period ids are [0-9A-Za-z-], so '~'
/// never occurs inside one; unit codes are [a-z0-9-]):
/// <list type="bullet">
/// <item>PartitionKey <c>periods</c>, RowKey <c>{period}~</c> — the period's row: the changes folded into it and the
/// results cached at a marker.</item>
/// <item>PartitionKey <c>periods</c>, RowKey <c>{period}~c~{changeId}</c> — one change of the period's inputs (an upload, a
/// decision, a figures entry): added before its write is tried, marked committed once the write is known to be stored,
/// deleted when it is known not to be. Every write of the submissions, decisions and figures tables that changes what a
/// period shows is one <see cref="ChangeScope"/>: begun here, its transaction adds a ticket row <c>t~{changeId}</c> in its
/// partition (<see cref="ChangeTickets"/>; only the scope makes one), settled here after.</item>
/// <item>Earlier DanVan kept two other kinds here (partition <c>u~{unit}</c>, a unit's cached rows, now
/// <see cref="UnitPeriodCache"/>; partition <c>blobs</c>, the orphan sweep's notes, now <see cref="BlobWriteNotes"/>):
/// <see cref="PeriodChangeStore.RetiredRowsAsync"/> lists what is left of them, and the sweep carries them over.</item>
/// </list>
/// A period's count of changes (<see cref="PeriodChanges.Stamp"/>) is what its row folded plus its committed changes; it
/// only grows, and it is known only while no change is in flight. Whatever is read at a stamp taken before the read stays
/// true as long as the stamp is the same: a change that began after the stamp was taken is in flight or counted by then.
/// </summary>
public static class PeriodChangeKeys
{
    public const string PeriodsPartition = "periods";

    public static string Period(string periodId) => $"{periodId}~";

    public static string Change(string periodId, string changeId) => $"{periodId}~c~{changeId}";

    public static string PeriodTo(string periodId) => $"{periodId}~~";

    /// <summary>Where the orphan sweep's notes were kept before <see cref="BlobWriteNotes"/> (carried over, then deleted).</summary>
    public const string RetiredBlobsPartition = "blobs";
}

public sealed class PeriodChangesEntity : TableRow, ITableEntity
{
    public PeriodChangesEntity() => PartitionKey = PeriodChangeKeys.PeriodsPartition;

    /// <summary>Committed changes folded into this row (their change rows deleted in the same transaction).</summary>
    public long Changes { get; set; }

    /// <summary>The marker <see cref="Counts"/> were read at (the caller's text, made from the stamp and what else they depend on).</summary>
    public string? CountsMarker { get; set; }

    public string? Counts { get; set; }

    /// <summary>The marker at which the period's latest compilation was found current (or nothing needed compiling).</summary>
    public string? CompiledMarker { get; set; }

    /// <summary>That compilation's version; null when there was nothing to compile.</summary>
    public int? CompiledVersion { get; set; }
}

public sealed class PeriodChangeEntity : TableRow, ITableEntity
{
    public PeriodChangeEntity() => PartitionKey = PeriodChangeKeys.PeriodsPartition;

    public string PeriodId { get; set; } = "";
    public string ChangeId { get; set; } = "";

    /// <summary>Which table the change writes (<see cref="IChangeTickets.Source"/>).</summary>
    public string Source { get; set; } = "";
    public string UnitCode { get; set; } = "";

    /// <summary>When it began, on the app's clock: a change still in flight long after is settled by the timer.</summary>
    public DateTimeOffset StartedAt { get; set; }

    public bool Committed { get; set; }
}

/// <summary>A row of a kind <c>periodchanges</c> held before (<see cref="PeriodChangeStore.RetiredRowsAsync"/>).</summary>
public sealed record RetiredRow(string PartitionKey, string RowKey)
{
    /// <summary>The period of an old blob-write note, or null for another retired row (an old per-unit cache row).</summary>
    public string? BlobNoteOf => PartitionKey == PeriodChangeKeys.RetiredBlobsPartition ? RowKey : null;
}

/// <summary>A change begun: the period, a fresh id, and the table it writes.</summary>
public sealed record ChangeTicket(string PeriodId, string ChangeId, string Source);

/// <summary>A change whose write is not known to be stored or refused yet.</summary>
public sealed record PendingChange(string PeriodId, string ChangeId, string Source, string UnitCode, DateTimeOffset StartedAt);

/// <summary>One period as the index has it now.</summary>
public sealed record PeriodChanges(
    string PeriodId,
    long Total,
    IReadOnlyList<PendingChange> Pending,
    string? CountsMarker,
    string? Counts,
    string? CompiledMarker,
    int? CompiledVersion,
    ETag? RowETag,
    long Folded,
    IReadOnlyList<string> CommittedKeys)
{
    /// <summary>The period's count of changes, or null while a change is in flight (then nothing read now may be cached).</summary>
    public long? Stamp => Pending.Count == 0 ? Total : null;

    public static PeriodChanges None(string periodId) => new(periodId, 0, [], null, null, null, null, null, 0, []);
}

