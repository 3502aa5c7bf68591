using Azure;
using Azure.Data.Tables;
using DanVan.Email;
using DanVan.Storage;
using Microsoft.Extensions.Options;

namespace DanVan.Reminders;

/// <summary>
/// Table <c>reminders</c>: the ledger that makes each (period, unit, stage) email go out at most once, ever,
/// and each digest to Sở Nội vụ at most once per (period, stage, Vietnam day). Its keys are known here only
/// (<see cref="ReminderLedger"/>):
/// <list type="bullet">
/// <item>a reminder: PartitionKey = the period id; RowKey = <c>{unit}~{stage}</c> (unit codes are [a-z0-9-],
/// so '~' never occurs inside one);</item>
/// <item>a digest: PartitionKey = <c>{period}~digest</c>, RowKey = <c>{stage}~{yyyy-MM-dd}</c> (the Vietnam
/// day of the run), <see cref="UnitCode"/> empty. Its own partition keeps it out of every reminder query.</item>
/// </list>
/// A sender first claims the row: an insert that fails if it exists, so of two runs at the same moment
/// exactly one wins. A claim stays <c>sending</c> until the outcome is recorded: <c>sent</c>, <c>failed</c>
/// (SendGrid certainly did not take it) or <c>unknown</c> (no answer: it may have gone out). Only a
/// <c>failed</c> row may be claimed again, by an ETag-conditional update, so the next run retries it.
/// An <c>unknown</c> row, and a row still <c>sending</c> after <see cref="ReminderLedger.AbandonedAfter"/>
/// (its run crashed or was stopped mid-send), are never sent again automatically (at most once wins over
/// at least once): the admin sees them as unknown and checks SendGrid's activity log.
/// </summary>
public sealed class ReminderEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string UnitCode { get; set; } = "";
    public string Stage { get; set; } = "";

    /// <summary><see cref="ReminderStatus"/>: sending, sent, failed or unknown.</summary>
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

    /// <summary>Who holds the claim: a fresh id per claim, so a claim whose reply was lost is recognised as one's own.</summary>
    public string? ClaimId { get; set; }
}

public static class ReminderStatus
{
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    /// <summary>The send got no answer (timed out, connection broken): SendGrid may have accepted it.</summary>
    public const string Unknown = "unknown";
}

/// <summary>
/// The result of trying to claim a ledger row: the claimed row, or the state that stopped us as
/// <see cref="ReminderLedger.StatusOf"/> reads it (an abandoned <c>sending</c> row is <c>unknown</c>).
/// </summary>
public sealed record ReminderClaim(ReminderEntity? Row, string? ExistingStatus)
{
    public bool Won => Row is not null;
}

public sealed class ReminderLedger(DanVanStore store, TimeProvider clock, IOptions<EmailOptions> email)
{
    /// <summary>
    /// The time a run gives itself to record an outcome (and audit it) once the email has gone: its own,
    /// never the run's or the request's token, so an aborted request cannot lose what SendGrid accepted.
    /// </summary>
    public static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A claim still <c>sending</c> after this long (on the app's clock) was left by a run that crashed or
    /// was stopped between claiming and recording: longer than any live send can take (every attempt to its
    /// timeout, the longest waits between them, then recording), plus a minute. With the default settings
    /// (4 attempts of at most 30 s, waits of at most 60 s) that is 6.5 minutes. Such a row is shown as unknown.
    /// </summary>
    public TimeSpan AbandonedAfter { get; } = email.Value.LongestSend + RecordTimeout + TimeSpan.FromMinutes(1);

    public static string RowKey(string unitCode, string stage) => $"{unitCode}~{stage}";

    public static string DigestPartitionKey(string periodId) => $"{periodId}~digest";

    public static string DigestRowKey(string stage, DateOnly vietnamDay) => $"{stage}~{vietnamDay:yyyy-MM-dd}";

    /// <summary>What a row says now: its status, except that an abandoned <c>sending</c> claim is <c>unknown</c>.</summary>
    public string StatusOf(ReminderEntity row) =>
        row.Status == ReminderStatus.Sending && clock.GetUtcNow() - row.ClaimedAt > AbandonedAfter ? ReminderStatus.Unknown : row.Status;

    /// <summary>Claims the reminder of one unit at one stage.</summary>
    public Task<ReminderClaim> ClaimAsync(string periodId, string unitCode, string stage, string to, string? cc, string actor, CancellationToken ct) =>
        ClaimRowAsync(periodId, RowKey(unitCode, stage), unitCode, stage, to, cc, actor, ct);

    /// <summary>Claims the digest of one stage for one Vietnam day: one run a day mails it.</summary>
    public Task<ReminderClaim> ClaimDigestAsync(string periodId, string stage, DateOnly vietnamDay, string to, string actor, CancellationToken ct) =>
        ClaimRowAsync(DigestPartitionKey(periodId), DigestRowKey(stage, vietnamDay), "", stage, to, null, actor, ct);

    private async Task<ReminderClaim> ClaimRowAsync(string partitionKey, string rowKey, string unitCode, string stage, string to, string? cc, string actor, CancellationToken ct)
    {
        var row = new ReminderEntity
        {
            PartitionKey = partitionKey,
            RowKey = rowKey,
            UnitCode = unitCode,
            Stage = stage,
            Status = ReminderStatus.Sending,
            Runs = 1,
            ClaimId = NewClaimId(),
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
            return await ReclaimFailedAsync(partitionKey, rowKey, row.ClaimId!, to, cc, actor, ct);
        }
    }

    private async Task<ReminderClaim> ReclaimFailedAsync(string partitionKey, string rowKey, string ourClaim, string to, string? cc, string actor, CancellationToken ct)
    {
        var existing = (await store.Reminders.GetEntityAsync<ReminderEntity>(partitionKey, rowKey, cancellationToken: ct)).Value;
        if (existing.ClaimId == ourClaim)
        {
            // Our own claim: its reply was lost and the SDK's retry met it.
            return new ReminderClaim(existing, null);
        }

        if (existing.Status != ReminderStatus.Failed)
        {
            return new ReminderClaim(null, StatusOf(existing));
        }

        existing.Status = ReminderStatus.Sending;
        existing.ClaimId = NewClaimId();
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
            // Another run re-claimed it between our read and our write, or our write's reply was lost: read which.
            var now = (await store.Reminders.GetEntityAsync<ReminderEntity>(existing.PartitionKey, existing.RowKey, cancellationToken: ct)).Value;
            return now.ClaimId == existing.ClaimId ? new ReminderClaim(now, null) : new ReminderClaim(null, StatusOf(now));
        }
    }

