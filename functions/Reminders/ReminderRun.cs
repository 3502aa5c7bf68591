namespace DanVan.Reminders;

/// <summary>One unit's line in a reminder run (the wire shape of <c>reminders[]</c>).</summary>
public sealed record ReminderLine(
    string UnitCode,
    string UnitName,
    string Stage,
    IReadOnlyList<string> To,
    IReadOnlyList<string> Cc,
    string Status,
    string? Reason = null,
    string? MessageId = null);

/// <summary>
/// What a run did (or, dry, would do) for one period. <see cref="Skipped"/> says why nothing was due:
/// <c>not_open</c>, <c>finalized</c> or <c>no_stage_due</c>.
/// </summary>
public sealed record ReminderRun(string PeriodId, bool DryRun, string? Stage, string? Skipped, IReadOnlyList<ReminderLine> Reminders)
{
    /// <summary>Put on the email queue by this run (the sender sends them; the ledger says how it went).</summary>
    public int Queued => Reminders.Count(r => r.Status == ReminderLineStatus.Queued);

    public int Failed => Reminders.Count(r => r.Status == ReminderLineStatus.Failed);

    public int Unknown => Reminders.Count(r => r.Status == ReminderLineStatus.Unknown);
}

/// <summary>The <c>status</c> of a line.</summary>
public static class ReminderLineStatus
{
    public const string WouldSend = "would_send";

    /// <summary>
    /// Claimed and put on the email queue by this run: the queue-triggered sender sends it. Its outcome is on the
    /// ledger row; the next run shows it as <see cref="AlreadySent"/>, <see cref="Unknown"/> or, if SendGrid
    /// refused it, queues it again.
    /// </summary>
    public const string Queued = "queued";

    /// <summary>It could not be put on the queue (storage failed): not sent; the next run tries again.</summary>
    public const string Failed = "failed";
    public const string AlreadySent = "already_sent";

    /// <summary>Another run queued it and it waits for the sender, or the sender is sending it now.</summary>
    public const string InProgress = "in_progress";

    /// <summary>
    /// The email may or may not have gone: the send got no answer, or its run stopped between claiming and
    /// recording (see the email ledger's AbandonedAfter). Never resent automatically (at most once);
    /// the admin checks SendGrid's activity log.
    /// </summary>
    public const string Unknown = "unknown";

    /// <summary>The <c>reason</c> of an <see cref="Unknown"/> line, for the admin.</summary>
    public const string UnknownReason = "Chưa rõ kết quả — kiểm tra nhật ký gửi (SendGrid activity)";

    /// <summary>The unit has no contact address in the registry.</summary>
    public const string NoAddress = "no_address";
}
