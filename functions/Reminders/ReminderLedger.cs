using Azure;
using Azure.Data.Tables;
using DanVan.Email;
using DanVan.Storage;

namespace DanVan.Reminders;

/// <summary>
/// Table <c>reminders</c>: the ledger that makes each (period, unit, stage) email go out at most once, ever.
/// PartitionKey = the period id; RowKey = <c>{unit}~{stage}</c> (unit codes are [a-z0-9-], so '~' never
/// occurs inside one). A sender first claims the row: an insert that fails if it exists, so of two
/// runs at the same moment exactly one wins. A claim stays <c>sending</c> until the outcome is recorded;
/// a row left <c>sending</c> by a crash is never sent again (at most once wins over at least once).
/// A <c>failed</c> row may be claimed again, by an ETag-conditional update, so the next run retries it.
/// </summary>
public sealed class ReminderEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string UnitCode { get; set; } = "";
    public string Stage { get; set; } = "";

    /// <summary><see cref="ReminderStatus"/>: sending, sent or failed.</summary>
    public string Status { get; set; } = "";
    public string? Reason { get; set; }
    public string? MessageId { get; set; }

    /// <summary>Provider calls, over every run that tried.</summary>
    public int Attempts { get; set; }

    /// <summary>Runs that claimed the row.</summary>
    public int Runs { get; set; }

    public string To { get; set; } = "";
    public string? Cc { get; set; }
    public string Actor { get; set; } = "";
    public DateTimeOffset ClaimedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

public static class ReminderStatus
{
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <summary>The result of trying to claim a ledger row: the claimed row, or the state that stopped us.</summary>
public sealed record ReminderClaim(ReminderEntity? Row, string? ExistingStatus)
{
    public bool Won => Row is not null;
}

public sealed class ReminderLedger(DanVanStore store, TimeProvider clock)
{
    public static string RowKey(string unitCode, string stage) => $"{unitCode}~{stage}";

    public async Task<ReminderClaim> ClaimAsync(string periodId, string unitCode, string stage, string to, string? cc, string actor, CancellationToken ct)
    {
        var row = new ReminderEntity
        {
            PartitionKey = periodId,
            RowKey = RowKey(unitCode, stage),
            UnitCode = unitCode,
            Stage = stage,
            Status = ReminderStatus.Sending,
            Runs = 1,
            To = to,
            Cc = cc,
            Actor = actor,
            ClaimedAt = clock.GetUtcNow(),
        };
        try
        {
            var added = await store.Reminders.AddEntityAsync(row, ct);
            row.ETag = added.Headers.ETag ?? throw new InvalidOperationException("The table service returned no ETag.");
            return new ReminderClaim(row, null);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await ReclaimFailedAsync(periodId, row.RowKey, to, cc, actor, ct);
        }
    }

    private async Task<ReminderClaim> ReclaimFailedAsync(string periodId, string rowKey, string to, string? cc, string actor, CancellationToken ct)
    {
        var existing = (await store.Reminders.GetEntityAsync<ReminderEntity>(periodId, rowKey, cancellationToken: ct)).Value;
        if (existing.Status != ReminderStatus.Failed)
        {
            return new ReminderClaim(null, existing.Status);
        }

        existing.Status = ReminderStatus.Sending;
        existing.Runs++;
        existing.To = to;
        existing.Cc = cc;
        existing.Actor = actor;
        existing.ClaimedAt = clock.GetUtcNow();
        try
        {
            var updated = await store.Reminders.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, ct);
            existing.ETag = updated.Headers.ETag ?? throw new InvalidOperationException("The table service returned no ETag.");
            return new ReminderClaim(existing, null);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another run re-claimed it between our read and our write.
            return new ReminderClaim(null, ReminderStatus.Sending);
        }
    }

    /// <summary>Records what became of a claimed send; the claim's ETag guards the write.</summary>
    public async Task RecordAsync(ReminderEntity claimed, EmailOutcome outcome, CancellationToken ct)
    {
        claimed.Status = outcome.Sent ? ReminderStatus.Sent : ReminderStatus.Failed;
        claimed.Reason = outcome.Reason is { Length: > 1000 } reason ? reason[..1000] : outcome.Reason;
        claimed.MessageId = outcome.MessageId;
        claimed.Attempts += outcome.Attempts;
        claimed.SentAt = outcome.Sent ? clock.GetUtcNow() : null;
        var updated = await store.Reminders.UpdateEntityAsync(claimed, claimed.ETag, TableUpdateMode.Replace, ct);
        claimed.ETag = updated.Headers.ETag ?? claimed.ETag;
    }

    public async Task<IReadOnlyDictionary<string, ReminderEntity>> ForStageAsync(string periodId, string stage, CancellationToken ct)
    {
        var rows = new Dictionary<string, ReminderEntity>(StringComparer.Ordinal);
        await foreach (var e in store.Reminders.QueryAsync<ReminderEntity>(e => e.PartitionKey == periodId && e.Stage == stage, cancellationToken: ct))
        {
            rows[e.UnitCode] = e;
        }

        return rows;
    }

    public async Task<IReadOnlyList<ReminderEntity>> ForPeriodAsync(string periodId, CancellationToken ct = default)
    {
        var rows = new List<ReminderEntity>();
        await foreach (var e in store.Reminders.QueryAsync<ReminderEntity>(e => e.PartitionKey == periodId, cancellationToken: ct))
        {
            rows.Add(e);
        }

        return rows;
    }
}
