using System.Globalization;
using System.Net;
using Azure.Storage.Blobs.Models;
using DanVan.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace DanVan.Email;

/// <summary>
/// DanVan's one way out for email. With a SendGrid key it sends through SendGrid's v3 API
/// (the <see cref="ISendGridClient"/> it is given). Only a definite "not accepted" is retried, with exponential
/// backoff, honouring <c>Retry-After</c> up to <see cref="EmailOptions.MaxRetryDelaySeconds"/>:
/// <list type="bullet">
/// <item>a 429 or 5xx answer;</item>
/// <item>a connection that could not be made at all (name not resolved, connection refused, TLS
/// handshake failed): the request never left.</item>
/// </list>
/// Any other 4xx is final (failed). A call that got no answer in <see cref="EmailOptions.AttemptTimeout"/>,
/// or whose connection broke once the request may have been written, is <see cref="EmailResult.Unknown"/>:
/// SendGrid may have accepted it, and sending it again could deliver it twice, so it is not retried.
/// The caller's token stops further attempts (and the waits between them) but never cuts a call in flight,
/// so an abort cannot turn an accepted message into an unknown one; each call is bounded by its own timeout.
/// Without a key it writes the message to the <c>outbox</c> container.
/// It never throws for a failed send: the caller gets an <see cref="EmailOutcome"/> and records it.
/// </summary>
public sealed class Mailer(IOptions<EmailOptions> options, ISendGridClient client, DanVanStore store, TimeProvider clock, ILogger<Mailer> logger)
{
    private readonly EmailOptions settings = options.Value;

    public async Task<EmailOutcome> SendAsync(EmailMessage message, CancellationToken ct = default)
    {
        if (message.To.Count == 0)
        {
            return EmailOutcome.Failed("no_recipient", 0);
        }

        return settings.UsesOutbox ? await WriteToOutboxAsync(message, ct) : await SendWithRetriesAsync(message, ct);
    }

    private async Task<EmailOutcome> WriteToOutboxAsync(EmailMessage message, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = now.ToString("HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..16];
        var blobName = $"{now:yyyyMMdd}/{id}.eml";
        var bytes = OutboxMessage.Render(message, settings.From, settings.FromName, now, id);
        await store.Outbox.GetBlobClient(blobName).UploadAsync(
            new BinaryData(bytes),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "message/rfc822" } },
            ct);
        logger.LogInformation("Email to {To} written to outbox {Blob}: {Subject}", string.Join(", ", message.To), blobName, message.Subject);
        return EmailOutcome.Delivered("outbox:" + blobName, 1);
    }

    private async Task<EmailOutcome> SendWithRetriesAsync(EmailMessage message, CancellationToken ct)
    {
        var mail = ToSendGrid(message);
        var to = string.Join(", ", message.To);
        var maxDelay = TimeSpan.FromSeconds(settings.MaxRetryDelaySeconds);
        string? reason = null;
        for (var attempt = 1; ; attempt++)
        {
            if (ct.IsCancellationRequested)
            {
                // Every earlier attempt was a definite refusal, and this one has not started: not sent.
                return EmailOutcome.Failed(reason is null ? "cancelled before sending" : $"{reason} (cancelled before attempt {attempt})", attempt - 1);
            }

            TimeSpan? retryAfter = null;
            using (var timeout = new CancellationTokenSource(settings.AttemptTimeout))
            {
                try
                {
                    var response = await client.SendEmailAsync(mail, timeout.Token);
                    var status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        var messageId = response.Headers.TryGetValues("X-Message-Id", out var ids) ? ids.FirstOrDefault() : null;
                        logger.LogInformation("Email to {To} sent by SendGrid as {MessageId} after {Attempts} attempt(s)", to, messageId, attempt);
                        return EmailOutcome.Delivered(messageId, attempt);
                    }

                    reason = $"sendgrid_{status}: {await BodyExcerptAsync(response, timeout.Token)}";
                    if (status != (int)HttpStatusCode.TooManyRequests && status < 500)
                    {
                        logger.LogWarning("SendGrid refused email to {To}: {Reason}", to, reason);
                        return EmailOutcome.Failed(reason, attempt);
                    }

                    retryAfter = RetryAfter(response);
                }
                catch (HttpRequestException ex) when (NeverSent(ex))
                {
                    reason = $"connect: {ex.Message}";
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
                {
                    // Only our own timeout cancels a call (the caller's token is not passed in).
                    reason = ex is OperationCanceledException
                        ? $"timeout: no answer from SendGrid within {settings.AttemptTimeoutSeconds} s"
                        : $"transport: {ex.Message}";
                    logger.LogWarning("Email to {To}: outcome unknown after attempt {Attempt}, not retried: {Reason}", to, attempt, reason);
                    return EmailOutcome.Unknown(reason, attempt);
                }
            }

            if (attempt >= settings.MaxAttempts)
            {
                logger.LogWarning("Email to {To} failed after {Attempts} attempts: {Reason}", to, attempt, reason);
                return EmailOutcome.Failed(reason, attempt);
            }

            var delay = retryAfter ?? Backoff(attempt);
            if (delay > maxDelay)
            {
                logger.LogWarning("SendGrid asked to wait {Delay} for email to {To}; more than {MaxDelay}, leaving it to the next run", delay, to, maxDelay);
                return EmailOutcome.Failed($"{reason} (retry after {delay.TotalSeconds:0} s)", attempt);
            }

            logger.LogInformation("Retrying email to {To} in {Delay} after: {Reason}", to, delay, reason);
            try
            {
                await Task.Delay(delay, clock, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return EmailOutcome.Failed($"{reason} (cancelled before attempt {attempt + 1})", attempt);
            }
        }
    }

    /// <summary>
    /// The request never left this machine: the connection could not be made (no name, refused,
    /// unreachable, TLS handshake failed), so SendGrid cannot have it and sending again is safe.
    /// </summary>
    private static bool NeverSent(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError;

    private SendGridMessage ToSendGrid(EmailMessage message)
    {
        var mail = new SendGridMessage
        {
            From = new EmailAddress(settings.From, settings.FromName),
            Subject = message.Subject,
            PlainTextContent = message.Text,
            HtmlContent = message.Html,
        };
        mail.AddTos(message.To.Select(a => new EmailAddress(a)).ToList());
        if (message.DistinctCc is { Count: > 0 } cc)
        {
            mail.AddCcs(cc.Select(a => new EmailAddress(a)).ToList());
        }

        if (message.Categories.Count > 0)
        {
            mail.AddCategories(message.Categories.ToList());
        }

        if (message.CustomArgs.Count > 0)
        {
            mail.AddCustomArgs(message.CustomArgs.ToDictionary(kv => kv.Key, kv => kv.Value));
        }

        return mail;
    }

    /// <summary>1 s, 2 s, 4 s … with ±20 % jitter so parallel senders do not retry in step.</summary>
    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromSeconds(Math.Pow(2, attempt - 1) * (0.8 + (Random.Shared.NextDouble() * 0.4)));

    private TimeSpan? RetryAfter(Response response)
    {
        if (response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        return header.Date is { } date ? (date - clock.GetUtcNow()) is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero : null;
    }

    /// <summary>The start of an error answer's body; an unreadable body does not change what the status said.</summary>
    private static async Task<string> BodyExcerptAsync(Response response, CancellationToken ct)
    {
        string body;
        try
        {
            body = response.Body is null ? "" : await response.Body.ReadAsStringAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return "(body not readable)";
        }

        body = body.ReplaceLineEndings(" ");
        return body.Length > 300 ? body[..300] : body;
    }
}