    /// <summary>Records what became of a claimed send; the claim's ETag guards the write.</summary>
    public async Task RecordAsync(ReminderEntity claimed, EmailOutcome outcome, CancellationToken ct)
    {
        claimed.Status = outcome.Result switch
        {
            EmailResult.Sent => ReminderStatus.Sent,
            EmailResult.Failed => ReminderStatus.Failed,
            _ => ReminderStatus.Unknown,
        };
        claimed.Reason = outcome.Reason is { Length: > 1000 } reason ? reason[..1000] : outcome.Reason;
        claimed.MessageId = outcome.MessageId;
        claimed.Attempts += outcome.Attempts;
        claimed.SentAt = outcome.Sent ? clock.GetUtcNow() : null;
        try
        {
            var updated = await store.Reminders.UpdateEntityAsync(claimed, claimed.ETag, TableUpdateMode.Replace, ct);
            claimed.ETag = updated.Headers.ETag ?? claimed.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // The claim is ours alone, so a changed row is our own write whose reply was lost: read it to be sure.
            var stored = (await store.Reminders.GetEntityAsync<ReminderEntity>(claimed.PartitionKey, claimed.RowKey, cancellationToken: ct)).Value;
            if (stored.ClaimId != claimed.ClaimId || stored.Status != claimed.Status || stored.MessageId != claimed.MessageId)
            {
                throw;
            }

            claimed.ETag = stored.ETag;
        }
    }

    private static string NewClaimId() => Guid.NewGuid().ToString("N");

    /// <summary>The reminder rows of one stage of a period, by unit code.</summary>
    public async Task<IReadOnlyDictionary<string, ReminderEntity>> ForStageAsync(string periodId, string stage, CancellationToken ct)
    {
        var rows = new Dictionary<string, ReminderEntity>(StringComparer.Ordinal);
        await foreach (var e in store.Reminders.QueryAsync<ReminderEntity>(e => e.PartitionKey == periodId && e.Stage == stage, cancellationToken: ct))
        {
            rows[e.UnitCode] = e;
        }

        return rows;
    }

    /// <summary>The reminder rows of a period (not its digests).</summary>
    public Task<IReadOnlyList<ReminderEntity>> ForPeriodAsync(string periodId, CancellationToken ct = default) =>
        PartitionAsync(periodId, ct);

    /// <summary>The digest rows of a period, one per stage and Vietnam day that mailed (or tried to mail) one.</summary>
    public Task<IReadOnlyList<ReminderEntity>> DigestsAsync(string periodId, CancellationToken ct = default) =>
        PartitionAsync(DigestPartitionKey(periodId), ct);

    private async Task<IReadOnlyList<ReminderEntity>> PartitionAsync(string partitionKey, CancellationToken ct)
    {
        var rows = new List<ReminderEntity>();
        await foreach (var e in store.Reminders.QueryAsync<ReminderEntity>(e => e.PartitionKey == partitionKey, cancellationToken: ct))
        {
            rows.Add(e);
        }

        return rows;
    }
}
