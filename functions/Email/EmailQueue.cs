using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Azure.Storage.Blobs.Models;
using DanVan.Storage;

namespace DanVan.Email;

/// <summary>
/// The email queue: receipts, reminders and digests wait here for the queue-triggered sender
/// (<see cref="EmailSender"/>), so no request waits on SendGrid. Messages are Base64 like the Functions queue
/// extension's own (see <see cref="DanVanStore.EmailQueue"/>); one that failed every attempt is moved by the
/// Functions host to <c>{queue}-poison</c>, read here for the dashboard.
/// </summary>
public sealed class EmailQueue(DanVanStore store, EmailLedger ledger)
{
    /// <summary>
    /// A queue message holds 64 KiB, Base64 takes a third more: a message whose JSON is larger than this keeps its
    /// email in a blob (a digest that lists hundreds of units).
    /// </summary>
    public const int MaxInlineBytes = 45 * 1024;

    /// <summary>How many poisoned messages the dashboard is shown (the most one peek returns).</summary>
    public const int PeekLimit = 32;

    /// <summary>The most emails one batch message carries (a table transaction holds 100 rows; far fewer fit a message).</summary>
    public const int MaxBatch = 50;

    // Vietnamese letters stay UTF-8 (not \uXXXX, six bytes each), so a batch of reminders fits a message; characters
    // that matter in HTML are still escaped.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>Puts the email of a claimed ledger row on the queue; answers the queue's message id.</summary>
    public Task<string> EnqueueAsync(string kind, EmailLedgerRow claimed, EmailMessage email, CancellationToken ct) =>
        EnqueueAsync(new EmailQueueMessage(kind, claimed.PartitionKey, claimed.RowKey, claimed.ClaimId!, email, null), ct);

    /// <summary>Puts a single message on the queue, its email in a blob when too large for the message; answers the queue's message id.</summary>
    public async Task<string> EnqueueAsync(EmailQueueMessage message, CancellationToken ct)
    {
        var text = JsonSerializer.Serialize(message, Json);
        if (Encoding.UTF8.GetByteCount(text) > MaxInlineBytes)
        {
            var blobName = $"{message.Kind}/{message.ClaimId}.json";
            await store.EmailBodies.GetBlobClient(blobName).UploadAsync(
                BinaryData.FromObjectAsJson(message.Email, Json),
                new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                ct);
            text = JsonSerializer.Serialize(message with { Email = null, BodyBlob = blobName }, Json);
        }

        var sent = await store.EmailQueue.SendMessageAsync(text, cancellationToken: ct);
        return sent.Value.MessageId;
    }

    /// <summary>
    /// Puts the email of a claimed ledger row on the queue. If that fails the row is recorded as failed (the email
    /// certainly did not leave), so it can be claimed again, and the outcome says so.
    /// </summary>
    public async Task<EmailOutcome> QueueClaimedAsync(string kind, EmailLedgerRow claimed, EmailMessage email, CancellationToken ct)
    {
        try
        {
            return EmailOutcome.Enqueued(await EnqueueAsync(kind, claimed, email, ct));
        }
        catch (Exception ex) when (StorageFailures.Is(ex, ct))
        {
            var failed = EmailOutcome.Failed("not queued: " + ex.Message, 0);
            using var recording = new CancellationTokenSource(EmailLedger.RecordTimeout);
            await ledger.RecordAsync(claimed, failed, recording.Token);
            return failed;
        }
    }

    /// <summary>
    /// <see cref="QueueClaimedAsync"/> for several claimed rows of one partition, as one batch message. If that
    /// fails every row is recorded as failed (none of the emails left), so each can be claimed again.
    /// </summary>
    public async Task<EmailOutcome> QueueClaimedBatchAsync(string kind, IReadOnlyList<(EmailLedgerRow Claimed, EmailMessage Email)> batch, CancellationToken ct)
    {
        try
        {
            return EmailOutcome.Enqueued(await EnqueueBatchAsync(kind, batch, ct));
        }
        catch (Exception ex) when (StorageFailures.Is(ex, ct))
        {
            var failed = EmailOutcome.Failed("not queued: " + ex.Message, 0);
            using var recording = new CancellationTokenSource(EmailLedger.RecordTimeout);
            await ledger.RecordBatchAsync(batch.Select(b => (b.Claimed, failed)).ToList(), recording.Token);
            return failed;
        }
    }

