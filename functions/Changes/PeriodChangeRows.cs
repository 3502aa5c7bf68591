using Azure;
using Azure.Data.Tables;

namespace DanVan.Changes;

/// <summary>
/// Table <c>periodchanges</c>, whose one owner is <see cref="PeriodChangeStore"/>: which periods changed, readable for
/// every period in one query, and what was worked out from a period as it stood at a count of changes (the counts of
/// <c>GET /api/periods</c>, "the timer has nothing to do", a unit's own row). Keys (period ids are [0-9A-Za-z-], so '~'
/// never occurs inside one; unit codes are [a-z0-9-]):
/// <list type="bullet">
/// <item>PartitionKey <c>periods</c>, RowKey <c>{period}~</c> — the period's row: the changes folded into it and the
/// results cached at a marker.</item>
/// <item>PartitionKey <c>periods</c>, RowKey <c>{period}~c~{changeId}</c> — one change of the period's inputs (an upload, a
/// decision, a figures entry): added before its write is tried, marked committed once the write is known to be stored,
/// deleted when it is known not to be. Every write of the submissions, decisions and figures tables that changes what a
/// period shows is one <see cref="ChangeScope"/>: begun here, its transaction adds a ticket row <c>t~{changeId}</c> in its
/// partition (<see cref="ChangeTickets"/>; only the scope makes one), settled here after.</item>
/// <item>PartitionKey <c>u~{unit}</c>, RowKey the period id — the unit's own head and decisions in the period as read at a
/// count of the period's changes, so a unit's periods are one query.</item>
/// <item>PartitionKey <c>blobs</c>, RowKey the period id — written (at most once an hour per instance) before a report or a
/// bundle blob of the period is written; its Timestamp, storage's own clock, tells the orphan sweep which older periods
/// may hold a blob young enough to judge.</item>
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

    public static string UnitPartition(string unitCode) => $"u~{unitCode}";

    public const string BlobsPartition = "blobs";
}

public sealed class PeriodChangesEntity : ITableEntity
{
    public string PartitionKey { get; set; } = PeriodChangeKeys.PeriodsPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

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

public sealed class PeriodChangeEntity : ITableEntity
{
    public string PartitionKey { get; set; } = PeriodChangeKeys.PeriodsPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string PeriodId { get; set; } = "";
    public string ChangeId { get; set; } = "";

    /// <summary>Which table the change writes (<see cref="IChangeTickets.Source"/>).</summary>
    public string Source { get; set; } = "";
    public string UnitCode { get; set; } = "";

    /// <summary>When it began, on the app's clock: a change still in flight long after is settled by the timer.</summary>
    public DateTimeOffset StartedAt { get; set; }

    public bool Committed { get; set; }
}

public sealed class UnitPeriodEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The period's stamp the sources were read at.</summary>
    public long Stamp { get; set; }

    /// <summary>The caller's text (JSON) of what it read.</summary>
    public string Sources { get; set; } = "";
}

/// <summary>What a unit's own row in a period was, as cached: the period's stamp it was read at and the caller's text (JSON).</summary>
public sealed record UnitPeriodRow(long Stamp, string Sources);

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

