using DanVan.Audit;
using DanVan.Reminders;
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

    Task<EmailMessage> ComposeAsync(ReminderEntity row, CancellationToken ct);
}

/// <summary>An email the provider certainly did not take: thrown so the queue tries the message again, then poisons it.</summary>
public sealed class EmailNotSentException(string message) : Exception(message);

/// <summary>
/// The queue-triggered sender's work for one message from the email queue. At most once, however often the
/// message is delivered: the ledger row must still hold the message's claim and be ready
/// (<see cref="ReminderLedger.BeginSendAsync"/>: <c>queued</c>, or <c>failed</c> by an earlier delivery), and
/// becomes <c>sending</c> before SendGrid is called; what SendGrid answered is recorded on the row
/// (<c>sent</c>, <c>failed</c>, <c>unknown</c>) in a time of its own, not the invocation's. A delivery that finds
/// the row anything else sends nothing and completes. A failed send throws <see cref="EmailNotSentException"/>
/// after recording, so the queue retries it (the row is <c>failed</c>, which the retry may send) and, after
/// <c>maxDequeueCount</c> attempts (host.json), the Functions host moves it to the poison queue.
/// An unknown outcome is not retried: SendGrid may have accepted it.
/// </summary>
public sealed class EmailSender(EmailQueue queue, ReminderLedger ledger, Mailer mailer, AuditLog audit, ILogger<EmailSender> logger, DanVanTelemetry telemetry, IEnumerable<IComposedWhenSent> composers)
{
    /// <summary>Sends one queue message's email if its ledger row allows it; answers what was done (null: nothing).</summary>
    public async Task<EmailOutcome?> ProcessAsync(string text, CancellationToken ct)
    {
        var message = EmailQueue.Parse(text);
        var permit = await ledger.BeginSendAsync(message.PartitionKey, message.RowKey, message.ClaimId, ct);
        if (!permit.Granted)
        {
            logger.LogInformation("Email {Kind} {RowKey} of {PartitionKey} not sent again: {Skipped}", message.Kind, message.RowKey, message.PartitionKey, permit.Skipped);
            return null;
        }

        var row = permit.Row!;
        using var scope = telemetry.UnitScope(ReminderLedger.PeriodOf(row), row.UnitCode);
        EmailOutcome outcome;
        try
        {
            var composer = composers.FirstOrDefault(c => c.Kind == message.Kind);
            var email = composer is null ? await queue.EmailOfAsync(message, ct) : await composer.ComposeAsync(row, ct);
            outcome = await mailer.SendAsync(email, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing reached SendGrid (the body could not be read, the outbox could not be written).
            logger.LogError(ex, "Email {Kind} {RowKey} of {PartitionKey} could not be handed over", message.Kind, row.RowKey, row.PartitionKey);
            outcome = EmailOutcome.Failed("error: " + ex.Message, 0);
        }

        using (var recording = new CancellationTokenSource(ReminderLedger.RecordTimeout))
        {
            await ledger.RecordAsync(row, outcome, recording.Token);
            telemetry.EmailOutcome(message.Kind, row, outcome);
            if (outcome.Result != EmailResult.Failed)
            {
                await AuditAsync(message.Kind, row, outcome, recording.Token);
                await queue.ForgetBodyAsync(message, recording.Token);
            }
        }

        return outcome.Result == EmailResult.Failed
            ? throw new EmailNotSentException($"Email {message.Kind} {row.RowKey} of {row.PartitionKey} not sent: {outcome.Reason}")
            : outcome;
    }

    /// <summary>A reminder is audited when it has gone (or may have): who asked for it, to whom, SendGrid's id.</summary>
    private async Task AuditAsync(string kind, ReminderEntity row, EmailOutcome outcome, CancellationToken ct)
    {
        if (kind == EmailKinds.AccessLink)
        {
            var sent = outcome.Result == EmailResult.Sent ? $"message {outcome.MessageId}" : $"outcome unknown: {outcome.Reason}";
            await audit.RecordAsync(row.Actor, AuditActions.TokenIssue, unitCode: row.UnitCode, detail: $"emailed to {row.To.Replace(";", ", ", StringComparison.Ordinal)}; {sent}", ct: ct);
            return;
        }

        if (kind != EmailKinds.Reminder)
        {
            return;
        }

        var what = outcome.Result == EmailResult.Sent ? $"message {outcome.MessageId}" : $"outcome unknown: {outcome.Reason}";
        await audit.RecordAsync(row.Actor, AuditActions.Reminder, ReminderLedger.PeriodOf(row), row.UnitCode, $"{row.Stage} to {row.To.Replace(";", ", ", StringComparison.Ordinal)}; {what}", ct);
    }
}
