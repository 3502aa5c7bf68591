using Azure;
using Azure.Data.Tables;
using DanVan.Storage;

namespace DanVan.Email;

/// <summary>The sender's side of the email ledger: taking a claimed row, recording what became of its email, settling.</summary>
public sealed partial class EmailLedger
{
    /// <summary>
    /// The sender's step before sending a queue message: the row must still hold <paramref name="claimId"/> and be
    /// <c>queued</c> (or <c>failed</c>: an earlier delivery of the same message was certainly refused). It becomes
    /// <c>sending</c> by a conditional update, so of two deliveries of one message at most one sends.
    /// A row already <c>sending</c> is never sent again: its delivery may have reached SendGrid before it crashed.
    /// </summary>
    /// <param name="triedSendId">The send id of an earlier write of ours whose outcome is not known (a batch's): a row already
    /// <c>sending</c> under it is ours to send.</param>
    public async Task<SendPermit> BeginSendAsync(string partitionKey, string rowKey, string claimId, CancellationToken ct, string? triedSendId = null)
    {
        await MigrateAsync(ct);
        var response = await Table.GetEntityIfExistsAsync<Entity>(partitionKey, rowKey, cancellationToken: ct);
        if (!response.HasValue || response.Value is not { } row)
        {
            return new SendPermit(null, "no_row");
        }

        if (triedSendId is not null && row.ClaimId == claimId && row.Status == EmailStatus.Sending && row.SendId == triedSendId)
        {
            return new SendPermit(row.ToRecord(), null);
        }

        return await BeginSendAsync(row, claimId, ct);
    }

    /// <summary><see cref="BeginSendAsync(string, string, string, CancellationToken, string?)"/> for a row just read or claimed, as that version.</summary>
    public Task<SendPermit> BeginSendAsync(EmailLedgerRow claimed, CancellationToken ct) => BeginSendAsync(Entity.Of(claimed), claimed.ClaimId ?? "", ct);

    private async Task<SendPermit> BeginSendAsync(Entity row, string claimId, CancellationToken ct)
    {
        if (Refusal(row, claimId) is { } refused)
        {
            return refused;
        }

        MarkSending(row);
        try
        {
            var updated = await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
            row.WrittenAs(updated);
            return new SendPermit(row.ToRecord(), null);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another delivery took it first, or our write's reply was lost: read which.
            var now = (await Table.GetEntityAsync<Entity>(row.PartitionKey, row.RowKey, cancellationToken: ct)).Value;
            return now.SendId == row.SendId ? new SendPermit(now.ToRecord(), null) : new SendPermit(null, now.ClaimId == claimId ? StatusOf(now) : "stale_claim");
        }
    }

    /// <summary>Why a row may not be sent under <paramref name="claimId"/> now; null when it may.</summary>
    private SendPermit? Refusal(Entity row, string claimId) =>
        row.ClaimId != claimId ? new SendPermit(null, "stale_claim")
        : row.Status is not (EmailStatus.Queued or EmailStatus.Failed) && !NeverAttempted(row) ? new SendPermit(null, StatusOf(row))
        : null;

    private void MarkSending(Entity row)
    {
        row.Status = EmailStatus.Sending;
        row.SendId = Guid.NewGuid().ToString("N");
        row.SendingAt = clock.GetUtcNow();
        row.AttemptedAt = null;
    }

