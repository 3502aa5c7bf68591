using System.Text.Json.Serialization;

namespace DanVan.Email;

/// <summary>
/// One email as DanVan means it: who gets it, and its Vietnamese text and HTML. The sender is always
/// the configured <see cref="EmailOptions.From"/>. <see cref="Categories"/> and <see cref="CustomArgs"/>
/// travel to SendGrid (and into the outbox file) so a message can be traced to its period, unit and stage.
/// </summary>
public sealed record EmailMessage(
    IReadOnlyList<string> To,
    IReadOnlyList<string> Cc,
    string Subject,
    string Text,
    string Html)
{
    public IReadOnlyList<string> Categories { get; init; } = [];

    public IReadOnlyDictionary<string, string> CustomArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>Copies never repeat an addressee (SendGrid refuses the same address in to and cc).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> DistinctCc =>
        Cc.Where(c => !To.Contains(c, StringComparer.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}

/// <summary>What became of one message, as far as DanVan can know.</summary>
public enum EmailResult
{
    /// <summary>The provider accepted it (or it was written to the outbox).</summary>
    Sent,

    /// <summary>
    /// On the email queue, its ledger row claimed: the queue-triggered sender sends it and records the outcome
    /// on that row. Nothing is left for the caller to do.
    /// </summary>
    Queued,

    /// <summary>Certainly not sent: the provider refused it, or it never left. Sending it again is safe.</summary>
    Failed,

    /// <summary>
    /// Perhaps sent: the request may have reached SendGrid but no answer came back (a timeout, a broken
    /// connection). Sending it again could mean a duplicate email, so it is never resent automatically.
    /// </summary>
    Unknown,
}

/// <summary>
/// What became of one message: sent (with the provider's message id), queued (with the queue's message id),
/// failed or unknown (with a reason).
/// </summary>
public sealed record EmailOutcome(EmailResult Result, string? MessageId, string? Reason, int Attempts)
{
    /// <summary>Handed over: sent, or queued for the sender (which records what SendGrid says). The caller is done.</summary>
    public bool Sent => Result is EmailResult.Sent or EmailResult.Queued;

    public static EmailOutcome Delivered(string? messageId, int attempts) => new(EmailResult.Sent, messageId, null, attempts);

    public static EmailOutcome Enqueued(string? queueMessageId) => new(EmailResult.Queued, queueMessageId, null, 0);

    public static EmailOutcome Failed(string reason, int attempts) => new(EmailResult.Failed, null, reason, attempts);

    public static EmailOutcome Unknown(string reason, int attempts) => new(EmailResult.Unknown, null, reason, attempts);
}
