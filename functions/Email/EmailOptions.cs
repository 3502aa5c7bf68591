using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace DanVan.Email;

/// <summary>
/// App settings under <c>DanVan__Email__*</c>. An empty <see cref="SendGridApiKey"/> means "no sending":
/// every message goes to the <c>outbox</c> container instead, so a local run shows each email.
/// </summary>
public sealed class EmailOptions
{
    public const string Section = "DanVan:Email";

    /// <summary>A secret (Key Vault in Azure). Empty locally.</summary>
    public string SendGridApiKey { get; set; } = "";

    /// <summary>SendGrid's API base URL; tests point it at a local server.</summary>
    public string SendGridHost { get; set; } = "https://api.sendgrid.com";

    public string From { get; set; } = "danvan@example.org";

    /// <summary>Shown beside <see cref="From"/> in mail clients.</summary>
    public string FromName { get; set; } = "DanVan - Sở Nội vụ";

    /// <summary>Sở Nội vụ's own address: copies of overdue reminders and the run digests.</summary>
    public string SoNoiVuAddress { get; set; } = "so-noi-vu@example.org";

    /// <summary>Calls to SendGrid per message, the first included, before the send is recorded as failed.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>A 429/5xx asking to wait longer than this is not waited for: the send fails and the next run retries it.</summary>
    public int MaxRetryDelaySeconds { get; set; } = 60;

    /// <summary>
    /// How long one call to SendGrid may take, reply included. A call that gets no reply in time has an
    /// unknown outcome (SendGrid may have accepted it) and is not retried.
    /// </summary>
    public int AttemptTimeoutSeconds { get; set; } = 30;

    public TimeSpan AttemptTimeout => TimeSpan.FromSeconds(AttemptTimeoutSeconds);

    /// <summary>
    /// The longest one <see cref="Mailer.SendAsync"/> can take: every attempt running to its timeout,
    /// with the longest wait allowed between attempts.
    /// </summary>
    public TimeSpan LongestSend => (AttemptTimeout * MaxAttempts) + (TimeSpan.FromSeconds(MaxRetryDelaySeconds) * (MaxAttempts - 1));

    /// <summary>
    /// The longest an email whose ledger row is already <c>sending</c> waits for one of the instance's send slots
    /// (<see cref="SendSlots"/>) before it is recorded as failed (not sent) and left to the queue's retry: one
    /// attempt's timeout.
    /// </summary>
    public TimeSpan SlotWait => AttemptTimeout;

    public bool UsesOutbox => string.IsNullOrWhiteSpace(SendGridApiKey);
}

/// <summary>Says which email setting is wrong, so a bad deployment stops at start with a clear message.</summary>
internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(options.SendGridHost, UriKind.Absolute, out var host) || (host.Scheme != Uri.UriSchemeHttps && host.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add("DanVan__Email__SendGridHost must be an absolute http(s) URL, e.g. https://api.sendgrid.com.");
        }

        if (!IsAddress(options.From))
        {
            problems.Add("DanVan__Email__From must be one email address.");
        }

        if (!IsAddress(options.SoNoiVuAddress))
        {
            problems.Add("DanVan__Email__SoNoiVuAddress must be one email address.");
        }

        if (options.MaxAttempts is < 1 or > 10)
        {
            problems.Add("DanVan__Email__MaxAttempts must be between 1 and 10.");
        }

        if (options.MaxRetryDelaySeconds is < 0 or > 600)
        {
            problems.Add("DanVan__Email__MaxRetryDelaySeconds must be between 0 and 600.");
        }

        if (options.AttemptTimeoutSeconds is < 1 or > 300)
        {
            problems.Add("DanVan__Email__AttemptTimeoutSeconds must be between 1 and 300.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    internal static bool IsAddress(string? text) =>
        text is { Length: > 3 and <= 254 } && MailAddress.TryCreate(text, out var address) && address.Address == text;
}
