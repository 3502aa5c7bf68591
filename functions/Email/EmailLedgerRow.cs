namespace DanVan.Email;

/// <summary>
/// One row of the email ledger (<see cref="EmailLedger"/>) as its callers see it: which email (its keys, its unit and
/// stage), the state of its one send (<see cref="EmailStatus"/>), who asked for it and to whom. <see cref="Version"/> is
/// the version of the row this record was read or written as: the ledger's conditional writes take the record back and
/// succeed only while the row is still that version.
/// </summary>
public sealed record EmailLedgerRow(string PartitionKey, string RowKey, string? Version)
{
    public string UnitCode { get; init; } = "";

    public string Stage { get; init; } = "";

    /// <summary><see cref="EmailStatus"/>: queued, sending, sent, failed or unknown.</summary>
    public string Status { get; init; } = "";

    public string? Reason { get; init; }

    public string? MessageId { get; init; }

    /// <summary>Provider calls, over every run that tried.</summary>
    public int Attempts { get; init; }

    /// <summary>Runs that claimed the row.</summary>
    public int Runs { get; init; }

    public string To { get; init; } = "";

    public string? Cc { get; init; }

    public string Actor { get; init; } = "";

    public DateTimeOffset ClaimedAt { get; init; }

    /// <summary>When the sender took the row from the queue and started sending (status <c>sending</c>).</summary>
    public DateTimeOffset? SendingAt { get; init; }

    public DateTimeOffset? SentAt { get; init; }

    /// <summary>
    /// When the sender was about to make the request to SendGrid: a <c>sending</c> row without it never reached SendGrid
    /// and is safely sent again; with it, an unrecorded outcome is unknown.
    /// </summary>
    public DateTimeOffset? AttemptedAt { get; init; }

    /// <summary>Which delivery of the queue message is sending: a fresh id each time the sender takes the row.</summary>
    public string? SendId { get; init; }

    /// <summary>Who holds the claim: a fresh id per claim, so a claim whose reply was lost is recognised as one's own.</summary>
    public string? ClaimId { get; init; }

    /// <summary>The period the email belongs to, whichever kind it is (an access link's partition names none).</summary>
    public string PeriodId => PartitionKey.Split('~')[0];

    /// <summary>What kind of email the row is for (<see cref="EmailKinds"/>), from its partition.</summary>
    public string Kind =>
        PartitionKey == EmailLedger.AccessPartition ? EmailKinds.AccessLink
        : PartitionKey.Split('~') is [_, var kind] ? kind
        : EmailKinds.Reminder;
}

public static class EmailStatus
{
    /// <summary>Claimed and on the email queue, waiting for the sender.</summary>
    public const string Queued = "queued";

    /// <summary>The sender took it from the queue and is sending it (or crashed while doing so).</summary>
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    /// <summary>The send got no answer (timed out, connection broken): SendGrid may have accepted it.</summary>
    public const string Unknown = "unknown";
}

/// <summary>
/// What the sender may do with a queue message: send it (<see cref="Row"/>, now <c>sending</c> under its claim)
/// or nothing, for <see cref="Skipped"/>: <c>no_row</c>, <c>stale_claim</c> (the row was claimed again since),
/// or the row's status (<c>sending</c>, <c>sent</c>, <c>unknown</c>).
/// </summary>
public sealed record SendPermit(EmailLedgerRow? Row, string? Skipped)
{
    public bool Granted => Row is not null;
}

/// <summary>
/// The result of trying to claim a ledger row: the claimed row, or the state that stopped us as
/// <see cref="EmailLedger.StatusOf"/> reads it (an abandoned <c>sending</c> row is <c>unknown</c>).
/// </summary>
public sealed record EmailClaim(EmailLedgerRow? Row, string? ExistingStatus)
{
    public bool Won => Row is not null;
}

/// <summary>One unit's reminder at one stage, to be claimed with others (<see cref="EmailLedger.ClaimBatchAsync"/>).</summary>
public sealed record EmailClaimRequest(string UnitCode, string Stage, string To, string? Cc);

/// <summary>What one sweep of the ledger settled.</summary>
public sealed record SweepResult(int NeverAttempted, int Unknown);
