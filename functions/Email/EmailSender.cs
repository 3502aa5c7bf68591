using DanVan.Audit;
using DanVan.Telemetry;
using Microsoft.Extensions.Logging;

namespace DanVan.Email;

/// <summary>
/// An email whose content is made only when it is sent, for a ledger row the sender holds (<c>sending</c>): an access
/// link, whose credential must exist nowhere but in the email itself.
/// </summary>
public interface IComposedWhenSent
{
    /// <summary>The queue message kind it composes (<see cref="EmailKinds"/>).</summary>
    string Kind { get; }

    Task<EmailMessage> ComposeAsync(EmailLedgerRow row, CancellationToken ct);
}

/// <summary>
/// A queue message that asks for emails rather than carrying one (<see cref="EmailQueueMessage.IsRequest"/>): its
/// handler decides, off the request path, what to claim and queue.
/// </summary>
public interface IQueuedRequest
{
    /// <summary>The queue message kind it handles (<see cref="EmailKinds"/>).</summary>
    string Kind { get; }

    Task HandleAsync(EmailQueueMessage message, CancellationToken ct);
}

/// <summary>An email the provider certainly did not take: thrown so the queue tries the message again, then poisons it.</summary>
public sealed class EmailNotSentException(string message) : Exception(message);

/// <summary>
/// The queue-triggered sender's work for one message from the email queue. At most once, however often the
/// message is delivered: the ledger row must still hold the message's claim and be ready
/// (<see cref="EmailLedger.BeginSendAsync(string, string, string, CancellationToken, string?)"/>: <c>queued</c>, or <c>failed</c> by an earlier delivery), and
/// becomes <c>sending</c> before SendGrid is called; what SendGrid answered is recorded on the row
/// (<c>sent</c>, <c>failed</c>, <c>unknown</c>) in a time of its own, not the invocation's. A delivery that finds
/// the row anything else sends nothing and completes. A failed send throws <see cref="EmailNotSentException"/>
/// after recording, so the queue retries it (the row is <c>failed</c>, which the retry may send) and, after
/// <c>maxDequeueCount</c> attempts (host.json), the Functions host moves it to the poison queue.
/// An unknown outcome is not retried: SendGrid may have accepted it. A message put before its row was claimed (a
/// receipt, <see cref="EmailQueueMessage.ClaimOnDelivery"/>) first claims it under the message's claim id.
/// A batch message does the same for each of its rows (a batch of receipts first claims them, in one transaction), with one read, one transaction to mark them <c>sending</c>,
/// one to record the outcomes and one for the audit; it throws when any of its emails failed, and its next
/// delivery sends only those (the others are <c>sent</c> or <c>unknown</c>). Every email is sent within one of the
/// instance's <see cref="SendSlots"/>, so the instance never makes more SendGrid calls at once than configured.
/// </summary>
public sealed class EmailSender(EmailQueue queue, EmailLedger ledger, Mailer mailer, AuditLog audit, ILogger<EmailSender> logger, DanVanTelemetry telemetry, IEnumerable<IComposedWhenSent> composers, IEnumerable<IQueuedRequest> requests, SendSlots slots)
{
    /// <summary>Sends one queue message's email(s) if the ledger allows it; answers what was done (null: nothing).</summary>
    public async Task<EmailOutcome?> ProcessAsync(string text, CancellationToken ct)
    {
        var message = EmailQueue.Parse(text);
        if (message.IsRequest)
        {
            var handler = requests.FirstOrDefault(r => r.Kind == message.Kind) ?? throw new FormatException($"No handler for queue requests of kind {message.Kind}.");
            await handler.HandleAsync(message, ct);
            return null;
        }

        if (message.IsBatch)
        {
            return await ProcessBatchAsync(message, ct);
        }

        var permit = message.ClaimOnDelivery is { } toClaim
            ? await ClaimAndBeginAsync(message, toClaim, ct)
            : await ledger.BeginSendAsync(message.PartitionKey, message.RowKey, message.ClaimId, ct);
        if (!permit.Granted)
        {
            logger.LogInformation("Email {Kind} {RowKey} of {PartitionKey} not sent again: {Skipped}", message.Kind, message.RowKey, message.PartitionKey, permit.Skipped);
            return null;
        }

        if (await SendAsync(message.Kind, permit.Row!, c => queue.EmailOfAsync(message, c), ct) is not { } sent)
        {
            logger.LogInformation("Email {Kind} {RowKey} of {PartitionKey} not sent: taken over by another delivery before its attempt", message.Kind, message.RowKey, message.PartitionKey);
            return null;
        }

        var (row, outcome) = sent;

        using (var recording = new CancellationTokenSource(EmailLedger.RecordTimeout))
        {
            await ledger.RecordAsync(row, outcome, recording.Token);
            Report(message.Kind, row, outcome);
            if (outcome.Result != EmailResult.Failed)
            {
                if (AuditEventOf(message.Kind, row, outcome) is { } e)
                {
                    await audit.RecordAsync(e.Actor, e.Action, e.PeriodId, e.UnitCode, e.Detail, recording.Token);
                }

                if (outcome.Result == EmailResult.Unknown)
                {
                    await queue.HoldAsync(message.Kind, row, await queue.EmailOfAsync(message, recording.Token), recording.Token);
                }

                await queue.ForgetBodyAsync(message, recording.Token);
            }
        }

        return outcome.Result == EmailResult.Failed
            ? throw new EmailNotSentException($"Email {message.Kind} {row.RowKey} of {row.PartitionKey} not sent: {outcome.Reason}")
            : outcome;
    }

