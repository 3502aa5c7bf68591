using Azure;
using Azure.Data.Tables;
using DanVan.Changes;
using DanVan.Domain;
using DanVan.Storage;
using DanVan.Submissions;

namespace DanVan.Decisions;

/// <summary>
/// Table <c>decisions</c>: Sở Nội vụ's decisions about each unit for each period. PartitionKey = the period id,
/// so a period's decisions are one range query beside its status. RowKeys (unit codes are [a-z0-9-], so '~'
/// never occurs inside one):
/// <list type="bullet">
/// <item><c>u~{unit}</c> — the unit's standing decisions (review of a version, extension, exemption) and a
/// revision number. Its ETag is the concurrency token: every change replaces it under the ETag it was read
/// with, so of two admins deciding at once one change is stored and the other refused, never both. It is also the
/// unit's fence when the period is finalized (<see cref="DecisionEntity.ClosedAt"/>; revision 0 where the unit had no
/// decision, which no reader lists), so a change is either stored before the fence or refused.</item>
/// <item><c>e~{unit}~{000001}</c> — one change (the history): what, who, when, why. Added in the same
/// entity-group transaction as the standing row, so the history and the state never disagree.</item>
/// <item><c>t~{changeId}</c> — the ticket of the change (<see cref="ChangeTickets"/>), added in the same transaction.</item>
/// </list>
/// </summary>
public static class DecisionKeys
{
    public static string Current(string unitCode) => $"u~{unitCode}";

    public static string Event(string unitCode, int revision) => $"e~{unitCode}~{revision:D6}";

    public const string CurrentFrom = "u~";
    public const string CurrentTo = "u~~";

    public static string EventsFrom(string unitCode) => $"e~{unitCode}~";

    public static string EventsTo(string unitCode) => $"e~{unitCode}~~";
}

public sealed class DecisionEntity : TableRow, ITableEntity
{
    public string UnitCode { get; set; } = "";

    /// <summary>How many changes the unit's decisions have had in this period: the number of the latest event row.</summary>
    public int Revision { get; set; }

    public int? ReviewVersion { get; set; }
    public string? ReviewVerdict { get; set; }
    public string? ReviewReason { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
    public string? ReviewedBy { get; set; }

    public DateTimeOffset? ExtendedTo { get; set; }
    public string? ExtensionReason { get; set; }
    public DateTimeOffset? ExtendedAt { get; set; }
    public string? ExtendedBy { get; set; }

    public bool Exempt { get; set; }
    public string? ExemptionReason { get; set; }
    public DateTimeOffset? ExemptedAt { get; set; }
    public string? ExemptedBy { get; set; }

    /// <summary>When finalization fenced the row (<see cref="UnitFences"/>): no change is stored on it any more.</summary>
    public DateTimeOffset? ClosedAt { get; set; }

    public UnitDecisions ToDecisions() => new(
        UnitCode,
        ReviewVersion is { } v && DecisionRules.ParseVerdict(ReviewVerdict) is { } verdict ? new Review(v, verdict, ReviewReason, ReviewedAt ?? default, ReviewedBy ?? "") : null,
        ExtendedTo is { } to ? new Extension(to, ExtensionReason ?? "", ExtendedAt ?? default, ExtendedBy ?? "") : null,
        Exempt ? new Exemption(ExemptionReason ?? "", ExemptedAt ?? default, ExemptedBy ?? "") : null);

    public static DecisionEntity From(string periodId, UnitDecisions d, int revision) => new()
    {
        PartitionKey = periodId,
        RowKey = DecisionKeys.Current(d.UnitCode),
        UnitCode = d.UnitCode,
        Revision = revision,
        ReviewVersion = d.Review?.Version,
        ReviewVerdict = d.Review is { } r ? (r.Verdict == Domain.ReviewVerdict.Accepted ? "accepted" : "returned") : null,
        ReviewReason = d.Review?.Reason,
        ReviewedAt = d.Review?.At,
        ReviewedBy = d.Review?.By,
        ExtendedTo = d.Extension?.Deadline,
        ExtensionReason = d.Extension?.Reason,
        ExtendedAt = d.Extension?.At,
        ExtendedBy = d.Extension?.By,
        Exempt = d.Exemption is not null,
        ExemptionReason = d.Exemption?.Reason,
        ExemptedAt = d.Exemption?.At,
        ExemptedBy = d.Exemption?.By,
    };
}

public sealed class DecisionEventEntity : TableRow, ITableEntity
{
    public string UnitCode { get; set; } = "";
    public int Revision { get; set; }

