using Azure;
using Azure.Data.Tables;
using DanVan.Storage;
using Microsoft.Extensions.Options;

namespace DanVan.Email;

/// <summary>
/// Table <c>emailledger</c>: DanVan's email ledger, which makes each email go out at most once, ever: each
/// (period, unit, stage) reminder, each digest to Sở Nội vụ once per (period, stage, Vietnam day), each upload receipt
/// once per (period, unit, version), each decision email once per change of a unit's decisions, each access link once
/// per (unit, request). Its keys are known here only:
/// <list type="bullet">
/// <item>a reminder: PartitionKey = the period id; RowKey = <c>{unit}~{stage}</c> (unit codes are [a-z0-9-],
/// so '~' never occurs inside one);</item>
/// <item>a digest: PartitionKey = <c>{period}~digest</c>, RowKey = <c>{stage}~{yyyy-MM-dd}</c> (the Vietnam
/// day of the run), no unit. Its own partition keeps it out of every reminder query;</item>
/// <item>a receipt: PartitionKey = <c>{period}~receipt</c>, RowKey = <c>{unit}~v{version}</c>, no stage;</item>
/// <item>a decision: PartitionKey = <c>{period}~decision</c>, RowKey = <c>{unit}~r{revision:D6}</c>;</item>
/// <item>an access link: PartitionKey = <c>access</c>, RowKey = <c>{unit}~{request}</c>.</item>
/// </list>
/// Whoever wants an email sent first claims the row (an insert that fails if it exists, so of two runs at the same
/// moment exactly one wins) as <c>queued</c>, with a claim id, then puts the email on the queue with that claim id (a
/// receipt's message is put first and its row claimed by the sender under the message's claim id: see
/// <see cref="ClaimOnDeliveryAsync"/>). The queue-triggered sender moves the row to <c>sending</c> (conditional, only
/// if it still holds that claim and is <c>queued</c> or <c>failed</c>), sends, and records the outcome: <c>sent</c>,
/// <c>failed</c> (SendGrid certainly did not take it) or <c>unknown</c> (no answer: it may have gone out).
/// A message delivered again (a retry, a crash, a lost reply) finds the row no longer ready and sends nothing.
/// Only a <c>failed</c> row may be claimed again, by a conditional update, so the next run retries it.
/// An <c>unknown</c> row, and a row still <c>sending</c> after <see cref="AbandonedAfter"/>
/// (its sender crashed or was stopped mid-send), are never sent again automatically (at most once wins over
/// at least once): the admin sees them as unknown and checks SendGrid's activity log.
/// The rows were kept in a table named <c>reminders</c> before; they are copied here once (<see cref="MigrateAsync"/>).
/// </summary>
public sealed partial class EmailLedger(DanVanStore store, TimeProvider clock, IOptions<EmailOptions> email) : ITableOwner
{
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

    /// <summary>A row still <c>queued</c> this long after its claim lost its message (its enqueue failed unseen): the sweep settles it.</summary>
    public static readonly TimeSpan QueuedBound = TimeSpan.FromHours(1);

    /// <summary>Rows in one entity-group transaction: the table service's limit.</summary>
    public const int MaxTransaction = 100;

    /// <summary>The partition of access-link rows.</summary>
    public const string AccessPartition = "access";

    public static string RowKey(string unitCode, string stage) => $"{unitCode}~{stage}";

    public static string DigestPartitionKey(string periodId) => $"{periodId}~digest";

    public static string DigestRowKey(string stage, DateOnly vietnamDay) => $"{stage}~{vietnamDay:yyyy-MM-dd}";

    public static string ReceiptPartitionKey(string periodId) => $"{periodId}~receipt";

    public static string ReceiptRowKey(string unitCode, int version) => $"{unitCode}~v{version}";

    public static string DecisionPartitionKey(string periodId) => $"{periodId}~decision";

    public static string DecisionRowKey(string unitCode, int revision) => $"{unitCode}~r{revision:D6}";

    public static string AccessRowKey(string unitCode, string request) => $"{unitCode}~{request}";

    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.EmailLedgerTable;

    private TableClient Table => store.Table<EmailLedger>();

    /// <summary>
    /// What a row says now: its status, except that a <c>sending</c> row abandoned by its sender after its attempt (see
    /// <see cref="AbandonedAfter"/>, from when the sender took it) is <c>unknown</c>. A <c>queued</c> row stays
    /// queued however long the queue takes: nothing has tried to send it yet.
    /// </summary>
    public string StatusOf(EmailLedgerRow row) =>
        row.Status == EmailStatus.Sending && row.AttemptedAt is not null && IsAbandoned(row.SendingAt ?? row.ClaimedAt) ? EmailStatus.Unknown : row.Status;