    /// <summary>
    /// <see cref="BeginSendAsync(string, string, string, CancellationToken, string?)"/> for the rows of a batch message (one
    /// partition): the rows as their claims wrote them (carried by the message with their versions; without them, one range
    /// read), then every row that may be sent becomes <c>sending</c> in one conditional transaction, which fails if any row
    /// changed. When that transaction does not certainly succeed (a row changed since the read, or its reply was lost), each
    /// row goes through the single step on its own, which reads it back: a row already <c>sending</c> under the send id our
    /// transaction tried is ours. Answers a permit per item, in their order.
    /// </summary>
    public async Task<IReadOnlyList<SendPermit>> BeginSendBatchAsync(string partitionKey, IReadOnlyList<EmailQueueItem> items, CancellationToken ct)
    {
        await MigrateAsync(ct);
        var rows = new Dictionary<string, Entity>(StringComparer.Ordinal);
        if (items.All(i => i.ETag is not null))
        {
            // The rows as their claims wrote them: the transaction's conditions prove they are still those versions.
            foreach (var item in items)
            {
                rows[item.RowKey] = Entity.AsClaimed(partitionKey, item);
            }
        }
        else
        {
            var keys = items.Select(i => i.RowKey).ToHashSet(StringComparer.Ordinal);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {keys.Min(StringComparer.Ordinal)} and RowKey le {keys.Max(StringComparer.Ordinal)}");
            await foreach (var e in Table.QueryAsync<Entity>(filter, cancellationToken: ct))
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
            var responses = (await Table.SubmitTransactionAsync(marked.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateReplace, r, r.ETag)), ct)).Value;
            for (var k = 0; k < marked.Count; k++)
            {
                marked[k].WrittenAs(responses[k]);
                permits[sending[k]] = new SendPermit(marked[k].ToRecord(), null);
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

    /// <summary>
    /// Records, just before the request to SendGrid, that the row the sender holds (<c>sending</c> under its send id) is
    /// about to be attempted: conditional, so a sender whose row was taken over meanwhile (it was abandoned) learns it and
    /// sends nothing. Answers the row as written, or null when it is no longer ours; a write whose reply was lost is read back.
    /// </summary>
    public async Task<EmailLedgerRow?> BeginAttemptAsync(EmailLedgerRow held, CancellationToken ct)
    {
        var row = Entity.Of(held);
        row.AttemptedAt = clock.GetUtcNow();
        try
        {
            var updated = await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
            row.WrittenAs(updated);
            return row.ToRecord();
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            var now = (await Table.GetEntityAsync<Entity>(row.PartitionKey, row.RowKey, cancellationToken: ct)).Value;
            return now.SendId == held.SendId && now.Status == EmailStatus.Sending && now.AttemptedAt == row.AttemptedAt ? now.ToRecord() : null;
        }
    }

    /// <summary>
    /// An officer checked SendGrid's activity and asks for one email again: a row whose outcome is unknown, or that
    /// failed, becomes <c>failed</c> under the same claim (conditional), so its message, put back on the queue, may send
    /// it once, and a reminder run may claim it again. Answers the row released and what it was; no row (null, null) or
    /// a row in another state (null, its status) is left as it is.
    /// </summary>
    public async Task<(EmailLedgerRow? Row, string? Status)> ReleaseAsync(string partitionKey, string rowKey, string actor, CancellationToken ct)
    {
        await MigrateAsync(ct);
        var found = await Table.GetEntityIfExistsAsync<Entity>(partitionKey, rowKey, cancellationToken: ct);
        if (!found.HasValue || found.Value is not { } row)
        {
            return (null, null);
        }

        var status = StatusOf(row);
        if (status is not (EmailStatus.Unknown or EmailStatus.Failed))
        {
            return (null, status);
        }

        row.Status = EmailStatus.Failed;
        row.Reason = Trim($"sent again by {actor} after checking; was {status}: {row.Reason}");
        var updated = await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
        row.ETag = updated.Headers.ETag ?? row.ETag;
        return (row.ToRecord(), status);
    }

    /// <summary>
    /// Settles rows stuck on their way: a <c>queued</c> row older than <see cref="QueuedBound"/> (its message may never
    /// have reached the queue), and a <c>sending</c> row abandoned before its attempt, become <c>failed</c> ("never
    /// attempted"): certainly not sent, so the message, if it still comes, sends it, and a reminder run claims it again
    /// (a new claim makes any old message stale). A <c>sending</c> row abandoned after its attempt becomes
    /// <c>unknown</c>. Each write is conditional: a row that moved meanwhile is left as it is.
    /// </summary>
    public async Task<SweepResult> SweepAsync(CancellationToken ct = default)
    {
        await MigrateAsync(ct);
        var now = clock.GetUtcNow();
        int never = 0, unknown = 0;
        var filter = TableClient.CreateQueryFilter($"Status eq {EmailStatus.Queued} or Status eq {EmailStatus.Sending}");
        await foreach (var row in Table.QueryAsync<Entity>(filter, cancellationToken: ct))
        {
            string? settled = null;
            if ((row.Status == EmailStatus.Queued && now - row.ClaimedAt > QueuedBound) || NeverAttempted(row))
            {
                settled = EmailStatus.Failed;
                row.Reason = $"never attempted: {row.Status} since {(row.SendingAt ?? row.ClaimedAt):u}, settled by the sweep";
            }
            else if (row.Status == EmailStatus.Sending && IsAbandoned(row))
            {
                settled = EmailStatus.Unknown;
                row.Reason = $"outcome unknown: the sender stopped after its request to SendGrid at {row.AttemptedAt:u}";
            }

            if (settled is null)
            {
                continue;
            }

            row.Status = settled;
            try
            {
                await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
                _ = settled == EmailStatus.Failed ? never++ : unknown++;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                // It moved on meanwhile (a delivery took it, a run claimed it): nothing to settle.
            }
        }

        return new SweepResult(never, unknown);
    }

    /// <summary>Records what became of a claimed send; the claim's version guards the write. Answers the row as written.</summary>
    public async Task<EmailLedgerRow> RecordAsync(EmailLedgerRow claimed, EmailOutcome outcome, CancellationToken ct)
    {
        var row = Apply(Entity.Of(claimed), outcome);
        await WriteOutcomeAsync(row, ct);
        return row.ToRecord();
    }

    /// <summary>
    /// <see cref="RecordAsync"/> for several sends of one partition: one conditional transaction (up to 100 rows each);
    /// when one does not certainly succeed, each of its rows is written on its own, which reads back a row our lost
    /// transaction already wrote.
    /// </summary>
    public async Task RecordBatchAsync(IReadOnlyList<(EmailLedgerRow Claimed, EmailOutcome Outcome)> sends, CancellationToken ct)
    {
        var rows = sends.Select(s => Apply(Entity.Of(s.Claimed), s.Outcome)).ToList();
        foreach (var chunk in rows.Chunk(MaxTransaction))
        {
            if (chunk.Length == 1 || chunk.Any(c => c.PartitionKey != chunk[0].PartitionKey))
            {
                foreach (var row in chunk)
                {
                    await WriteOutcomeAsync(row, ct);
                }

                continue;
            }

            try
            {
                await Table.SubmitTransactionAsync(chunk.Select(c => new TableTransactionAction(TableTransactionActionType.UpdateReplace, c, c.ETag)), ct);
            }
            catch (Exception ex) when (StorageFailures.Is(ex, ct))
            {
                foreach (var row in chunk)
                {
                    await WriteOutcomeAsync(row, ct);
                }
            }
        }
    }

    private Entity Apply(Entity claimed, EmailOutcome outcome)
    {
        claimed.Status = outcome.Result switch
        {
            EmailResult.Sent => EmailStatus.Sent,
            EmailResult.Failed => EmailStatus.Failed,
            EmailResult.Unknown => EmailStatus.Unknown,
            _ => throw new ArgumentException("Only the sender's outcome (sent, failed, unknown) is recorded.", nameof(outcome)),
        };
        claimed.Reason = outcome.Reason is { Length: > 1000 } reason ? reason[..1000] : outcome.Reason;
        claimed.MessageId = outcome.MessageId;
        claimed.Attempts += outcome.Attempts;
        claimed.SentAt = outcome.Result == EmailResult.Sent ? clock.GetUtcNow() : null;
        return claimed;
    }

    private async Task WriteOutcomeAsync(Entity claimed, CancellationToken ct)
    {
        try
        {
            var updated = await Table.UpdateEntityAsync(claimed, claimed.ETag, TableUpdateMode.Replace, ct);
            claimed.ETag = updated.Headers.ETag ?? claimed.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // The claim is ours alone, so a changed row is our own write whose reply was lost: read it to be sure.
            var stored = (await Table.GetEntityAsync<Entity>(claimed.PartitionKey, claimed.RowKey, cancellationToken: ct)).Value;
            if (stored.ClaimId != claimed.ClaimId || stored.Status != claimed.Status || stored.MessageId != claimed.MessageId)
            {
                throw;
            }

            claimed.ETag = stored.ETag;
        }
    }
}
