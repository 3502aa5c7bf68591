using System.Text.Json.Serialization;

namespace DanVan.Email;

/// <summary>What a queued email is: the <c>kind</c> of every message on the email queue.</summary>
public static class EmailKinds
{
    public const string Receipt = "receipt";
    public const string Reminder = "reminder";
    public const string Digest = "digest";

    /// <summary>Sở Nội vụ's decision about a unit's report (a return with its reason, or an acceptance).</summary>
    public const string Decision = "decision";
    /// <summary>A unit's upload link: composed, with a freshly issued credential, only when it is sent (AccessLinks).</summary>
    public const string AccessLink = "access-link";

    /// <summary>
    /// Not an email but a request for some: a unit's anonymous "send my link again", carrying only the hash of the
    /// address given (<see cref="EmailQueueMessage.AddressHash"/>); the sender's side looks up the registry
    /// (<see cref="IQueuedRequest"/>), so the route answers before anything about the address is read.
    /// </summary>
    public const string AccessResend = "access-resend";
}

/// <summary>
/// One message on the email queue (JSON, camelCase): which ledger row it is for and under which claim
/// (<see cref="EmailLedger"/> owns the keys; the message only carries them back), and the email itself,
/// inline or, when too large for a queue message, as the name of a blob in the <c>emailbodies</c> container.
/// A batch (a reminder run's emails of one stage) is one message for several rows of one partition: <see cref="Items"/>
/// names the rows and <see cref="Emails"/> (or the blob, a JSON array) holds their emails in the same order;
/// <see cref="RowKey"/>, <see cref="ClaimId"/> and <see cref="Email"/> are then empty. Each queue message costs
/// a put, a receive and a delete, so a batch of n costs what one email did. The receipts of uploads at the same moment are
/// batched too, their rows claimed when the batch is delivered (<see cref="ItemsClaimedOnDelivery"/>).
/// </summary>
public sealed record EmailQueueMessage(string Kind, string PartitionKey, string RowKey, string ClaimId, EmailMessage? Email, string? BodyBlob)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EmailQueueItem>? Items { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EmailMessage>? Emails { get; init; }

    /// <summary>A request message's (<see cref="EmailKinds.AccessResend"/>) hex SHA-256 of the address asked for, lowercased.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AddressHash { get; init; }

    /// <summary>
    /// A single message put before any claim (a receipt: the upload request's one storage write): the row the sender claims
    /// under <see cref="ClaimId"/> before sending (<see cref="EmailLedger.ClaimOnDeliveryAsync"/>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EmailQueueItem? ClaimOnDelivery { get; init; }

    /// <summary>
    /// A batch of messages put before any claim (the receipts of uploads at the same moment, <see cref="ReceiptEmails"/>): the
    /// sender claims its <see cref="Items"/> under their claim ids before sending, as it does a single message's
    /// <see cref="ClaimOnDelivery"/> (<see cref="EmailLedger.ClaimOnDeliveryBatchAsync"/>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ItemsClaimedOnDelivery { get; init; }

    [JsonIgnore]
    public bool IsBatch => Items is { Count: > 0 };

    [JsonIgnore]
    public bool IsRequest => Kind == EmailKinds.AccessResend;
}

/// <summary>
/// One ledger row of a batch message, under its claim, and the row as that claim wrote it with the ETag of the write
/// (its <see cref="ETag"/> is the version that write made): while the row is still that version the sender's conditional write needs no read.
/// A message put before its row was claimed (<see cref="EmailQueueMessage.ClaimOnDelivery"/>) carries the row to claim the same way, without a version.
/// </summary>
public sealed record EmailQueueItem(string RowKey, string ClaimId)
{
    public string? ETag { get; init; }

    public string? UnitCode { get; init; }

    public string? Stage { get; init; }

    public string? To { get; init; }

    public string? Cc { get; init; }

    public string? Actor { get; init; }

    public DateTimeOffset? ClaimedAt { get; init; }

    public int Runs { get; init; }

    public int Attempts { get; init; }

    public static EmailQueueItem Of(EmailLedgerRow claimed) => new(claimed.RowKey, claimed.ClaimId!)
    {
        ETag = claimed.Version,
        UnitCode = claimed.UnitCode,
        Stage = claimed.Stage,
        To = claimed.To,
        Cc = claimed.Cc,
        Actor = claimed.Actor,
        ClaimedAt = claimed.ClaimedAt,
        Runs = claimed.Runs,
        Attempts = claimed.Attempts,
    };
}

/// <summary>A few facts about one message that could not be sent, for the dashboard; its ledger row (the first, for a batch) to send it again.</summary>
public sealed record PoisonedEmail(string? Kind, string? PeriodId, string? UnitCode, string? Stage, DateTimeOffset? InsertedAt)
{
    public string? PartitionKey { get; init; }

    public string? RowKey { get; init; }

    /// <summary>What the ledger row says went wrong (the last delivery's reason).</summary>
    public string? Reason { get; init; }
}

/// <summary>What the poison queue holds: about how many, and the first few.</summary>
public sealed record PoisonedEmails(int Count, IReadOnlyList<PoisonedEmail> First);