    /// <summary>
    /// A batch message: its rows marked sending together, their emails sent side by side (each holding a send slot),
    /// their outcomes recorded and audited together. Answers the last outcome (null when nothing was sent).
    /// </summary>
    private async Task<EmailOutcome?> ProcessBatchAsync(EmailQueueMessage message, CancellationToken ct)
    {
        var emails = await queue.EmailsOfAsync(message, ct);
        var items = message.Items!;
        var permits = message.ItemsClaimedOnDelivery
            ? await ClaimAndBeginBatchAsync(message.PartitionKey, items, ct)
            : await ledger.BeginSendBatchAsync(message.PartitionKey, items, ct);
        var granted = new List<(EmailLedgerRow Row, int Index)>();
        for (var i = 0; i < items.Count; i++)
        {
            if (permits[i].Granted)
            {
                granted.Add((permits[i].Row!, i));
            }
            else
            {
                logger.LogInformation("Email {Kind} {RowKey} of {PartitionKey} not sent again: {Skipped}", message.Kind, items[i].RowKey, message.PartitionKey, permits[i].Skipped);
            }
        }

        var attempts = await Task.WhenAll(granted.Select(async g => (g.Index, Sent: await SendAsync(message.Kind, g.Row, _ => Task.FromResult(emails[g.Index]), ct))));
        var sent = attempts.Where(a => a.Sent is not null).Select(a => (a.Index, a.Sent!.Value.Row, a.Sent!.Value.Outcome)).ToArray();
        var outcomes = sent.Select(s => (s.Row, s.Outcome)).ToArray();
        using (var recording = new CancellationTokenSource(EmailLedger.RecordTimeout))
        {
            await ledger.RecordBatchAsync(outcomes, recording.Token);
            foreach (var (row, outcome) in outcomes)
            {
                Report(message.Kind, row, outcome);
            }

            var events = outcomes.Where(o => o.Outcome.Result != EmailResult.Failed).Select(o => AuditEventOf(message.Kind, o.Row, o.Outcome)).OfType<AuditEvent>().ToList();
            if (events.Count > 0)
            {
                await audit.RecordManyAsync(events, recording.Token);
            }

            foreach (var (index, row, _) in sent.Where(o => o.Outcome.Result == EmailResult.Unknown))
            {
                await queue.HoldAsync(message.Kind, row, emails[index], recording.Token);
            }

            var failed = outcomes.Where(o => o.Outcome.Result == EmailResult.Failed).ToList();
            if (failed.Count > 0)
            {
                throw new EmailNotSentException($"Email {message.Kind} of {message.PartitionKey}: {failed.Count} of {items.Count} not sent, e.g. {failed[0].Row.RowKey}: {failed[0].Outcome.Reason}");
            }

            await queue.ForgetBodyAsync(message, recording.Token);
        }

        return outcomes.Length > 0 ? outcomes[^1].Outcome : null;
    }

