using System.Globalization;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Storage;
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
/// The upload does not wait on SendGrid, and its request makes at most one storage call for the receipt: <see cref="SendAsync"/>
/// puts the email on the queue with a fresh claim id and the ledger row to claim (at most one email per period, unit and
/// version); the queue-triggered <see cref="EmailSender"/> claims that row under the message's claim id
/// (<see cref="EmailLedger.ClaimOnDeliveryAsync"/>: every copy and delivery of the message finds the same claim), sends
/// once and records the outcome on it. The receipts of uploads at the same moment share their message
/// (<see cref="Gathering{T}"/>: those that arrive while one put is out go together in the next, up to
/// <see cref="PerMessage"/> of a period), so under a rush a dozen receipts cost one put, one receive, one delete and one
/// transaction per step of the ledger, where each alone cost them all.
/// </summary>
public sealed class ReceiptEmails
{
    /// <summary>Who the ledger says asked for a receipt.</summary>
    public const string Actor = "upload";

    /// <summary>The most receipts one message carries: a receipt's email is about 3 KB of JSON, and a message holds 45 KB inline.</summary>
    public const int PerMessage = 12;

    /// <summary>How long one put may take, whatever its callers' tokens (each caller waits as long as its own allows).</summary>
    private static readonly TimeSpan PutTimeout = TimeSpan.FromSeconds(30);

    private readonly EmailLedger ledger;
    private readonly EmailQueue queue;
    private readonly IOptions<DanVanOptions> options;
    private readonly TimeProvider clock;
    private readonly Gathering<Queued> gathering;

    public ReceiptEmails(EmailLedger ledger, EmailQueue queue, IOptions<DanVanOptions> options, TimeProvider clock)
    {
        (this.ledger, this.queue, this.options, this.clock) = (ledger, queue, options, clock);
        gathering = new Gathering<Queued>(PutAsync, static (receipt, ex) => receipt.Put.TrySetException(ex));
    }

    /// <summary>
    /// Queued (with the queue's message id); failed when the message could not be put (its row is then recorded failed
    /// under the message's claim, so a copy that reached the queue after all still sends it once).
    /// </summary>
    public async Task<EmailOutcome> SendAsync(ReceiptEmail receipt, CancellationToken ct = default)
    {
        var email = Compose(receipt, options.Value.PublicBaseUrl);
        var claimId = Guid.NewGuid().ToString("N");
        var toClaim = new EmailQueueItem(EmailLedger.ReceiptRowKey(receipt.UnitCode, receipt.Version), claimId)
        {
            UnitCode = receipt.UnitCode,
            To = string.Join(";", email.To),
            Actor = Actor,
            ClaimedAt = clock.GetUtcNow(),
            Runs = 1,
        };
        var queued = new Queued(EmailLedger.ReceiptPartitionKey(receipt.PeriodId), toClaim, email, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        gathering.Add(queued);
        try
        {
            return EmailOutcome.Enqueued(await queued.Put.Task.WaitAsync(ct));
        }
        catch (Exception ex) when (StorageFailures.Is(ex, ct))
        {
            var failed = EmailOutcome.Failed("not queued: " + ex.Message, 0);
            using var recording = new CancellationTokenSource(EmailLedger.RecordTimeout);
            await ledger.RecordNotQueuedAsync(queued.PartitionKey, toClaim.RowKey, claimId, toClaim, failed.Reason!, recording.Token);
            return failed;
        }
    }

    /// <summary>
    /// What gathered while the last put was out: a message per period and <see cref="PerMessage"/> receipts, side by side.
    /// A put that fails throws once every put is done: the gathering then answers each receipt not answered yet with the failure.
    /// </summary>
    private Task PutAsync(IReadOnlyList<Queued> batch) =>
        Task.WhenAll(batch.GroupBy(q => q.PartitionKey, StringComparer.Ordinal).SelectMany(period => period.Chunk(PerMessage)).Select(PutOneAsync));

    private async Task PutOneAsync(Queued[] receipts)
    {
        using var timeout = new CancellationTokenSource(PutTimeout);
        var id = await queue.EnqueueToClaimAsync(EmailKinds.Receipt, receipts[0].PartitionKey, [.. receipts.Select(r => (r.ToClaim, r.Email))], timeout.Token);
        foreach (var receipt in receipts)
        {
            receipt.Put.TrySetResult(id);
        }
    }

    /// <summary>One receipt waiting for its message to be put: the row to claim, its email, and the put's message id.</summary>
    private sealed record Queued(string PartitionKey, EmailQueueItem ToClaim, EmailMessage Email, TaskCompletionSource<string> Put);

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
