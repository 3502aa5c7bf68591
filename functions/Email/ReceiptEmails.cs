using System.Globalization;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Reminders;
using Microsoft.Extensions.Options;

namespace DanVan.Email;

/// <summary>What the upload path knows about an accepted version, for the unit's email receipt.</summary>
public sealed record ReceiptEmail(
    string UnitCode,
    string UnitName,
    IReadOnlyList<string> To,
    string PeriodId,
    string PeriodTitle,
    DateTimeOffset Deadline,
    int Version,
    string FileName,
    long SizeBytes,
    string Sha256,
    DateTimeOffset ReceivedAt,
    bool OnTime);

/// <summary>
/// The email receipt a unit gets for each accepted upload, from the same sender and templates as reminders.
/// The upload does not wait on SendGrid: <see cref="SendAsync"/> claims the receipt's row in the email ledger
/// (at most one email per period, unit and version) and puts the email on the queue; the queue-triggered
/// <see cref="EmailSender"/> sends it and records the outcome on that row.
/// </summary>
public sealed class ReceiptEmails(ReminderLedger ledger, EmailQueue queue, IOptions<DanVanOptions> options)
{
    /// <summary>Who the ledger says asked for a receipt.</summary>
    public const string Actor = "upload";

    /// <summary>
    /// Queued (with the queue's message id); or, when this receipt was claimed before (a retried request), the
    /// state of that claim as an outcome that needs nothing more; failed when the claim or the queue failed.
    /// </summary>
    public async Task<EmailOutcome> SendAsync(ReceiptEmail receipt, CancellationToken ct = default)
    {
        var email = Compose(receipt, options.Value.PublicBaseUrl);
        var claim = await ledger.ClaimReceiptAsync(receipt.PeriodId, receipt.UnitCode, receipt.Version, string.Join(";", email.To), Actor, ct);
        if (!claim.Won)
        {
            return EmailOutcome.Enqueued(null) with { Reason = "already " + claim.ExistingStatus };
        }

        return await EnqueueClaimedAsync(queue, ledger, EmailKinds.Receipt, claim.Row!, email, ct);
    }

    /// <summary>
    /// Puts the email of a claimed ledger row on the queue. If that fails the row is recorded as failed (the email
    /// certainly did not leave), so it can be claimed again, and the outcome says so.
    /// </summary>
    internal static async Task<EmailOutcome> EnqueueClaimedAsync(EmailQueue queue, ReminderLedger ledger, string kind, ReminderEntity claimed, EmailMessage email, CancellationToken ct)
    {
        try
        {
            return EmailOutcome.Enqueued(await queue.EnqueueAsync(kind, claimed, email, ct));
        }
        catch (Exception ex) when (Storage.StorageFailures.Is(ex, ct))
        {
            var failed = EmailOutcome.Failed("not queued: " + ex.Message, 0);
            using var recording = new CancellationTokenSource(ReminderLedger.RecordTimeout);
            await ledger.RecordAsync(claimed, failed, recording.Token);
            return failed;
        }
    }

    /// <summary>
    /// <see cref="EnqueueClaimedAsync"/> for several claimed rows of one partition, as one batch message. If that
    /// fails every row is recorded as failed (none of the emails left), so each can be claimed again.
    /// </summary>
    internal static async Task<EmailOutcome> EnqueueClaimedBatchAsync(EmailQueue queue, ReminderLedger ledger, string kind, IReadOnlyList<(ReminderEntity Claimed, EmailMessage Email)> batch, CancellationToken ct)
    {
        try
        {
            return EmailOutcome.Enqueued(await queue.EnqueueBatchAsync(kind, batch, ct));
        }
        catch (Exception ex) when (Storage.StorageFailures.Is(ex, ct))
        {
            var failed = EmailOutcome.Failed("not queued: " + ex.Message, 0);
            using var recording = new CancellationTokenSource(ReminderLedger.RecordTimeout);
            await ledger.RecordBatchAsync(batch.Select(b => (b.Claimed, failed)).ToList(), recording.Token);
            return failed;
        }
    }

    public static EmailMessage Compose(ReceiptEmail r, string publicBaseUrl)
    {
        var values = new Dictionary<string, string>
        {
            ["unitName"] = r.UnitName,
            ["periodTitle"] = r.PeriodTitle,
            ["deadline"] = VietnamTime.DescribeDeadline(r.Deadline),
            ["version"] = r.Version.ToString(CultureInfo.InvariantCulture),
            ["fileName"] = r.FileName,
            ["size"] = DescribeSize(r.SizeBytes),
            ["sha256"] = r.Sha256,
            ["receivedAt"] = VietnamTime.ToVietnam(r.ReceivedAt).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture),
            ["timeliness"] = r.OnTime ? "Đúng hạn" : "Muộn (sau hạn nộp)",
            ["uploadUrl"] = UploadUrl(publicBaseUrl),
        };
        var rendered = EmailTemplates.Render("receipt", values);
        return new EmailMessage(r.To, [], rendered.Subject, rendered.Text, rendered.Html)
        {
            Categories = ["danvan", "receipt"],
            CustomArgs = new Dictionary<string, string> { ["periodId"] = r.PeriodId, ["unitCode"] = r.UnitCode, ["version"] = values["version"] },
        };
    }

    /// <summary>The upload page every email links to.</summary>
    public static string UploadUrl(string publicBaseUrl) => publicBaseUrl.TrimEnd('/') + "/api/upload";

    /// <summary>"1.234.567 byte (1,2 MB)" in Vietnamese number format.</summary>
    public static string DescribeSize(long bytes)
    {
        var exact = bytes.ToString("N0", VietnamTime.Culture) + " byte";
        return bytes < 1024 * 1024
            ? exact
            : $"{exact} ({(bytes / (1024.0 * 1024.0)).ToString("0.0", VietnamTime.Culture)} MB)";
    }
}