    /// <summary>A fresh id per change, so a change whose reply was lost is recognised as one's own.</summary>
    public string ChangeId { get; set; } = "";
    public string Action { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public string? Reason { get; set; }
    public int? Version { get; set; }
    public DateTimeOffset? Deadline { get; set; }
}

/// <summary>One change in a unit's decisions (the history the API shows).</summary>
public sealed record DecisionEvent(int Revision, string Action, DateTimeOffset At, string Actor, string? Reason, int? Version, DateTimeOffset? Deadline);

/// <summary>A unit's standing decisions as stored: the ETag to change them under, how many changes they have had, and when finalization fenced them.</summary>
public sealed record StoredDecisions(UnitDecisions Decisions, string ETag, int Revision, DateTimeOffset? ClosedAt = null);

/// <summary>Another change was stored between this change's read and its write: nothing of this one was stored.</summary>
public sealed class DecisionConflictException(Exception inner) : Exception("The unit's decisions changed meanwhile.", inner);

/// <summary>The one owner of the decisions table: its reads and its one conditional write.</summary>
public sealed class DecisionStore(DanVanStore store, PeriodChangeStore changes) : IChangeTickets, ITableOwner, IFencedTable
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.DecisionsTable;

    public string Source => "decisions";

    public Task<bool> SettleAsync(string periodId, string changeId, CancellationToken ct = default) =>
        ChangeTickets.SettleAsync(store.Decisions, periodId, changeId, ct);

    /// <summary>Every unit with a decision in the period, keyed by unit code.</summary>
    public async Task<IReadOnlyDictionary<string, UnitDecisions>> ForPeriodAsync(string periodId, CancellationToken ct = default)
    {
        var result = new Dictionary<string, UnitDecisions>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {DecisionKeys.CurrentFrom} and RowKey lt {DecisionKeys.CurrentTo}");
        await foreach (var e in store.Decisions.QueryAsync<DecisionEntity>(filter, cancellationToken: ct))
        {
            if (e.Revision > 0)
            {
                result[e.UnitCode] = e.ToDecisions();
            }
        }

        return result;
    }

    /// <summary>The unit's decisions, or null while it has none (a fence alone is no decision).</summary>
    public async Task<StoredDecisions?> GetAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var row = await store.Decisions.GetEntityIfExistsAsync<DecisionEntity>(periodId, DecisionKeys.Current(unitCode), cancellationToken: ct);
        return row.HasValue && row.Value!.Revision > 0 ? new StoredDecisions(row.Value.ToDecisions(), row.Value.ETag.ToString(), row.Value.Revision, row.Value.ClosedAt) : null;
    }

    /// <summary>
    /// Fences the decisions row of every unit in <paramref name="units"/> and of every unit with one, once the period's gate
    /// is shut (<see cref="PeriodGate.CloseAsync"/>): a change that read the row before its fence fails on the ETag.
    /// </summary>
    public Task FenceAsync(string periodId, IEnumerable<string> units, DateTimeOffset closedAt, CancellationToken ct = default) =>
        UnitFences.PutAsync(store.Decisions, periodId, units, DecisionKeys.CurrentFrom, DecisionKeys.CurrentTo, DecisionKeys.Current, closedAt, ct);

