using Azure;
using Azure.Data.Tables;
using DanVan.Email;
using DanVan.Storage;
using Microsoft.Extensions.Options;

namespace DanVan.Reminders;

/// <summary>
/// Table <c>reminders</c>: DanVan's email ledger, which makes each email go out at most once, ever: each
/// (period, unit, stage) reminder, each digest to Sở Nội vụ once per (period, stage, Vietnam day), and each
/// upload receipt once per (period, unit, version). Its keys are known here only (<see cref="ReminderLedger"/>):
/// <list type="bullet">
/// <item>a reminder: PartitionKey = the period id; RowKey = <c>{unit}~{stage}</c> (unit codes are [a-z0-9-],
/// so '~' never occurs inside one);</item>
/// <item>a digest: PartitionKey = <c>{period}~digest</c>, RowKey = <c>{stage}~{yyyy-MM-dd}</c> (the Vietnam
/// day of the run), <see cref="UnitCode"/> empty. Its own partition keeps it out of every reminder query;</item>
/// <item>a receipt: PartitionKey = <c>{period}~receipt</c>, RowKey = <c>{unit}~v{version}</c>, <see cref="Stage"/> empty.</item>
/// </list>
/// Whoever wants an email sent first claims the row (an insert that fails if it exists, so of two runs at the same
/// moment exactly one wins) as <c>queued</c>, with a fresh <see cref="ClaimId"/>, then puts the email on the queue
/// with that claim id. The queue-triggered sender moves the row to <c>sending</c> (ETag-conditional, only if it
/// still holds that claim and is <c>queued</c> or <c>failed</c>), sends, and records the outcome: <c>sent</c>,
/// <c>failed</c> (SendGrid certainly did not take it) or <c>unknown</c> (no answer: it may have gone out).
/// A message delivered again (a retry, a crash, a lost reply) finds the row no longer ready and sends nothing.
/// Only a <c>failed</c> row may be claimed again, by an ETag-conditional update, so the next run retries it.
/// An <c>unknown</c> row, and a row still <c>sending</c> after <see cref="ReminderLedger.AbandonedAfter"/>
/// (its sender crashed or was stopped mid-send), are never sent again automatically (at most once wins over
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

    /// <summary><see cref="ReminderStatus"/>: queued, sending, sent, failed or unknown.</summary>
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

    /// <summary>When the sender took the row from the queue and started sending (status <c>sending</c>).</summary>
    public DateTimeOffset? SendingAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>
    /// When the sender was about to make the request to SendGrid (written, ETag-conditional, just before the first
    /// attempt): a <c>sending</c> row without it never reached SendGrid and is safely sent again; with it, an
    /// unrecorded outcome is unknown.
    /// </summary>
    public DateTimeOffset? AttemptedAt { get; set; }

    /// <summary>Which delivery of the queue message is sending: a fresh id each time the sender takes the row.</summary>
    public string? SendId { get; set; }

    /// <summary>Who holds the claim: a fresh id per claim, so a claim whose reply was lost is recognised as one's own.</summary>
    public string? ClaimId { get; set; }
}

public static class ReminderStatus
{
    /// <summary>Claimed and on the email queue, waiting for the sender.</summary>
    public const string Queued = "queued";

    /// <summary>The sender took it from the queue and is sending it (or crashed while doing so).</summary>
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    /// <summary>The send got no answer (timed out, connection broken): SendGrid may have accepted it.</summary>
    public const string Unknown = "unknown";
}

/// <summary>
/// What the sender may do with a queue message: send it (<see cref="Row"/>, now <c>sending</c> under its claim)
/// or nothing, for <see cref="Skipped"/>: <c>no_row</c>, <c>stale_claim</c> (the row was claimed again since),
/// or the row's status (<c>sending</c>, <c>sent</c>, <c>unknown</c>).
/// </summary>
public sealed record SendPermit(ReminderEntity? Row, string? Skipped)
{
    public bool Granted => Row is not null;
}

