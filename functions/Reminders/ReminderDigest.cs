using System.Globalization;
using DanVan.Domain;
using DanVan.Email;
using DanVan.Periods;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DanVan.Reminders;

/// <summary>Sở Nội vụ's digest of a reminder run: who was reminded at a stage, and who is still missing.</summary>
public sealed class ReminderDigest(IOptions<EmailOptions> emailOptions, EmailLedger ledger, EmailQueue queue, ILogger<ReminderDigest> logger)
{
    /// <summary>
    /// Sở Nội vụ's digest of a stage, at most one per (period, stage, Vietnam day): claimed in the ledger like a
    /// reminder, so two runs at the same moment (or the admin's "send now" after the timer) mail it once, and
    /// queued like one. It is read from the ledger after this run's claims, so it lists every unit reminded at
    /// this stage by any run (with the state of each: a reminder still on the queue is listed as such), not
    /// only this run's.
    /// </summary>
    public async Task QueueAsync(Period period, ReminderStage? periodStage, IReadOnlyList<string> stageIds, IReadOnlyList<StatusRow> rows, IReadOnlyList<StatusRow> missing, DateOnly today, DateTimeOffset now, string actor, CancellationToken ct)
    {
        var periodId = period.Id.ToString();
        var names = rows.ToDictionary(r => r.UnitCode, r => r.UnitName, StringComparer.Ordinal);
        var stageId = periodStage?.Id ?? ExtendedDigestStage;
        var stageRows = new List<EmailLedgerRow>();
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
            ["sentCount"] = (Count(EmailStatus.Sent) + Count(EmailStatus.Queued) + Count(EmailStatus.Sending)).ToString(CultureInfo.InvariantCulture),
            ["sendingCount"] = (Count(EmailStatus.Queued) + Count(EmailStatus.Sending)).ToString(CultureInfo.InvariantCulture),
            ["unknownCount"] = Count(EmailStatus.Unknown).ToString(CultureInfo.InvariantCulture),
            ["failedCount"] = Count(EmailStatus.Failed).ToString(CultureInfo.InvariantCulture),
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

        var outcome = await queue.QueueClaimedAsync(EmailKinds.Digest, claim.Row!, digest, ct);
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
        EmailStatus.Queued or EmailStatus.Sending => " — đang gửi",
        EmailStatus.Unknown => " — chưa rõ kết quả, kiểm tra nhật ký gửi SendGrid",
        EmailStatus.Failed => " — gửi không thành công, sẽ gửi lại ở lượt sau",
        _ => "",
    };
}