    /// <summary>Every change of the unit's decisions in the period, oldest first.</summary>
    public async Task<IReadOnlyList<DecisionEvent>> HistoryAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {DecisionKeys.EventsFrom(unitCode)} and RowKey lt {DecisionKeys.EventsTo(unitCode)}");
        var events = new List<DecisionEvent>();
        await foreach (var e in store.Decisions.QueryAsync<DecisionEventEntity>(filter, cancellationToken: ct))
        {
            events.Add(new DecisionEvent(e.Revision, e.Action, e.At, e.Actor, e.Reason, e.Version, e.Deadline));
        }

        return events.OrderBy(e => e.Revision).ToList();
    }

    /// <summary>
    /// Stores <paramref name="after"/> as the unit's decisions and <paramref name="change"/> as the next event, in one
    /// transaction conditional on <paramref name="before"/> (its ETag; null: no row yet). Never retried over a
    /// conflict: a change made on a state that is no longer current is refused (<see cref="DecisionConflictException"/>).
    /// When the transaction's outcome is not known (a lost reply, or the SDK's retry meeting its own write), the
    /// event row is read back: this change's id there means it was stored. A row fenced by finalization, before the read
    /// or between the read and the write, refuses the change (<see cref="PeriodClosedException"/>).
    /// </summary>
    public async Task<StoredDecisions> SaveAsync(string periodId, StoredDecisions? before, UnitDecisions after, DecisionEvent change, CancellationToken ct = default)
    {
        if (before?.ClosedAt is { } fenced)
        {
            throw new PeriodClosedException(periodId, fenced);
        }

        var revision = (before?.Revision ?? 0) + 1;
        var current = DecisionEntity.From(periodId, after, revision);
        var changeId = Guid.NewGuid().ToString("N");
        var evt = new DecisionEventEntity
        {
            PartitionKey = periodId,
            RowKey = DecisionKeys.Event(after.UnitCode, revision),
            UnitCode = after.UnitCode,
            Revision = revision,
            ChangeId = changeId,
            Action = change.Action,
            At = change.At,
            Actor = change.Actor,
            Reason = change.Reason,
            Version = change.Version,
            Deadline = change.Deadline,
        };
        // The change is counted once it is known to be stored, dropped when refused; otherwise it stays in flight.
        var scope = await changes.BeginAsync(periodId, Source, after.UnitCode, ct);
        var actions = scope.Transaction(
        [
            before is null ? new(TableTransactionActionType.Add, current) : new(TableTransactionActionType.UpdateReplace, current, new ETag(before.ETag)),
            new(TableTransactionActionType.Add, evt),
        ]);
        try
        {
            await store.Decisions.SubmitTransactionAsync(actions, ct);
        }
        catch (Exception ex) when (ex is RequestFailedException || StorageFailures.Is(ex, ct))
        {
            var stored = await store.Decisions.GetEntityIfExistsAsync<DecisionEventEntity>(periodId, evt.RowKey, cancellationToken: ct);
            if (!stored.HasValue || stored.Value!.ChangeId != changeId)
            {
                if (ex is RequestFailedException { Status: 409 or 412 })
                {
                    await scope.NotStoredAsync();
                    var now = await store.Decisions.GetEntityIfExistsAsync<DecisionEntity>(periodId, current.RowKey, cancellationToken: ct);
                    if (now.HasValue && now.Value!.ClosedAt is { } closedAt)
                    {
                        throw new PeriodClosedException(periodId, closedAt);
                    }

                    throw new DecisionConflictException(ex);
                }

                throw;
            }
        }

        await scope.StoredAsync();

        return await GetAsync(periodId, after.UnitCode, ct) ?? throw new InvalidOperationException("A stored decision row could not be read back.");
    }
}

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Decisions</c> is
/// <see cref="DecisionStore"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Decisions => store.Table<DecisionStore>();
    }
}