    private string StatusOf(Entity row) => StatusOf(row.ToRecord());

    /// <summary>A <c>sending</c> row whose sender took it longer ago than <see cref="AbandonedAfter"/>.</summary>
    private bool IsAbandoned(DateTimeOffset since) => clock.GetUtcNow() - since > AbandonedAfter;

    private bool IsAbandoned(Entity row) => IsAbandoned(row.SendingAt ?? row.ClaimedAt);

    /// <summary>
    /// A <c>sending</c> row whose sender stopped before its request to SendGrid (no attempt recorded after
    /// <see cref="AbandonedAfter"/>): certainly not sent, so a delivery of its message may take it over.
    /// </summary>
    private bool NeverAttempted(Entity row) => row.Status == EmailStatus.Sending && row.AttemptedAt is null && IsAbandoned(row);

    /// <summary>Claims the reminder of one unit at one stage.</summary>
    public Task<EmailClaim> ClaimAsync(string periodId, string unitCode, string stage, string to, string? cc, string actor, CancellationToken ct) =>
        ClaimRowAsync(NewRow(periodId, RowKey(unitCode, stage), unitCode, stage, to, cc, actor, NewClaimId()), ct);

    /// <summary>Claims the digest of one stage for one Vietnam day: one run a day mails it.</summary>
    public Task<EmailClaim> ClaimDigestAsync(string periodId, string stage, DateOnly vietnamDay, string to, string actor, CancellationToken ct) =>
        ClaimRowAsync(NewRow(DigestPartitionKey(periodId), DigestRowKey(stage, vietnamDay), "", stage, to, null, actor, NewClaimId()), ct);

    /// <summary>Claims the email telling a unit of one decision (a return, an acceptance): one email per change of its decisions.</summary>
    public Task<EmailClaim> ClaimDecisionAsync(string periodId, string unitCode, int revision, string to, string actor, CancellationToken ct) =>
        ClaimRowAsync(NewRow(DecisionPartitionKey(periodId), DecisionRowKey(unitCode, revision), unitCode, "", to, null, actor, NewClaimId()), ct);

    /// <summary>Claims the access-link email of one unit for one request: a repeated request sends nothing more.</summary>
    public Task<EmailClaim> ClaimAccessLinkAsync(string unitCode, string request, string to, string actor, CancellationToken ct) =>
        ClaimRowAsync(NewRow(AccessPartition, AccessRowKey(unitCode, request), unitCode, "", to, null, actor, NewClaimId()), ct);

    /// <summary>
    /// The sender's claim of a row whose message was put on the queue before any claim (a receipt: the upload request
    /// writes nothing else), under the claim id the message carries. Every delivery of that message, and a lost reply's
    /// retry, finds the row claimed under that id and takes it as its own; the row's status then says whether to send.
    /// A row claimed under another id wins over the message unless it failed (then it is claimed again for it).
    /// </summary>
    public Task<EmailClaim> ClaimOnDeliveryAsync(string partitionKey, string rowKey, string claimId, EmailQueueItem claim, CancellationToken ct) =>
        ClaimRowAsync(NewRow(partitionKey, rowKey, claim.UnitCode ?? "", claim.Stage ?? "", claim.To ?? "", claim.Cc, claim.Actor ?? "", claimId, claim.ClaimedAt), ct);