/// <summary>
/// The result of trying to claim a ledger row: the claimed row, or the state that stopped us as
/// <see cref="ReminderLedger.StatusOf"/> reads it (an abandoned <c>sending</c> row is <c>unknown</c>).
/// </summary>
public sealed record ReminderClaim(ReminderEntity? Row, string? ExistingStatus)
{
    public bool Won => Row is not null;
}

/// <summary>One unit's reminder at one stage, to be claimed with others (<see cref="ReminderLedger.ClaimBatchAsync"/>).</summary>
public sealed record ReminderClaimRequest(string UnitCode, string Stage, string To, string? Cc);

public sealed class ReminderLedger(DanVanStore store, TimeProvider clock, IOptions<EmailOptions> email) : ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.RemindersTable;

    /// <summary>
    /// The time a run gives itself to record an outcome (and audit it) once the email has gone: its own,
    /// never the run's or the request's token, so an aborted request cannot lose what SendGrid accepted.
    /// </summary>
    public static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A claim still <c>sending</c> after this long (on the app's clock) was left by a run that crashed or
    /// was stopped between claiming and recording: longer than any live send can take (the wait for a send slot,
    /// every attempt to its timeout, the longest waits between them, then recording), plus a minute. With the
    /// default settings (a slot within 30 s, 4 attempts of at most 30 s, waits of at most 60 s) that is 7 minutes.
    /// Such a row is shown as unknown.
    /// </summary>
    public TimeSpan AbandonedAfter { get; } = email.Value.SlotWait + email.Value.LongestSend + RecordTimeout + TimeSpan.FromMinutes(1);

    public static string RowKey(string unitCode, string stage) => $"{unitCode}~{stage}";

    public static string DigestPartitionKey(string periodId) => $"{periodId}~digest";

    public static string DigestRowKey(string stage, DateOnly vietnamDay) => $"{stage}~{vietnamDay:yyyy-MM-dd}";

    public static string ReceiptPartitionKey(string periodId) => $"{periodId}~receipt";

    public static string ReceiptRowKey(string unitCode, int version) => $"{unitCode}~v{version}";

    /// <summary>What kind of email a row is for (<see cref="EmailKinds"/>), from its partition.</summary>
    public static string KindOf(ReminderEntity row) =>
        row.PartitionKey == AccessPartition ? EmailKinds.AccessLink
        : row.PartitionKey.Split('~') is [_, var kind] ? kind
        : EmailKinds.Reminder;

    /// <summary>One row, or null.</summary>
    public async Task<ReminderEntity?> FindAsync(string partitionKey, string rowKey, CancellationToken ct = default)
    {
        var found = await store.Reminders.GetEntityIfExistsAsync<ReminderEntity>(partitionKey, rowKey, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>The period a row belongs to, whichever kind of email it is for.</summary>
    public static string PeriodOf(ReminderEntity row) => row.PartitionKey.Split('~')[0];

    /// <summary>
    /// What a row says now: its status, except that a <c>sending</c> row abandoned by its sender (see
    /// <see cref="AbandonedAfter"/>, from when the sender took it) is <c>unknown</c>. A <c>queued</c> row stays
    /// queued however long the queue takes: nothing has tried to send it yet.
    /// </summary>
    public string StatusOf(ReminderEntity row) =>
        row.Status == ReminderStatus.Sending && row.AttemptedAt is not null && IsAbandoned(row) ? ReminderStatus.Unknown : row.Status;

    /// <summary>A <c>sending</c> row whose sender took it longer ago than <see cref="AbandonedAfter"/>.</summary>
    private bool IsAbandoned(ReminderEntity row) => clock.GetUtcNow() - (row.SendingAt ?? row.ClaimedAt) > AbandonedAfter;

    /// <summary>
    /// A <c>sending</c> row whose sender stopped before its request to SendGrid (no <see cref="ReminderEntity.AttemptedAt"/>
    /// after <see cref="AbandonedAfter"/>): certainly not sent, so a delivery of its message may take it over.
    /// </summary>
    private bool NeverAttempted(ReminderEntity row) => row.Status == ReminderStatus.Sending && row.AttemptedAt is null && IsAbandoned(row);

    /// <summary>A row still <c>queued</c> this long after its claim lost its message (its enqueue failed unseen): the sweep settles it.</summary>
    public static readonly TimeSpan QueuedBound = TimeSpan.FromHours(1);

    /// <summary>Claims the reminder of one unit at one stage.</summary>
    public Task<ReminderClaim> ClaimAsync(string periodId, string unitCode, string stage, string to, string? cc, string actor, CancellationToken ct) =>
        ClaimRowAsync(periodId, RowKey(unitCode, stage), unitCode, stage, to, cc, actor, ct);

    /// <summary>Claims the digest of one stage for one Vietnam day: one run a day mails it.</summary>
    public Task<ReminderClaim> ClaimDigestAsync(string periodId, string stage, DateOnly vietnamDay, string to, string actor, CancellationToken ct) =>
        ClaimRowAsync(DigestPartitionKey(periodId), DigestRowKey(stage, vietnamDay), "", stage, to, null, actor, ct);

    /// <summary>Claims the email receipt of one accepted version: one email per receipt.</summary>
    public Task<ReminderClaim> ClaimReceiptAsync(string periodId, string unitCode, int version, string to, string actor, CancellationToken ct) =>
        ClaimRowAsync(ReceiptPartitionKey(periodId), ReceiptRowKey(unitCode, version), unitCode, "", to, null, actor, ct);

    public static string DecisionPartitionKey(string periodId) => $"{periodId}~decision";

    public static string DecisionRowKey(string unitCode, int revision) => $"{unitCode}~r{revision:D6}";

    /// <summary>Claims the email telling a unit of one decision (a return, an acceptance): one email per change of its decisions.</summary>
    public Task<ReminderClaim> ClaimDecisionAsync(string periodId, string unitCode, int revision, string to, string actor, CancellationToken ct) =>
        ClaimRowAsync(DecisionPartitionKey(periodId), DecisionRowKey(unitCode, revision), unitCode, "", to, null, actor, ct);

    /// <summary>
    /// Claims the reminders of several units of one period (each a row never claimed before, as far as the caller
    /// read) in entity-group transactions of up to 100 rows: one round trip claims them all, or none. When a
    /// transaction does not certainly succeed (a row exists after all: another run, or our own transaction whose
    /// reply was lost and whose retry met it; storage failing) each of its rows is claimed on its own under the
    /// same claim id, so a row our lost transaction did claim is read back as ours, never guessed.
    /// Answers a claim per request, in their order.
    /// </summary>
    public async Task<IReadOnlyList<ReminderClaim>> ClaimBatchAsync(string periodId, IReadOnlyList<ReminderClaimRequest> requests, string actor, CancellationToken ct)
    {
        var claims = new ReminderClaim[requests.Count];
        for (var start = 0; start < requests.Count; start += MaxTransaction)
        {
            var rows = requests.Skip(start).Take(MaxTransaction)
                .Select(r => NewRow(periodId, RowKey(r.UnitCode, r.Stage), r.UnitCode, r.Stage, r.To, r.Cc, actor, NewClaimId()))
                .ToList();
            try
            {
                var responses = (await store.Reminders.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), ct)).Value;
                for (var i = 0; i < rows.Count; i++)
                {
                    rows[i].ETag = responses[i].Headers.ETag ?? throw new InvalidOperationException("The table service returned no ETag.");
                    claims[start + i] = new ReminderClaim(rows[i], null);
                }
            }
            catch (Exception ex) when (StorageFailures.Is(ex, ct))
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    var r = rows[i];
                    claims[start + i] = await ClaimRowAsync(r.PartitionKey, r.RowKey, r.UnitCode, r.Stage, r.To, r.Cc, actor, ct, r.ClaimId);
                }
            }
        }

        return claims;
    }

    /// <summary>Rows in one entity-group transaction: the table service's limit.</summary>
    public const int MaxTransaction = 100;

    private ReminderEntity NewRow(string partitionKey, string rowKey, string unitCode, string stage, string to, string? cc, string actor, string claimId) => new()
    {
        PartitionKey = partitionKey,
        RowKey = rowKey,
        UnitCode = unitCode,
        Stage = stage,
        Status = ReminderStatus.Queued,
        Runs = 1,
        ClaimId = claimId,
        To = to,
        Cc = cc,
        Actor = actor,
        ClaimedAt = clock.GetUtcNow(),
    };

    private async Task<ReminderClaim> ClaimRowAsync(string partitionKey, string rowKey, string unitCode, string stage, string to, string? cc, string actor, CancellationToken ct, string? claimId = null)
    {
        var row = NewRow(partitionKey, rowKey, unitCode, stage, to, cc, actor, claimId ?? NewClaimId());
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

        existing.Status = ReminderStatus.Queued;
        existing.ClaimId = NewClaimId();
        existing.SendId = null;
        existing.SendingAt = null;
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

    /// <summary>
    /// The sender's step before sending a queue message: the row must still hold <paramref name="claimId"/> and be
    /// <c>queued</c> (or <c>failed</c>: an earlier delivery of the same message was certainly refused). It becomes
    /// <c>sending</c> by an ETag-conditional update, so of two deliveries of one message at most one sends.
    /// A row already <c>sending</c> is never sent again: its delivery may have reached SendGrid before it crashed.
    /// </summary>
    /// <param name="triedSendId">The send id of an earlier write of ours whose outcome is not known (a batch's): a row already
    /// <c>sending</c> under it is ours to send.</param>
    public async Task<SendPermit> BeginSendAsync(string partitionKey, string rowKey, string claimId, CancellationToken ct, string? triedSendId = null)
    {
        var response = await store.Reminders.GetEntityIfExistsAsync<ReminderEntity>(partitionKey, rowKey, cancellationToken: ct);
        if (!response.HasValue || response.Value is not { } row)
        {
            return new SendPermit(null, "no_row");
        }

        if (triedSendId is not null && row.ClaimId == claimId && row.Status == ReminderStatus.Sending && row.SendId == triedSendId)
        {
            return new SendPermit(row, null);
        }

        if (Refusal(row, claimId) is { } refused)
        {
            return refused;
        }

        MarkSending(row);
        try
        {
            var updated = await store.Reminders.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
            row.ETag = updated.Headers.ETag ?? throw new InvalidOperationException("The table service returned no ETag.");
            return new SendPermit(row, null);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another delivery took it first, or our write's reply was lost: read which.
            var now = (await store.Reminders.GetEntityAsync<ReminderEntity>(partitionKey, rowKey, cancellationToken: ct)).Value;
            return now.SendId == row.SendId ? new SendPermit(now, null) : new SendPermit(null, now.ClaimId == claimId ? StatusOf(now) : "stale_claim");
        }
    }

    /// <summary>Why a row may not be sent under <paramref name="claimId"/> now; null when it may.</summary>
    private SendPermit? Refusal(ReminderEntity row, string claimId) =>
        row.ClaimId != claimId ? new SendPermit(null, "stale_claim")
        : row.Status is not (ReminderStatus.Queued or ReminderStatus.Failed) && !NeverAttempted(row) ? new SendPermit(null, StatusOf(row))
        : null;

    private void MarkSending(ReminderEntity row)
    {
        row.Status = ReminderStatus.Sending;
        row.SendId = Guid.NewGuid().ToString("N");
        row.SendingAt = clock.GetUtcNow();
        row.AttemptedAt = null;
    }

    /// <summary>
    /// Records, just before the request to SendGrid, that the row the sender holds (<c>sending</c> under its send id) is
    /// about to be attempted: ETag-conditional, so a sender whose row was taken over meanwhile (it was abandoned) learns
    /// it and sends nothing. False when the row is no longer ours; a write whose reply was lost is read back.
    /// </summary>
    public async Task<bool> BeginAttemptAsync(ReminderEntity row, CancellationToken ct)
    {
        var sendId = row.SendId;
        row.AttemptedAt = clock.GetUtcNow();
        try
        {
            var updated = await store.Reminders.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
            row.ETag = updated.Headers.ETag ?? throw new InvalidOperationException("The table service returned no ETag.");
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            var now = (await store.Reminders.GetEntityAsync<ReminderEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct)).Value;
            if (now.SendId == sendId && now.Status == ReminderStatus.Sending && now.AttemptedAt == row.AttemptedAt)
            {
                row.ETag = now.ETag;
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// An officer checked SendGrid's activity and asks for one email again: a row whose outcome is unknown, or that
    /// failed, becomes <c>failed</c> under the same claim (ETag-conditional), so its message, put back on the queue,
    /// may send it once, and a reminder run may claim it again. Answers the row released and what it was; no row (null,
    /// null) or a row in another state (null, its status) is left as it is.
    /// </summary>
    public async Task<(ReminderEntity? Row, string? Status)> ReleaseAsync(string partitionKey, string rowKey, string actor, CancellationToken ct)
    {
        var found = await store.Reminders.GetEntityIfExistsAsync<ReminderEntity>(partitionKey, rowKey, cancellationToken: ct);
        if (!found.HasValue || found.Value is not { } row)
        {
            return (null, null);
        }

        var status = StatusOf(row);
        if (status is not (ReminderStatus.Unknown or ReminderStatus.Failed))
        {
            return (null, status);
        }

        row.Status = ReminderStatus.Failed;
        row.Reason = $"sent again by {actor} after checking; was {status}: {row.Reason}";
        row.Reason = row.Reason.Length > 1000 ? row.Reason[..1000] : row.Reason;
        var updated = await store.Reminders.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
        row.ETag = updated.Headers.ETag ?? row.ETag;
        return (row, status);
    }

    /// <summary>Every row whose outcome is unknown (recorded so, or abandoned after its attempt), for the dashboard.</summary>
    public async Task<IReadOnlyList<ReminderEntity>> UnknownAsync(CancellationToken ct = default)
    {
        var rows = new List<ReminderEntity>();
        var filter = TableClient.CreateQueryFilter($"Status eq {ReminderStatus.Unknown} or Status eq {ReminderStatus.Sending}");
        await foreach (var e in store.Reminders.QueryAsync<ReminderEntity>(filter, cancellationToken: ct))
        {
            if (StatusOf(e) == ReminderStatus.Unknown)
            {
                rows.Add(e);
            }
        }

        return rows;
    }

    /// <summary>What one sweep of the ledger settled.</summary>
    public sealed record SweepResult(int NeverAttempted, int Unknown);

    /// <summary>
    /// Settles rows stuck on their way: a <c>queued</c> row older than <see cref="QueuedBound"/> (its message may never
    /// have reached the queue), and a <c>sending</c> row abandoned before its attempt, become <c>failed</c> ("never
    /// attempted"): certainly not sent, so the message, if it still comes, sends it, and a reminder run claims it again
    /// (a new claim makes any old message stale). A <c>sending</c> row abandoned after its attempt becomes
    /// <c>unknown</c>. Each write is ETag-conditional: a row that moved meanwhile is left as it is.
    /// </summary>
    public async Task<SweepResult> SweepAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        int never = 0, unknown = 0;
        var filter = TableClient.CreateQueryFilter($"Status eq {ReminderStatus.Queued} or Status eq {ReminderStatus.Sending}");
        await foreach (var row in store.Reminders.QueryAsync<ReminderEntity>(filter, cancellationToken: ct))
        {
            string? settled = null;
            if ((row.Status == ReminderStatus.Queued && now - row.ClaimedAt > QueuedBound) || NeverAttempted(row))
            {
                settled = ReminderStatus.Failed;
                row.Reason = $"never attempted: {row.Status} since {(row.SendingAt ?? row.ClaimedAt):u}, settled by the sweep";
            }
            else if (row.Status == ReminderStatus.Sending && IsAbandoned(row))
            {
                settled = ReminderStatus.Unknown;
                row.Reason = $"outcome unknown: the sender stopped after its request to SendGrid at {row.AttemptedAt:u}";
            }

            if (settled is null)
            {
                continue;
            }

            row.Status = settled;
            try
            {
                await store.Reminders.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
                _ = settled == ReminderStatus.Failed ? never++ : unknown++;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                // It moved on meanwhile (a delivery took it, a run claimed it): nothing to settle.
            }
        }

        return new SweepResult(never, unknown);
    }

    /// <summary>
    /// <see cref="BeginSendAsync"/> for the rows of a batch message (one partition): the rows as their claims wrote
    /// them (carried by the message with their ETags; without them, one range read), then every row that may be
    /// sent becomes <c>sending</c> in one ETag-conditional transaction, which fails if any row changed. When that
    /// transaction does not certainly succeed (a row changed since the read, or its reply was lost), each row
    /// goes through <see cref="BeginSendAsync"/> on its own, which reads it back: a row already <c>sending</c> under
    /// the send id our transaction tried is ours. Answers a permit per item, in their order.
    /// </summary>
    public async Task<IReadOnlyList<SendPermit>> BeginSendBatchAsync(string partitionKey, IReadOnlyList<EmailQueueItem> items, CancellationToken ct)
    {
        var rows = new Dictionary<string, ReminderEntity>(StringComparer.Ordinal);
        if (items.All(i => i.ETag is not null))
        {
            // The rows as their claims wrote them: the transaction's ETags prove they are still those versions.
            foreach (var item in items)
            {
                rows[item.RowKey] = AsClaimed(partitionKey, item);
            }
        }
        else
        {
            var keys = items.Select(i => i.RowKey).ToHashSet(StringComparer.Ordinal);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {keys.Min(StringComparer.Ordinal)} and RowKey le {keys.Max(StringComparer.Ordinal)}");
            await foreach (var e in store.Reminders.QueryAsync<ReminderEntity>(filter, cancellationToken: ct))
            {
                if (keys.Contains(e.RowKey))
                {
                    rows[e.RowKey] = e;
                }
            }
        }

        var permits = new SendPermit[items.Count];
        var sending = new List<int>();
        for (var i = 0; i < items.Count; i++)
        {
            if (!rows.TryGetValue(items[i].RowKey, out var row))
            {
                permits[i] = new SendPermit(null, "no_row");
            }
            else if (Refusal(row, items[i].ClaimId) is { } refused)
            {
                permits[i] = refused;
            }
            else
            {
                MarkSending(row);
                sending.Add(i);
            }
        }

        if (sending.Count == 0)
        {
            return permits;
        }

        var marked = sending.Select(i => rows[items[i].RowKey]).ToList();

        try
        {
            var responses = (await store.Reminders.SubmitTransactionAsync(marked.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateReplace, r, r.ETag)), ct)).Value;
            for (var k = 0; k < marked.Count; k++)
            {
                marked[k].ETag = responses[k].Headers.ETag ?? throw new InvalidOperationException("The table service returned no ETag.");
                permits[sending[k]] = new SendPermit(marked[k], null);
            }
        }
        catch (Exception ex) when (StorageFailures.Is(ex, ct))
        {
            for (var k = 0; k < marked.Count; k++)
            {
                var item = items[sending[k]];
                permits[sending[k]] = await BeginSendAsync(partitionKey, item.RowKey, item.ClaimId, ct, triedSendId: marked[k].SendId);
            }
        }

        return permits;
    }

    /// <summary>A row as the claim an item carries wrote it (status <c>queued</c>), under that write's ETag.</summary>
    public static ReminderEntity AsClaimed(string partitionKey, EmailQueueItem item) => new()
    {
        PartitionKey = partitionKey,
        RowKey = item.RowKey,
        ETag = new ETag(item.ETag!),
        UnitCode = item.UnitCode ?? "",
        Stage = item.Stage ?? "",
        Status = ReminderStatus.Queued,
        Runs = item.Runs,
        Attempts = item.Attempts,
        ClaimId = item.ClaimId,
        To = item.To ?? "",
        Cc = item.Cc,
        Actor = item.Actor ?? "",
        ClaimedAt = item.ClaimedAt ?? default,
    };

    /// <summary>
    /// <see cref="RecordAsync"/> for several sends of one partition: one ETag-conditional transaction (up to 100
    /// rows each); when one does not certainly succeed, each of its rows is written on its own, which reads back a
    /// row our lost transaction already wrote.
    /// </summary>
    public async Task RecordBatchAsync(IReadOnlyList<(ReminderEntity Claimed, EmailOutcome Outcome)> sends, CancellationToken ct)
    {
        foreach (var (claimed, outcome) in sends)
        {
            Apply(claimed, outcome);
        }

        foreach (var chunk in sends.Select(s => s.Claimed).Chunk(MaxTransaction))
        {
            if (chunk.Length == 1 || chunk.Any(c => c.PartitionKey != chunk[0].PartitionKey))
            {
                foreach (var claimed in chunk)
                {
                    await WriteOutcomeAsync(claimed, ct);
                }

                continue;
            }

            try
            {
                var responses = (await store.Reminders.SubmitTransactionAsync(chunk.Select(c => new TableTransactionAction(TableTransactionActionType.UpdateReplace, c, c.ETag)), ct)).Value;
                for (var k = 0; k < chunk.Length; k++)
                {
                    chunk[k].ETag = responses[k].Headers.ETag ?? chunk[k].ETag;
                }
            }
            catch (Exception ex) when (StorageFailures.Is(ex, ct))
            {
                foreach (var claimed in chunk)
                {
                    await WriteOutcomeAsync(claimed, ct);
                }
            }
        }
    }

    /// <summary>Records what became of a claimed send; the claim's ETag guards the write.</summary>
    public async Task RecordAsync(ReminderEntity claimed, EmailOutcome outcome, CancellationToken ct)
    {
        Apply(claimed, outcome);
        await WriteOutcomeAsync(claimed, ct);
    }

    private void Apply(ReminderEntity claimed, EmailOutcome outcome)
    {
        claimed.Status = outcome.Result switch
        {
            EmailResult.Sent => ReminderStatus.Sent,
            EmailResult.Failed => ReminderStatus.Failed,
            EmailResult.Unknown => ReminderStatus.Unknown,
            _ => throw new ArgumentException("Only the sender's outcome (sent, failed, unknown) is recorded.", nameof(outcome)),
        };
        claimed.Reason = outcome.Reason is { Length: > 1000 } reason ? reason[..1000] : outcome.Reason;
        claimed.MessageId = outcome.MessageId;
        claimed.Attempts += outcome.Attempts;
        claimed.SentAt = outcome.Result == EmailResult.Sent ? clock.GetUtcNow() : null;
    }

    private async Task WriteOutcomeAsync(ReminderEntity claimed, CancellationToken ct)
    {
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

    /// <summary>
    /// An access link (a unit's upload link with a fresh credential): PartitionKey <c>access</c>, RowKey
    /// <c>{unit}~{request}</c>, one email per unit and request (an admin's action, or a unit's hourly resend).
    /// </summary>
    public const string AccessPartition = "access";

    public static string AccessRowKey(string unitCode, string request) => $"{unitCode}~{request}";

    /// <summary>Claims the access-link email of one unit for one request: a repeated request sends nothing more.</summary>
    public Task<ReminderClaim> ClaimAccessLinkAsync(string unitCode, string request, string to, string actor, CancellationToken ct) =>
        ClaimRowAsync(AccessPartition, AccessRowKey(unitCode, request), unitCode, "", to, null, actor, ct);

    /// <summary>Every access-link row, for the dashboard's "link sent" column.</summary>
    public Task<IReadOnlyList<ReminderEntity>> AccessLinksAsync(CancellationToken ct = default) =>
        PartitionAsync(AccessPartition, ct);

    /// <summary>One unit's access-link rows (a range of the access partition).</summary>
    public async Task<IReadOnlyList<ReminderEntity>> AccessLinksOfAsync(string unitCode, CancellationToken ct = default)
    {
        var rows = new List<ReminderEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {AccessPartition} and RowKey gt {unitCode + "~"} and RowKey lt {unitCode + "\u007f"}");
        await foreach (var e in store.Reminders.QueryAsync<ReminderEntity>(filter, cancellationToken: ct))
        {
            rows.Add(e);
        }

        return rows;
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

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Reminders</c> is
/// <see cref="ReminderLedger"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Reminders => store.Table<ReminderLedger>();
    }
}