    /// <summary>
    /// One email of a row the sender holds (<c>sending</c>), within one of the instance's send slots; never throws for
    /// a failed send. No slot free in <see cref="SendSlots.Wait"/>: failed, nothing sent. Just before the request to
    /// SendGrid the attempt is recorded on the row (<see cref="EmailLedger.BeginAttemptAsync"/>): a crash before it
    /// leaves a row that is safely sent again; null when the row was taken over meanwhile (nothing sent, nothing to record).
    /// Answers the outcome with the row as last written (to be recorded on).
    /// </summary>
    private async Task<(EmailLedgerRow Row, EmailOutcome Outcome)?> SendAsync(string kind, EmailLedgerRow row, Func<CancellationToken, Task<EmailMessage>> email, CancellationToken ct)
    {
        using var scope = telemetry.UnitScope(row.PeriodId, row.UnitCode);
        bool entered;
        try
        {
            entered = await slots.EnterAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return (row, EmailOutcome.Failed("cancelled before sending", 0));
        }

        if (!entered)
        {
            return (row, EmailOutcome.Failed($"no send slot free within {slots.Wait.TotalSeconds:0} s", 0));
        }

        try
        {
            var composer = composers.FirstOrDefault(c => c.Kind == kind);
            var composed = composer is null ? await email(ct) : await composer.ComposeAsync(row, ct);
            // A composer reads the unit's addresses when it composes: the row names whom it went to.
            var toSend = composer is null ? row : row with { To = string.Join(";", composed.To) };
            if (await ledger.BeginAttemptAsync(toSend, ct) is not { } attempted)
            {
                return null;
            }

            row = attempted;
            return (row, await mailer.SendAsync(composed, ct));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing reached SendGrid (the body could not be read, the outbox could not be written).
            logger.LogError(ex, "Email {Kind} {RowKey} of {PartitionKey} could not be handed over", kind, row.RowKey, row.PartitionKey);
            return (row, EmailOutcome.Failed("error: " + ex.Message, 0));
        }
        finally
        {
            slots.Leave();
        }
    }

    /// <summary>
    /// A message put before its row was claimed: the row claimed under the message's claim id (a copy or a delivery of the
    /// same message finds that claim its own), then taken for sending as the claim wrote it.
    /// </summary>
    private async Task<SendPermit> ClaimAndBeginAsync(EmailQueueMessage message, EmailQueueItem toClaim, CancellationToken ct)
    {
        var claim = await ledger.ClaimOnDeliveryAsync(message.PartitionKey, message.RowKey, message.ClaimId, toClaim, ct);
        return claim.Won ? await ledger.BeginSendAsync(claim.Row!, ct) : new SendPermit(null, claim.ExistingStatus);
    }

    /// <summary>
    /// <see cref="ClaimAndBeginAsync"/> for the items of a batch put before any claim: the rows claimed together under their
    /// items' claim ids, then those this message holds and that are still <c>queued</c> as a claim wrote them taken for
    /// sending together. A row of ours in another state (an earlier delivery got further) goes the single way, as it is.
    /// </summary>
    private async Task<IReadOnlyList<SendPermit>> ClaimAndBeginBatchAsync(string partitionKey, IReadOnlyList<EmailQueueItem> items, CancellationToken ct)
    {
        var claims = await ledger.ClaimOnDeliveryBatchAsync(partitionKey, items, ct);
        var permits = claims.Select(c => new SendPermit(null, c.ExistingStatus)).ToArray();
        var queued = Enumerable.Range(0, claims.Count).Where(i => claims[i].Row?.Status == EmailStatus.Queued).ToList();
        if (queued.Count > 0)
        {
            var begun = await ledger.BeginSendBatchAsync(partitionKey, [.. queued.Select(i => EmailQueueItem.Of(claims[i].Row!))], ct);
            for (var k = 0; k < queued.Count; k++)
            {
                permits[queued[k]] = begun[k];
            }
        }

        foreach (var i in Enumerable.Range(0, claims.Count).Where(i => claims[i].Row is { } row && row.Status != EmailStatus.Queued))
        {
            permits[i] = await ledger.BeginSendAsync(claims[i].Row!, ct);
        }

        return permits;
    }

    /// <summary>The outcome as an operations event, in plain values.</summary>
    private void Report(string kind, EmailLedgerRow row, EmailOutcome outcome) =>
        telemetry.EmailOutcome(kind, row.PeriodId, row.UnitCode, row.Stage, outcome.Result.ToString().ToLowerInvariant(), outcome.Attempts);

    /// <summary>A reminder is audited when it has gone (or may have): who asked for it, to whom, SendGrid's id.</summary>
    private static AuditEvent? AuditEventOf(string kind, EmailLedgerRow row, EmailOutcome outcome)
    {
        var what = outcome.Result == EmailResult.Sent ? $"message {outcome.MessageId}" : $"outcome unknown: {outcome.Reason}";
        var to = row.To.Replace(";", ", ", StringComparison.Ordinal);
        return kind switch
        {
            EmailKinds.AccessLink => new AuditEvent(row.Actor, AuditActions.TokenIssue, UnitCode: row.UnitCode, Detail: $"emailed to {to}; {what}"),
            EmailKinds.Reminder => new AuditEvent(row.Actor, AuditActions.Reminder, row.PeriodId, row.UnitCode, $"{row.Stage} to {to}; {what}"),
            _ => null,
        };
    }
}