    /// <summary>
    /// A message put before its claim (<see cref="ClaimOnDeliveryAsync"/>) that may not have reached the queue (its
    /// put failed or got no answer): its row is written <c>failed</c> under the message's claim, so a copy that did reach
    /// the queue still sends it once, and the failure is on the ledger. A row already there is left as it is.
    /// </summary>
    public async Task RecordNotQueuedAsync(string partitionKey, string rowKey, string claimId, EmailQueueItem claim, string reason, CancellationToken ct)
    {
        var row = NewRow(partitionKey, rowKey, claim.UnitCode ?? "", claim.Stage ?? "", claim.To ?? "", claim.Cc, claim.Actor ?? "", claimId, claim.ClaimedAt);
        row.Status = EmailStatus.Failed;
        row.Reason = Trim(reason);
        await MigrateAsync(ct);
        try
        {
            await Table.AddEntityAsync(row, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Claimed already (by a delivery of the message, or another claim): that row says what happens.
        }
    }

    /// <summary>
    /// Claims the reminders of several units of one period (each a row never claimed before, as far as the caller
    /// read) in entity-group transactions of up to 100 rows: one round trip claims them all, or none. When a
    /// transaction does not certainly succeed (a row exists after all: another run, or our own transaction whose
    /// reply was lost and whose retry met it; storage failing) each of its rows is claimed on its own under the
    /// same claim id, so a row our lost transaction did claim is read back as ours, never guessed.
    /// Answers a claim per request, in their order.
    /// </summary>
    public Task<IReadOnlyList<EmailClaim>> ClaimBatchAsync(string periodId, IReadOnlyList<EmailClaimRequest> requests, string actor, CancellationToken ct) =>
        ClaimRowsAsync([.. requests.Select(r => NewRow(periodId, RowKey(r.UnitCode, r.Stage), r.UnitCode, r.Stage, r.To, r.Cc, actor, NewClaimId()))], ct);

    /// <summary>
    /// <see cref="ClaimOnDeliveryAsync"/> for the items of a batch message put before any claim (receipts of uploads at the
    /// same moment), each under its own claim id, in one transaction as <see cref="ClaimBatchAsync"/> claims: every delivery
    /// of the message, and a lost reply's retry, finds each row claimed under its item's id and takes it as its own.
    /// Answers a claim per item, in their order.
    /// </summary>
    public Task<IReadOnlyList<EmailClaim>> ClaimOnDeliveryBatchAsync(string partitionKey, IReadOnlyList<EmailQueueItem> items, CancellationToken ct) =>
        ClaimRowsAsync([.. items.Select(i => NewRow(partitionKey, i.RowKey, i.UnitCode ?? "", i.Stage ?? "", i.To ?? "", i.Cc, i.Actor ?? "", i.ClaimId, i.ClaimedAt))], ct);

    /// <summary>Fresh claims of rows of one partition, in transactions of up to 100; when one does not certainly succeed, each of its rows alone.</summary>
    private async Task<IReadOnlyList<EmailClaim>> ClaimRowsAsync(IReadOnlyList<Entity> all, CancellationToken ct)
    {
        await MigrateAsync(ct);
        var claims = new EmailClaim[all.Count];
        for (var start = 0; start < all.Count; start += MaxTransaction)
        {
            var rows = all.Skip(start).Take(MaxTransaction).ToList();
            try
            {
                var responses = (await Table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), ct)).Value;
                for (var i = 0; i < rows.Count; i++)
                {
                    rows[i].WrittenAs(responses[i]);
                    claims[start + i] = new EmailClaim(rows[i].ToRecord(), null);
                }
            }
            catch (Exception ex) when (StorageFailures.Is(ex, ct))
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    claims[start + i] = await ClaimRowAsync(rows[i], ct);
                }
            }
        }

        return claims;
    }

    private Entity NewRow(string partitionKey, string rowKey, string unitCode, string stage, string to, string? cc, string actor, string claimId, DateTimeOffset? claimedAt = null) => new()
    {
        PartitionKey = partitionKey,
        RowKey = rowKey,
        UnitCode = unitCode,
        Stage = stage,
        Status = EmailStatus.Queued,
        Runs = 1,
        ClaimId = claimId,
        To = to,
        Cc = cc,
        Actor = actor,
        ClaimedAt = claimedAt ?? clock.GetUtcNow(),
    };

    /// <summary>Inserts a fresh claim; a row that exists is ours (a lost reply), claimed again (failed), or what stopped us.</summary>
    private async Task<EmailClaim> ClaimRowAsync(Entity row, CancellationToken ct)
    {
        await MigrateAsync(ct);
        try
        {
            var added = await Table.AddEntityAsync(row, ct);
            row.WrittenAs(added);
            return new EmailClaim(row.ToRecord(), null);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await ReclaimFailedAsync(row, ct);
        }
    }

    private async Task<EmailClaim> ReclaimFailedAsync(Entity ours, CancellationToken ct)
    {
        var existing = (await Table.GetEntityAsync<Entity>(ours.PartitionKey, ours.RowKey, cancellationToken: ct)).Value;
        if (existing.ClaimId == ours.ClaimId)
        {
            // Our own claim: its reply was lost and the SDK's retry met it (or another delivery of the same message).
            return new EmailClaim(existing.ToRecord(), null);
        }

        if (existing.Status != EmailStatus.Failed)
        {
            return new EmailClaim(null, StatusOf(existing));
        }

        existing.Status = EmailStatus.Queued;
        existing.ClaimId = ours.ClaimId;
        existing.SendId = null;
        existing.SendingAt = null;
        existing.Runs++;
        existing.To = ours.To;
        existing.Cc = ours.Cc;
        existing.Actor = ours.Actor;
        existing.ClaimedAt = clock.GetUtcNow();
        try
        {
            var updated = await Table.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, ct);
            existing.WrittenAs(updated);
            return new EmailClaim(existing.ToRecord(), null);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another run re-claimed it between our read and our write, or our write's reply was lost: read which.
            var now = (await Table.GetEntityAsync<Entity>(existing.PartitionKey, existing.RowKey, cancellationToken: ct)).Value;
            return now.ClaimId == existing.ClaimId ? new EmailClaim(now.ToRecord(), null) : new EmailClaim(null, StatusOf(now));
        }
    }

    private static string NewClaimId() => Guid.NewGuid().ToString("N");

    private static string Trim(string? reason) => reason is { Length: > 1000 } ? reason[..1000] : reason ?? "";

    /// <summary>One row, or null.</summary>
    public async Task<EmailLedgerRow?> FindAsync(string partitionKey, string rowKey, CancellationToken ct = default)
    {
        await MigrateAsync(ct);
        var found = await Table.GetEntityIfExistsAsync<Entity>(partitionKey, rowKey, cancellationToken: ct);
        return found.HasValue && found.Value is { } row ? row.ToRecord() : null;
    }

    /// <summary>The reminder rows of one stage of a period, by unit code.</summary>
    public async Task<IReadOnlyDictionary<string, EmailLedgerRow>> ForStageAsync(string periodId, string stage, CancellationToken ct)
    {
        var rows = await QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and Stage eq {stage}"), ct);
        return rows.ToDictionary(r => r.UnitCode, StringComparer.Ordinal);
    }

    /// <summary>The reminder rows of a period (not its digests).</summary>
    public Task<IReadOnlyList<EmailLedgerRow>> ForPeriodAsync(string periodId, CancellationToken ct = default) => PartitionAsync(periodId, ct);

    /// <summary>The digest rows of a period, one per stage and Vietnam day that mailed (or tried to mail) one.</summary>
    public Task<IReadOnlyList<EmailLedgerRow>> DigestsAsync(string periodId, CancellationToken ct = default) => PartitionAsync(DigestPartitionKey(periodId), ct);

    /// <summary>The receipt rows of a period, one per version whose receipt was claimed.</summary>
    public Task<IReadOnlyList<EmailLedgerRow>> ReceiptsAsync(string periodId, CancellationToken ct = default) => PartitionAsync(ReceiptPartitionKey(periodId), ct);

    /// <summary>Every access-link row, for the dashboard's "link sent" column.</summary>
    public Task<IReadOnlyList<EmailLedgerRow>> AccessLinksAsync(CancellationToken ct = default) => PartitionAsync(AccessPartition, ct);

    /// <summary>One unit's access-link rows (a range of the access partition).</summary>
    public Task<IReadOnlyList<EmailLedgerRow>> AccessLinksOfAsync(string unitCode, CancellationToken ct = default) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {AccessPartition} and RowKey gt {unitCode + "~"} and RowKey lt {unitCode + "\u007f"}"), ct);

    /// <summary>Every row whose outcome is unknown (recorded so, or abandoned after its attempt), for the dashboard.</summary>
    public async Task<IReadOnlyList<EmailLedgerRow>> UnknownAsync(CancellationToken ct = default) =>
        (await QueryAsync(TableClient.CreateQueryFilter($"Status eq {EmailStatus.Unknown} or Status eq {EmailStatus.Sending}"), ct))
            .Where(r => StatusOf(r) == EmailStatus.Unknown)
            .ToList();

    private Task<IReadOnlyList<EmailLedgerRow>> PartitionAsync(string partitionKey, CancellationToken ct) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"), ct);

    private async Task<IReadOnlyList<EmailLedgerRow>> QueryAsync(string filter, CancellationToken ct)
    {
        await MigrateAsync(ct);
        var rows = new List<EmailLedgerRow>();
        await foreach (var e in Table.QueryAsync<Entity>(filter, cancellationToken: ct))
        {
            rows.Add(e.ToRecord());
        }

        return rows;
    }
}
