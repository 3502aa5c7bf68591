using System.Globalization;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Email;
using DanVan.Periods;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DanVan.Reminders;

/// <summary>
/// The one set of reminder rules, used by the daily timer and by the admin route: for an open,
/// unfinalized period, the stage due today (Vietnam date) goes to every required unit that has not
/// submitted, each (period, unit, stage) claimed in the <see cref="EmailLedger"/> and then put on the
/// email queue: no run waits on SendGrid; the queue-triggered <see cref="EmailSender"/> sends and records.
/// </summary>
public sealed class ReminderService(
    ReminderPlan plan,
    IOptions<ReminderOptions> reminderOptions,
    IOptions<EmailOptions> emailOptions,
    IOptions<DanVanOptions> danVanOptions,
    PeriodCatalog periods,
    StatusService status,
    EmailLedger ledger,
    EmailQueue queue,
    ReminderDigest digests,
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
        var ledgers = new Dictionary<string, IReadOnlyDictionary<string, EmailLedgerRow>>(StringComparer.Ordinal);
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
                .SelectMany(g => g.OrderBy(i => missing[i].UnitCode, StringComparer.Ordinal).Chunk(EmailLedger.MaxTransaction / PerMessage * PerMessage))
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
            await digests.QueueAsync(period, stage, stages.Select(s => s.Id).Distinct().ToList(), report.Rows, missing, today, now, actor, ct);
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

    private ReminderLine DryLine(StatusRow row, ReminderStage stage, EmailMessage message, EmailLedgerRow? previous) =>
        message.To.Count == 0 ? Line(row, stage, message, ReminderLineStatus.NoAddress)
            : (previous is null ? null : Settled(row, stage, message, ledger.StatusOf(previous), previous.MessageId))
              ?? Line(row, stage, message, ReminderLineStatus.WouldSend);

    /// <summary>
    /// The line for a unit whose ledger row says it is not to be sent now (sent, queued, being sent, outcome
    /// unknown); null when the row may be claimed (failed).
    /// </summary>
    private static ReminderLine? Settled(StatusRow row, ReminderStage stage, EmailMessage message, string ledgerStatus, string? messageId) => ledgerStatus switch
    {
        EmailStatus.Sent => Line(row, stage, message, ReminderLineStatus.AlreadySent) with { MessageId = messageId },
        EmailStatus.Queued or EmailStatus.Sending => Line(row, stage, message, ReminderLineStatus.InProgress),
        EmailStatus.Unknown => Line(row, stage, message, ReminderLineStatus.Unknown) with { Reason = ReminderLineStatus.UnknownReason },
        _ => null,
    };

    private async Task<ReminderLine> RemindAsync(Period period, StatusRow row, ReminderStage stage, EmailMessage message, EmailLedgerRow? previous, string actor, CancellationToken ct)
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

        var outcome = await queue.QueueClaimedAsync(EmailKinds.Reminder, claim.Row!, message, ct);
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
        var requests = group.Select(i => new EmailClaimRequest(
            missing[i].UnitCode,
            stages[i].Id,
            string.Join(";", messages[i].To),
            messages[i].DistinctCc.Count > 0 ? string.Join(";", messages[i].DistinctCc) : null)).ToList();
        var claims = await ledger.ClaimBatchAsync(periodId, requests, actor, ct);
        var won = new List<(int Index, EmailLedgerRow Row)>();
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
            var outcome = await queue.QueueClaimedBatchAsync(EmailKinds.Reminder, batch.Select(b => (b.Row, messages[b.Index])).ToList(), ct);
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
}