    /// <summary>
    /// Puts the emails of several claimed rows of one partition on the queue as one message (one row: the
    /// single shape of <see cref="EnqueueAsync"/>); answers the queue's message id.
    /// </summary>
    public async Task<string> EnqueueBatchAsync(string kind, IReadOnlyList<(EmailLedgerRow Claimed, EmailMessage Email)> batch, CancellationToken ct)
    {
        if (batch.Count == 1)
        {
            return await EnqueueAsync(kind, batch[0].Claimed, batch[0].Email, ct);
        }

        var partitionKey = batch[0].Claimed.PartitionKey;
        if (batch.Any(b => b.Claimed.PartitionKey != partitionKey))
        {
            throw new ArgumentException("A batch message holds rows of one partition.", nameof(batch));
        }

        return await EnqueueItemsAsync(kind, partitionKey, [.. batch.Select(b => (EmailQueueItem.Of(b.Claimed), b.Email))], claimedOnDelivery: false, ct);
    }

    /// <summary>
    /// Puts emails whose rows are not claimed yet (receipts) on the queue as one message: the sender claims each row under
    /// its item's claim id when the message is delivered (one email: the single shape with <see cref="EmailQueueMessage.ClaimOnDelivery"/>).
    /// Answers the queue's message id.
    /// </summary>
    public Task<string> EnqueueToClaimAsync(string kind, string partitionKey, IReadOnlyList<(EmailQueueItem ToClaim, EmailMessage Email)> batch, CancellationToken ct) =>
        batch.Count == 1
            ? EnqueueAsync(new EmailQueueMessage(kind, partitionKey, batch[0].ToClaim.RowKey, batch[0].ToClaim.ClaimId, batch[0].Email, null) { ClaimOnDelivery = batch[0].ToClaim }, ct)
            : EnqueueItemsAsync(kind, partitionKey, batch, claimedOnDelivery: true, ct);

    /// <summary>One batch message of rows of one partition, its emails in a blob when too large for the message.</summary>
    private async Task<string> EnqueueItemsAsync(string kind, string partitionKey, IReadOnlyList<(EmailQueueItem Item, EmailMessage Email)> batch, bool claimedOnDelivery, CancellationToken ct)
    {
        if (batch.Count > MaxBatch)
        {
            throw new ArgumentException($"A batch message holds at most {MaxBatch} rows.", nameof(batch));
        }

        var message = new EmailQueueMessage(kind, partitionKey, "", "", null, null)
        {
            Items = [.. batch.Select(b => b.Item)],
            Emails = [.. batch.Select(b => b.Email)],
            ItemsClaimedOnDelivery = claimedOnDelivery,
        };
        var text = JsonSerializer.Serialize(message, Json);
        if (Encoding.UTF8.GetByteCount(text) > MaxInlineBytes)
        {
            var blobName = $"{kind}/{batch[0].Item.ClaimId}-batch.json";
            await store.EmailBodies.GetBlobClient(blobName).UploadAsync(
                BinaryData.FromObjectAsJson(message.Emails, Json),
                new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                ct);
            text = JsonSerializer.Serialize(message with { BodyBlob = blobName, Emails = null }, Json);
        }

        var sent = await store.EmailQueue.SendMessageAsync(text, cancellationToken: ct);
        return sent.Value.MessageId;
    }

