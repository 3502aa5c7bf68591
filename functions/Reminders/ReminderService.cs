using System.Globalization;
using DanVan.Audit;
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
    public int Sent => Reminders.Count(r => r.Status == ReminderLineStatus.Sent);

    public int Failed => Reminders.Count(r => r.Status == ReminderLineStatus.Failed);
}

/// <summary>The <c>status</c> of a line.</summary>
public static class ReminderLineStatus
{
    public const string WouldSend = "would_send";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string AlreadySent = "already_sent";

    /// <summary>Another run holds the claim (or one crashed mid-send; at most once means it is not resent).</summary>
    public const string InProgress = "in_progress";

    /// <summary>The unit has no contact address in the registry.</summary>
    public const string NoAddress = "no_address";
}

/// <summary>
/// The one set of reminder rules, used by the daily timer and by the admin route: for an open,
/// unfinalized period, the stage due today (Vietnam date) goes to every required unit that has not
/// submitted, each (period, unit, stage) claimed in the <see cref="ReminderLedger"/> before it is sent.
/// </summary>
public sealed class ReminderService(
    ReminderPlan plan,
    IOptions<ReminderOptions> reminderOptions,
    IOptions<EmailOptions> emailOptions,
    IOptions<DanVanOptions> danVanOptions,
    PeriodCatalog periods,
    StatusService status,
    ReminderLedger ledger,
    Mailer mailer,
    AuditLog audit,
    TimeProvider clock,
    ILogger<ReminderService> logger)
{
    /// <summary>The timer's work: every current period that is open and not finalized.</summary>
    public async Task<IReadOnlyList<ReminderRun>> RunOpenPeriodsAsync(string actor, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var runs = new List<ReminderRun>();
        foreach (var period in periods.Current().Where(p => p.IsOpenAt(now)))
        {
            var run = await RunAsync(period, dryRun: false, actor, ct);
            logger.LogInformation("Reminders for {PeriodId}: stage {Stage}, {Sent} sent, {Failed} failed, skipped {Skipped}", run.PeriodId, run.Stage, run.Sent, run.Failed, run.Skipped);
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

        if (plan.DueStage(period.Deadline, today) is not { } stage)
        {
            return new ReminderRun(periodId, dryRun, null, "no_stage_due", []);
        }

        var units = report.Units.ToDictionary(u => u.Code, StringComparer.Ordinal);
        var missing = report.Rows.Where(r => r.Status == SubmissionStatus.Missing).ToList();
        var known = await ledger.ForStageAsync(periodId, stage.Id, ct);
        var lines = new ReminderLine[missing.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = reminderOptions.Value.MaxParallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(0, missing.Count), parallel, async (i, token) =>
        {
            var row = missing[i];
            var message = Compose(period, units[row.UnitCode], row, stage, today);
            known.TryGetValue(row.UnitCode, out var previous);
            lines[i] = dryRun
                ? DryLine(row, stage, message, previous)
                : await RemindAsync(period, row, stage, message, previous, actor, token);
        });

        var run = new ReminderRun(periodId, dryRun, stage.Id, null, lines);
        if (!dryRun && run.Sent > 0)
        {
            await SendDigestAsync(period, stage, run, missing, now, ct);
        }

        return run;
    }

    private static ReminderLine DryLine(StatusRow row, ReminderStage stage, EmailMessage message, ReminderEntity? previous) =>
        Line(row, stage, message, message.To.Count == 0 ? ReminderLineStatus.NoAddress
            : previous?.Status switch
            {
                ReminderStatus.Sent => ReminderLineStatus.AlreadySent,
                ReminderStatus.Sending => ReminderLineStatus.InProgress,
                _ => ReminderLineStatus.WouldSend,
            });

    private async Task<ReminderLine> RemindAsync(Period period, StatusRow row, ReminderStage stage, EmailMessage message, ReminderEntity? previous, string actor, CancellationToken ct)
    {
        if (message.To.Count == 0)
        {
            return Line(row, stage, message, ReminderLineStatus.NoAddress);
        }

        if (previous?.Status == ReminderStatus.Sent)
        {
            return Line(row, stage, message, ReminderLineStatus.AlreadySent) with { MessageId = previous.MessageId };
        }

        var periodId = period.Id.ToString();
        var claim = await ledger.ClaimAsync(periodId, row.UnitCode, stage.Id, string.Join(";", message.To), message.DistinctCc.Count > 0 ? string.Join(";", message.DistinctCc) : null, actor, ct);
        if (!claim.Won)
        {
            return Line(row, stage, message, claim.ExistingStatus == ReminderStatus.Sent ? ReminderLineStatus.AlreadySent : ReminderLineStatus.InProgress);
        }

        EmailOutcome outcome;
        try
        {
            outcome = await mailer.SendAsync(message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Reminder {Stage} to {UnitCode} for {PeriodId} could not be handed over", stage.Id, row.UnitCode, periodId);
            outcome = EmailOutcome.Failed("error: " + ex.Message, 0);
        }

        await ledger.RecordAsync(claim.Row!, outcome, ct);
        if (!outcome.Sent)
        {
            return Line(row, stage, message, ReminderLineStatus.Failed) with { Reason = outcome.Reason };
        }

        await audit.RecordAsync(actor, AuditActions.Reminder, periodId, row.UnitCode, $"{stage.Id} to {string.Join(", ", message.To)}; message {outcome.MessageId}", ct);
        return Line(row, stage, message, ReminderLineStatus.Sent) with { MessageId = outcome.MessageId };
    }

    private static ReminderLine Line(StatusRow row, ReminderStage stage, EmailMessage message, string status) =>
        new(row.UnitCode, row.UnitName, stage.Id, message.To, message.DistinctCc, status);

    /// <summary>The reminder one unit gets at one stage, from the reminder templates.</summary>
    public EmailMessage Compose(Period period, Unit unit, StatusRow row, ReminderStage stage, DateOnly today)
    {
        var values = new Dictionary<string, string>
        {
            ["unitName"] = unit.Name,
            ["periodTitle"] = period.Title,
            ["deadline"] = VietnamTime.DescribeDeadline(period.Deadline),
            ["daysLeft"] = ReminderPlan.DaysLeft(period.Deadline, today).ToString(CultureInfo.InvariantCulture),
            ["daysOverdue"] = ReminderPlan.DaysOverdue(period.Deadline, today).ToString(CultureInfo.InvariantCulture),
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

    private async Task SendDigestAsync(Period period, ReminderStage stage, ReminderRun run, IReadOnlyList<StatusRow> missing, DateTimeOffset now, CancellationToken ct)
    {
        var values = new Dictionary<string, string>
        {
            ["periodTitle"] = period.Title,
            ["runAt"] = VietnamTime.FormatDateTime(now),
            ["deadline"] = VietnamTime.DescribeDeadline(period.Deadline),
            ["stage"] = stage.Id,
            ["stageLabel"] = stage.Label,
            ["sentCount"] = run.Sent.ToString(CultureInfo.InvariantCulture),
            ["failedCount"] = run.Failed.ToString(CultureInfo.InvariantCulture),
            ["missingCount"] = missing.Count.ToString(CultureInfo.InvariantCulture),
            ["missingUnits"] = string.Join("\n", missing.Select((r, i) => $"{i + 1}. {r.UnitName} ({r.UnitCode})")),
        };
        var rendered = EmailTemplates.Render("digest", values);
        var digest = new EmailMessage([emailOptions.Value.SoNoiVuAddress], [], rendered.Subject, rendered.Text, rendered.Html)
        {
            Categories = ["danvan", "digest"],
            CustomArgs = new Dictionary<string, string> { ["periodId"] = period.Id.ToString(), ["stage"] = stage.Id },
        };
        var outcome = await mailer.SendAsync(digest, ct);
        if (!outcome.Sent)
        {
            logger.LogWarning("Reminder digest for {PeriodId} not sent: {Reason}", period.Id.ToString(), outcome.Reason);
        }
    }
}
