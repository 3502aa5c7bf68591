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
    public IReadOnlyList<string> DistinctCc =>
        Cc.Where(c => !To.Contains(c, StringComparer.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}

/// <summary>What became of one message: sent (with the provider's message id) or failed (with a reason).</summary>
public sealed record EmailOutcome(bool Sent, string? MessageId, string? Reason, int Attempts)
{
    public static EmailOutcome Delivered(string? messageId, int attempts) => new(true, messageId, null, attempts);

    public static EmailOutcome Failed(string reason, int attempts) => new(false, null, reason, attempts);
}