    /// <summary>Puts a request (<see cref="EmailKinds.AccessResend"/>) on the queue: no ledger row, only what the handler needs.</summary>
    public async Task EnqueueRequestAsync(string kind, string addressHash, CancellationToken ct)
    {
        var message = new EmailQueueMessage(kind, EmailLedger.AccessPartition, "", "", null, null) { AddressHash = addressHash };
        await store.EmailQueue.SendMessageAsync(JsonSerializer.Serialize(message, Json), cancellationToken: ct);
    }

    /// <summary>A message's JSON; an unreadable one throws (and ends in the poison queue).</summary>
    public static EmailQueueMessage Parse(string text)
    {
        var message = JsonSerializer.Deserialize<EmailQueueMessage>(text, Json);
        if (message is { IsRequest: true, AddressHash.Length: 64 })
        {
            return message;
        }

        var single = message is { Kind.Length: > 0, PartitionKey.Length: > 0, RowKey.Length: > 0, ClaimId.Length: > 0, IsBatch: false } && (message.Email is not null || message.BodyBlob is not null);
        var batch = message is { Kind.Length: > 0, PartitionKey.Length: > 0, IsBatch: true }
            && message.Items!.All(i => i is { RowKey.Length: > 0, ClaimId.Length: > 0 })
            && (message.Emails?.Count == message.Items!.Count || (message.Emails is null && message.BodyBlob is not null));
        return single || batch
            ? message!
            : throw new FormatException("Not an email queue message: kind, partitionKey, rowKey, claimId and email (or bodyBlob) are required, or items with their emails.");
    }

    /// <summary>The emails of a batch message, in the order of its items, inline or from its blob.</summary>
    public async Task<IReadOnlyList<EmailMessage>> EmailsOfAsync(EmailQueueMessage message, CancellationToken ct)
    {
        if (message.Emails is { } inline)
        {
            return inline;
        }

        var content = await store.EmailBodies.GetBlobClient(message.BodyBlob).DownloadContentAsync(ct);
        var emails = content.Value.Content.ToObjectFromJson<List<EmailMessage>>(Json);
        return emails is { } list && list.Count == message.Items!.Count ? list : throw new FormatException($"Email bodies {message.BodyBlob} do not match the message's items.");
    }

    /// <summary>The email a message carries, inline or from its blob.</summary>
    public async Task<EmailMessage> EmailOfAsync(EmailQueueMessage message, CancellationToken ct)
    {
        if (message.Email is { } inline)
        {
            return inline;
        }

        var content = await store.EmailBodies.GetBlobClient(message.BodyBlob).DownloadContentAsync(ct);
        return content.Value.Content.ToObjectFromJson<EmailMessage>(Json) ?? throw new FormatException($"Email body {message.BodyBlob} is empty.");
    }

