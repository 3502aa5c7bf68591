using System.Globalization;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Email;
using DanVan.Periods;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
    /// recording (see <see cref="ReminderLedger.AbandonedAfter"/>). Never resent automatically (at most once);
    /// the admin checks SendGrid's activity log.
    /// </summary>
    public const string Unknown = "unknown";

    /// <summary>The <c>reason</c> of an <see cref="Unknown"/> line, for the admin.</summary>
    public const string UnknownReason = "Chưa rõ kết quả — kiểm tra nhật ký gửi (SendGrid activity)";

    /// <summary>The unit has no contact address in the registry.</summary>
    public const string NoAddress = "no_address";
}

/// <summary>
/// The one set of reminder rules, used by the daily timer and by the admin route: for an open,
/// unfinalized period, the stage due today (Vietnam date) goes to every required unit that has not
/// submitted, each (period, unit, stage) claimed in the <see cref="ReminderLedger"/> and then put on the
/// email queue: no run waits on SendGrid; the queue-triggered <see cref="EmailSender"/> sends and records.
/// </summary>
public sealed class ReminderService(
    ReminderPlan plan,
    IOptions<ReminderOptions> reminderOptions,
    IOptions<EmailOptions> emailOptions,
    IOptions<DanVanOptions> danVanOptions,
    PeriodCatalog periods,
    StatusService status,
    ReminderLedger ledger,
    EmailQueue queue,
    TimeProvider clock,
    ILogger<ReminderService> logger)
{
    /// <summary>The timer's work: every current period that is open and not finalized.</summary>
    public async Task<IReadOnlyList<ReminderRun>> RunOpenPeriodsAsync(string actor, CancellationToken ct = default)
    {
        // Rows a crashed sender or a lost message left behind are settled first, so this run claims again what never left.
        var swept = await ledger.SweepAsync(ct);
        if (swept.NeverAttempted + swept.Unknown > 0)
        {
            logger.LogWarning("Email ledger sweep before the reminders: {NeverAttempted} never attempted, {Unknown} unknown", swept.NeverAttempted, swept.Unknown);
        }

        var now = clock.GetUtcNow();
        var runs = new List<ReminderRun>();
        var today = VietnamTime.DateOf(now);
        foreach (var period in periods.Current().Where(p => p.IsOpenAt(now)))
        {
            // A period with no stage due today is not read at all: years of past periods cost the timer nothing.
            var run = plan.DueStage(period.Deadline, today) is null
                ? new ReminderRun(period.Id.ToString(), DryRun: false, null, "no_stage_due", [])
                : await RunAsync(period, dryRun: false, actor, ct);
            logger.LogInformation("Reminders for {PeriodId}: stage {Stage}, {Queued} queued, {Failed} not queued, {Unknown} unknown, skipped {Skipped}", run.PeriodId, run.Stage, run.Queued, run.Failed, run.Unknown, run.Skipped);
            runs.Add(run);
        }

        return runs;
    }

    public async Task<ReminderRun> RunAsync(Period period, bool dryRun, string actor, CancellationToken ct = default)
    {
        var periodId = period.Id.ToString();
        var now = clock.GetUtcNow();
        var today = VietnamTime.DateOf(now);
        if (!period.IsOpenAt(now))
        {
            return new ReminderRun(periodId, dryRun, null, "not_open", []);
        }

        var report = await status.ForAsync(period, ct);
        if (report.FinalizedAt is not null)
        {
            return new ReminderRun(periodId, dryRun, null, "finalized", []);
        }

        // A unit with an extended deadline counts its stages from it (its own stage ids, so the ledger keeps its
        // reminders apart from those of the period's deadline); an exempt unit is never missing.
        var stage = plan.DueStage(period.Deadline, today);
        var due = report.Rows
            .Where(r => r.Status == SubmissionStatus.Missing)
            .Select(r => (Row: r, Stage: r.ExtendedTo is { } extended ? StageForExtension(extended, today) : stage))
            .Where(x => x.Stage is not null)
            .ToList();
        if (stage is null && due.Count == 0)
        {
            return new ReminderRun(periodId, dryRun, null, "no_stage_due", []);
        }

        var units = report.Units.ToDictionary(u => u.Code, StringComparer.Ordinal);
        var missing = due.Select(x => x.Row).ToList();
        var stages = due.Select(x => x.Stage!).ToList();
        var ledgers = new Dictionary<string, IReadOnlyDictionary<string, ReminderEntity>>(StringComparer.Ordinal);
        foreach (var id in stages.Select(s => s.Id).Distinct())
        {
            ledgers[id] = await ledger.ForStageAsync(periodId, id, ct);
        }

        var lines = new ReminderLine[missing.Count];
        var messages = new EmailMessage[missing.Count];
        var fresh = new List<int>();
        var again = new List<int>();
        for (var i = 0; i < missing.Count; i++)
        {
            var row = missing[i];
            messages[i] = Compose(period, units[row.UnitCode], row, stages[i], today);
            ledgers[stages[i].Id].TryGetValue(row.UnitCode, out var previous);
            if (dryRun)
            {
                lines[i] = DryLine(row, stages[i], messages[i], previous);
            }
            else if (messages[i].To.Count == 0)
            {
                lines[i] = Line(row, stages[i], messages[i], ReminderLineStatus.NoAddress);
            }
            else if (previous is null)
            {
                fresh.Add(i);
            }
            else if (Settled(row, stages[i], messages[i], ledger.StatusOf(previous), previous.MessageId) is { } settled)
            {
                lines[i] = settled;
            }
            else
            {
                again.Add(i);
            }
        }

        if (!dryRun)
        {
            // Rows never claimed are claimed a transaction at a time (one stage, up to 100 units, whole messages) and
            // queued a batch message at a time; a failed row is claimed again on its own. Both bounded by MaxParallelism.
            var groups = fresh.GroupBy(i => stages[i].Id, StringComparer.Ordinal)
                .SelectMany(g => g.OrderBy(i => missing[i].UnitCode, StringComparer.Ordinal).Chunk(ReminderLedger.MaxTransaction / PerMessage * PerMessage))
                .Concat(again.Select(i => new[] { i }))
                .ToList();
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = reminderOptions.Value.MaxParallelism, CancellationToken = ct };
            await Parallel.ForEachAsync(groups, parallel, async (group, token) =>
            {
                if (group.Length == 1)
                {
                    var i = group[0];
                    ledgers[stages[i].Id].TryGetValue(missing[i].UnitCode, out var previous);
                    lines[i] = await RemindAsync(period, missing[i], stages[i], messages[i], previous, actor, token);
                }
                else
                {
                    await RemindTogetherAsync(periodId, group, missing, stages, messages, lines, actor, token);
                }
            });
        }

        var run = new ReminderRun(periodId, dryRun, stage?.Id ?? stages[0].Id, null, lines);
        if (!dryRun && lines.Any(l => l.Status == ReminderLineStatus.Queued))
        {
            // One digest a day: the period's stage (or, when only extended deadlines have a stage due, "extended"), listing
            // the units reminded at it and at every extended stage due today.
            await QueueDigestAsync(period, stage, stages.Select(s => s.Id).Distinct().ToList(), report.Rows, missing, today, now, actor, ct);
        }

        return run;
    }

    /// <summary>
    /// The stage due for a unit whose deadline was extended to <paramref name="extended"/>: the plan's stages counted
    /// from that deadline, with an id that names it ("before-3@2026-05-30"), so each is sent at most once per
    /// extension and a stage already sent for the period's deadline does not stop it.
    /// </summary>
    private ReminderStage? StageForExtension(DateTimeOffset extended, DateOnly today) =>
        plan.DueStage(extended, today) is { } s
            ? s with { Id = $"{s.Id}@{VietnamTime.DateOf(extended).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}" }
            : null;

    private ReminderLine DryLine(StatusRow row, ReminderStage stage, EmailMessage message, ReminderEntity? previous) =>
        message.To.Count == 0 ? Line(row, stage, message, ReminderLineStatus.NoAddress)
            : (previous is null ? null : Settled(row, stage, message, ledger.StatusOf(previous), previous.MessageId))
              ?? Line(row, stage, message, ReminderLineStatus.WouldSend);

    /// <summary>
    /// The line for a unit whose ledger row says it is not to be sent now (sent, queued, being sent, outcome
    /// unknown); null when the row may be claimed (failed).
    /// </summary>
    private static ReminderLine? Settled(StatusRow row, ReminderStage stage, EmailMessage message, string ledgerStatus, string? messageId) => ledgerStatus switch
    {
        ReminderStatus.Sent => Line(row, stage, message, ReminderLineStatus.AlreadySent) with { MessageId = messageId },
        ReminderStatus.Queued or ReminderStatus.Sending => Line(row, stage, message, ReminderLineStatus.InProgress),
        ReminderStatus.Unknown => Line(row, stage, message, ReminderLineStatus.Unknown) with { Reason = ReminderLineStatus.UnknownReason },
        _ => null,
    };

    private async Task<ReminderLine> RemindAsync(Period period, StatusRow row, ReminderStage stage, EmailMessage message, ReminderEntity? previous, string actor, CancellationToken ct)
    {
        if (message.To.Count == 0)
        {
            return Line(row, stage, message, ReminderLineStatus.NoAddress);
        }

        if (previous is not null && Settled(row, stage, message, ledger.StatusOf(previous), previous.MessageId) is { } settled)
        {
            return settled;
        }

        var periodId = period.Id.ToString();
        var claim = await ledger.ClaimAsync(periodId, row.UnitCode, stage.Id, string.Join(";", message.To), message.DistinctCc.Count > 0 ? string.Join(";", message.DistinctCc) : null, actor, ct);
        if (!claim.Won)
        {
            return Settled(row, stage, message, claim.ExistingStatus!, null) ?? Line(row, stage, message, ReminderLineStatus.InProgress);
        }

        var outcome = await ReceiptEmails.EnqueueClaimedAsync(queue, ledger, EmailKinds.Reminder, claim.Row!, message, ct);
        return outcome.Result == EmailResult.Queued
            ? Line(row, stage, message, ReminderLineStatus.Queued)
            : Line(row, stage, message, ReminderLineStatus.Failed) with { Reason = outcome.Reason };
    }

    /// <summary>
    /// The reminders of units never reminded at their stage: claimed in one transaction, then queued in batch
    /// messages of <see cref="PerMessage"/>; each line says what became of its unit.
    /// </summary>
    private async Task RemindTogetherAsync(string periodId, int[] group, IReadOnlyList<StatusRow> missing, IReadOnlyList<ReminderStage> stages, EmailMessage[] messages, ReminderLine[] lines, string actor, CancellationToken ct)
    {
        var requests = group.Select(i => new ReminderClaimRequest(
            missing[i].UnitCode,
            stages[i].Id,
            string.Join(";", messages[i].To),
            messages[i].DistinctCc.Count > 0 ? string.Join(";", messages[i].DistinctCc) : null)).ToList();
        var claims = await ledger.ClaimBatchAsync(periodId, requests, actor, ct);
        var won = new List<(int Index, ReminderEntity Row)>();
        for (var k = 0; k < group.Length; k++)
        {
            var i = group[k];
            if (claims[k].Won)
            {
                won.Add((i, claims[k].Row!));
            }
            else
            {
                lines[i] = Settled(missing[i], stages[i], messages[i], claims[k].ExistingStatus!, null) ?? Line(missing[i], stages[i], messages[i], ReminderLineStatus.InProgress);
            }
        }

        foreach (var batch in won.Chunk(PerMessage))
        {
            var outcome = await ReceiptEmails.EnqueueClaimedBatchAsync(queue, ledger, EmailKinds.Reminder, batch.Select(b => (b.Row, messages[b.Index])).ToList(), ct);
            foreach (var (i, _) in batch)
            {
                lines[i] = outcome.Result == EmailResult.Queued
                    ? Line(missing[i], stages[i], messages[i], ReminderLineStatus.Queued)
                    : Line(missing[i], stages[i], messages[i], ReminderLineStatus.Failed) with { Reason = outcome.Reason };
            }
        }
    }

    /// <summary>
    /// Reminders per queue message: as many as the instance's send slots (<see cref="SendSlots"/>), so one message's
    /// emails can all be on their way at once; each put, receive and delete of the queue then carries that many.
    /// </summary>
    private int PerMessage => Math.Clamp(reminderOptions.Value.MaxParallelism, 1, EmailQueue.MaxBatch);

    private static ReminderLine Line(StatusRow row, ReminderStage stage, EmailMessage message, string status) =>
        new(row.UnitCode, row.UnitName, stage.Id, message.To, message.DistinctCc, status);

    /// <summary>The reminder one unit gets at one stage, from the reminder templates.</summary>
    public EmailMessage Compose(Period period, Unit unit, StatusRow row, ReminderStage stage, DateOnly today)
    {
        var deadline = row.ExtendedTo ?? period.Deadline;
        var values = new Dictionary<string, string>
        {
            ["unitName"] = unit.Name,
            ["periodTitle"] = period.Title,
            ["deadline"] = row.ExtendedTo is { } extended
                ? $"{VietnamTime.DescribeDeadline(extended)} ({DecisionRules.ExtensionText(extended)})"
                : VietnamTime.DescribeDeadline(period.Deadline),
            ["daysLeft"] = ReminderPlan.DaysLeft(deadline, today).ToString(CultureInfo.InvariantCulture),
            ["daysOverdue"] = ReminderPlan.DaysOverdue(deadline, today).ToString(CultureInfo.InvariantCulture),
            ["status"] = row.Status.Label(),
            ["uploadUrl"] = ReceiptEmails.UploadUrl(danVanOptions.Value.PublicBaseUrl),
            ["stage"] = stage.Id,
        };
        var rendered = EmailTemplates.Render(stage.Overdue ? "reminder-overdue" : "reminder-before", values);
        var cc = new List<string>();
        if (stage.CopiesHeadAndSoNoiVu)
        {
            if (unit.HeadEmail is { } head)
            {
                cc.Add(head);
            }

            cc.Add(emailOptions.Value.SoNoiVuAddress);
        }

        return new EmailMessage(unit.Emails, cc, rendered.Subject, rendered.Text, rendered.Html)
        {
            Categories = ["danvan", "reminder"],
            CustomArgs = new Dictionary<string, string> { ["periodId"] = period.Id.ToString(), ["unitCode"] = unit.Code, ["stage"] = stage.Id },
        };
    }

    /// <summary>
    /// Sở Nội vụ's digest of a stage, at most one per (period, stage, Vietnam day): claimed in the ledger like a
    /// reminder, so two runs at the same moment (or the admin's "send now" after the timer) mail it once, and
    /// queued like one. It is read from the ledger after this run's claims, so it lists every unit reminded at
    /// this stage by any run (with the state of each: a reminder still on the queue is listed as such), not
    /// only this run's.
    /// </summary>
    private async Task QueueDigestAsync(Period period, ReminderStage? periodStage, IReadOnlyList<string> stageIds, IReadOnlyList<StatusRow> rows, IReadOnlyList<StatusRow> missing, DateOnly today, DateTimeOffset now, string actor, CancellationToken ct)
    {
        var periodId = period.Id.ToString();
        var names = rows.ToDictionary(r => r.UnitCode, r => r.UnitName, StringComparer.Ordinal);
        var stageId = periodStage?.Id ?? ExtendedDigestStage;
        var stageRows = new List<ReminderEntity>();
        foreach (var id in stageIds.Append(stageId).Distinct(StringComparer.Ordinal))
        {
            stageRows.AddRange((await ledger.ForStageAsync(periodId, id, ct)).Values);
        }

        var reminded = stageRows
            .Select(e => (Code: e.UnitCode, Name: names.GetValueOrDefault(e.UnitCode, e.UnitCode), Status: ledger.StatusOf(e), e.Stage))
            .OrderBy(r => r.Name, VietnamTime.NameComparer)
            .ThenBy(r => r.Code, StringComparer.Ordinal)
            .ToList();
        int Count(string status) => reminded.Count(r => r.Status == status);
        var values = new Dictionary<string, string>
        {
            ["periodTitle"] = period.Title,
            ["runAt"] = VietnamTime.FormatDateTime(now),
            ["deadline"] = VietnamTime.DescribeDeadline(period.Deadline),
            ["stage"] = stageId,
            ["stageLabel"] = periodStage?.Label ?? "các đơn vị được gia hạn",
            ["sentCount"] = (Count(ReminderStatus.Sent) + Count(ReminderStatus.Queued) + Count(ReminderStatus.Sending)).ToString(CultureInfo.InvariantCulture),
            ["sendingCount"] = (Count(ReminderStatus.Queued) + Count(ReminderStatus.Sending)).ToString(CultureInfo.InvariantCulture),
            ["unknownCount"] = Count(ReminderStatus.Unknown).ToString(CultureInfo.InvariantCulture),
            ["failedCount"] = Count(ReminderStatus.Failed).ToString(CultureInfo.InvariantCulture),
            ["remindedCount"] = reminded.Count.ToString(CultureInfo.InvariantCulture),
            ["remindedUnits"] = string.Join("\n", reminded.Select((r, i) => $"{i + 1}. {r.Name} ({r.Code}){ExtensionNote(r.Stage)}{DigestNote(r.Status)}")),
            ["missingCount"] = missing.Count.ToString(CultureInfo.InvariantCulture),
            ["missingUnits"] = string.Join("\n", missing.Select((r, i) => $"{i + 1}. {r.UnitName} ({r.UnitCode})")),
        };
        var rendered = EmailTemplates.Render("digest", values);
        var digest = new EmailMessage([emailOptions.Value.SoNoiVuAddress], [], rendered.Subject, rendered.Text, rendered.Html)
        {
            Categories = ["danvan", "digest"],
            CustomArgs = new Dictionary<string, string> { ["periodId"] = periodId, ["stage"] = stageId },
        };

        var claim = await ledger.ClaimDigestAsync(periodId, stageId, today, emailOptions.Value.SoNoiVuAddress, actor, ct);
        if (!claim.Won)
        {
            logger.LogInformation("Reminder digest for {PeriodId} {Stage} on {Day}: another run has it ({Status})", periodId, stageId, today, claim.ExistingStatus);
            return;
        }

        var outcome = await ReceiptEmails.EnqueueClaimedAsync(queue, ledger, EmailKinds.Digest, claim.Row!, digest, ct);
        if (outcome.Result != EmailResult.Queued)
        {
            logger.LogWarning("Reminder digest for {PeriodId} not queued: {Reason}", periodId, outcome.Reason);
        }
    }

    /// <summary>The digest's stage on a day when only units with extended deadlines have a stage due.</summary>
    public const string ExtendedDigestStage = "extended";

    /// <summary>What the digest says after a unit reminded at a stage of its extended deadline ("before-3@2026-05-30").</summary>
    private static string ExtensionNote(string stage) =>
        stage.Split('@') is [var id, var day] && DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? $" — gia hạn đến {date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)}, giai đoạn {id}"
            : "";

    /// <summary>What the digest says after a unit whose reminder is not (yet) known to be sent.</summary>
    private static string DigestNote(string ledgerStatus) => ledgerStatus switch
    {
        ReminderStatus.Queued or ReminderStatus.Sending => " — đang gửi",
        ReminderStatus.Unknown => " — chưa rõ kết quả, kiểm tra nhật ký gửi SendGrid",
        ReminderStatus.Failed => " — gửi không thành công, sẽ gửi lại ở lượt sau",
        _ => "",
    };
}