    /// <summary>Deletes a message's body blob once its email is settled (sent or unknown); a failure leaves it.</summary>
    public async Task ForgetBodyAsync(EmailQueueMessage message, CancellationToken ct)
    {
        if (message.BodyBlob is { } name)
        {
            await store.EmailBodies.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: ct);
        }
    }

    /// <summary>The poison queue: its approximate count and the first <see cref="PeekLimit"/> messages, read without taking them.</summary>
    public async Task<PoisonedEmails> PoisonedAsync(CancellationToken ct)
    {
        var poison = store.EmailPoisonQueue;
        var properties = await poison.GetPropertiesAsync(ct);
        var peeked = await poison.PeekMessagesAsync(PeekLimit, ct);
        var first = peeked.Value.Select(p =>
        {
            EmailQueueMessage? message = null;
            try
            {
                message = Parse(p.Body.ToString());
            }
            catch (Exception ex) when (ex is JsonException or FormatException or NotSupportedException)
            {
                // Shown without its details: it was never a message DanVan could read.
            }

            var args = (message?.Email ?? message?.Emails?.FirstOrDefault())?.CustomArgs;
            return new PoisonedEmail(
                message?.Kind,
                args?.GetValueOrDefault("periodId"),
                args?.GetValueOrDefault("unitCode"),
                args?.GetValueOrDefault("stage"),
                p.InsertedOn)
            {
                PartitionKey = message?.PartitionKey,
                RowKey = message is null ? null : message.IsBatch ? message.Items![0].RowKey : message.RowKey,
            };
        }).ToList();
        return new PoisonedEmails(Math.Max(properties.Value.ApproximateMessagesCount, first.Count), first);
    }

    /// <summary>
    /// Keeps the email of a row whose outcome is unknown (as its queue message carried it: for an access link the envelope,
    /// never a credential), so an officer who checked SendGrid's activity can send it again (<see cref="TakeHeldAsync"/>).
    /// </summary>
    public async Task HoldAsync(string kind, EmailLedgerRow row, EmailMessage email, CancellationToken ct)
    {
        var message = new EmailQueueMessage(kind, row.PartitionKey, row.RowKey, row.ClaimId!, email, null);
        await store.EmailBodies.GetBlobClient(HeldName(row.PartitionKey, row.RowKey)).UploadAsync(BinaryData.FromObjectAsJson(message, Json), overwrite: true, ct);
    }

    /// <summary>The held message of a row (<see cref="HoldAsync"/>), or null.</summary>
    public async Task<EmailQueueMessage?> HeldAsync(string partitionKey, string rowKey, CancellationToken ct)
    {
        var blob = store.EmailBodies.GetBlobClient(HeldName(partitionKey, rowKey));
        try
        {
            return Parse((await blob.DownloadContentAsync(ct)).Value.Content.ToString());
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Forgets a row's held message once it is on the queue again.</summary>
    public Task TakeHeldAsync(string partitionKey, string rowKey, CancellationToken ct) =>
        store.EmailBodies.GetBlobClient(HeldName(partitionKey, rowKey)).DeleteIfExistsAsync(cancellationToken: ct);

    private static string HeldName(string partitionKey, string rowKey) => $"held/{Uri.EscapeDataString(partitionKey)}/{Uri.EscapeDataString(rowKey)}.json";

    /// <summary>
    /// The email of one row from the poison queue, as a single message under the row's claim (a batch's item taken out
    /// of it), or null when none of the first <see cref="PeekLimit"/> poisoned messages is for that row. A single
    /// message found is removed from the poison queue; a batch stays (its other rows may be sent again the same way).
    /// </summary>
    public async Task<EmailQueueMessage?> TakePoisonedAsync(string partitionKey, string rowKey, CancellationToken ct)
    {
        var poison = store.EmailPoisonQueue;
        EmailQueueMessage? found = null;
        foreach (var m in (await poison.ReceiveMessagesAsync(PeekLimit, TimeSpan.FromSeconds(30), ct)).Value)
        {
            EmailQueueMessage? message = null;
            try
            {
                message = Parse(m.Body.ToString());
            }
            catch (Exception ex) when (ex is JsonException or FormatException or NotSupportedException)
            {
            }

            if (found is null && message is { IsRequest: false } && message.PartitionKey == partitionKey)
            {
                if (!message.IsBatch && message.RowKey == rowKey)
                {
                    found = message.Email is null ? message with { Email = await EmailOfAsync(message, ct), BodyBlob = null } : message;
                    await poison.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                    continue;
                }

                var index = message.IsBatch ? message.Items!.ToList().FindIndex(i => i.RowKey == rowKey) : -1;
                if (index >= 0)
                {
                    var emails = await EmailsOfAsync(message, ct);
                    found = new EmailQueueMessage(message.Kind, partitionKey, rowKey, message.Items![index].ClaimId, emails[index], null);
                }
            }

            await poison.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: ct);
        }

        return found;
    }

    /// <summary>Puts a message (held or taken from the poison queue) back on the email queue.</summary>
    public Task<string> RequeueAsync(EmailQueueMessage message, CancellationToken ct) =>
        EnqueueAsync(new EmailQueueMessage(message.Kind, message.PartitionKey, message.RowKey, message.ClaimId, message.Email!, null), ct);
}
