using System.Globalization;
using System.Text;
using DanVan.Auth;
using DanVan.Compilation;
using DanVan.Domain;
using DanVan.Http;
using DanVan.Periods;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

/// <summary>The periods of the plan and who has submitted for each.</summary>
public sealed class PeriodsFunctions(Authenticator auth, PeriodCatalog periods, StatusService status, PeriodCounts counts, TimeProvider clock, Figures.FiguresService figures)
{
    [Function(nameof(ListPeriods))]
    public async Task<IActionResult> ListPeriods(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods")] HttpRequest request,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var now = clock.GetUtcNow();
        var figures = caller.IsAdmin ? await counts.ForAdminAsync(ct) : await counts.ForUnitAsync(caller.UnitCode!, ct);
        return ApiResults.Json(figures.Select(f =>
        {
            var (c, mine) = (f.Counts, f.Mine);
            return PeriodSummary.From(f.Period, f.FinalizedAt, now, c, mine?.Status) with
            {
                Exempt = c.Exempt,
                Extended = c.Extended,
                Accepted = c.Accepted,
                Returned = c.Returned,
                AwaitingReview = c.AwaitingReview,
                MyDeadline = mine?.ExtendedTo is { } mx ? VietnamTime.ToVietnam(mx) : null,
                MyDeadlineText = mine?.ExtendedTo is { } my ? $"{VietnamTime.DescribeDeadline(my)} ({DecisionRules.ExtensionText(my)})" : null,
                MyReview = mine?.Review?.Code(),
                MyReturnReason = mine?.ReturnReason,
            };
        }).ToList());
    }

    [Function(nameof(PeriodStatus))]
    public async Task<IActionResult> PeriodStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/status")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var period = periods.Get(periodId);
        // The admin sees every unit; a unit caller its own row, read without the period's other rows.
        var report = caller.IsAdmin ? await status.ForAsync(period, ct) : await status.ForUnitAsync(period, caller.UnitCode!, ct);
        var rows = report.Rows;
        // Where the period has indicators: "incomplete" (thiếu số liệu) for a unit whose required figures are missing.
        var figureStatus = caller.IsAdmin
            ? (await figures.TotalsAsync(report, ct))?.Units.ToDictionary(u => u.UnitCode, u => u.Status, StringComparer.Ordinal)
            : await figures.UnitStatusAsync(report, caller.UnitCode!, ct) is { } mine ? new Dictionary<string, string>(StringComparer.Ordinal) { [caller.UnitCode!] = mine } : null;

        if (string.Equals(request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Bytes(StatusCsv.Render(rows), "text/csv; charset=utf-8", $"Tình hình nộp báo cáo {period.Id}.csv");
        }

        return ApiResults.Json(new
        {
            PeriodId = period.Id.ToString(),
            period.Title,
            Deadline = VietnamTime.ToVietnam(period.Deadline),
            Rows = rows.Select(r => new
            {
                r.UnitCode,
                r.UnitName,
                r.Group,
                Status = r.Status.Code(),
                r.LatestVersion,
                ReceivedAt = r.ReceivedAt is { } at ? VietnamTime.ToVietnam(at) : (DateTimeOffset?)null,
                r.VersionCount,
                FiguresStatus = figureStatus?.GetValueOrDefault(r.UnitCode),
                SignatureVerdict = r.Signatures?.Verdict,
                SignatureSummary = r.Signatures?.Summary,
                Review = r.Review?.Code(),
                ReviewLabel = r.Review?.Label(),
                r.ReturnReason,
                ReviewedVersion = r.Decisions?.Review?.Version,
                Deadline = VietnamTime.ToVietnam(r.ExtendedTo ?? period.Deadline),
                ExtendedTo = r.ExtendedTo is { } x ? VietnamTime.ToVietnam(x) : (DateTimeOffset?)null,
                ExtensionText = r.ExtendedTo is { } t ? DecisionRules.ExtensionText(t) : null,
                ExtensionReason = r.Decisions?.Extension?.Reason,
                Exempt = r.Status == SubmissionStatus.Exempt,
                ExemptionReason = r.Decisions?.Exemption?.Reason,
            }),
            Counts = caller.IsAdmin ? report.Counts : PeriodCounts.CountsOf(report.Rows.FirstOrDefault(r => r.UnitCode == caller.UnitCode)),
        });
    }
}

/// <summary>
/// One period in <c>GET /api/periods</c>. <see cref="DeadlinePassed"/> is read on the app's clock, so the
/// pages never need the browser's.
/// </summary>
public sealed record PeriodSummary(
    string Id,
    string Title,
    int Year,
    string Code,
    DateTimeOffset OpensAt,
    DateTimeOffset Deadline,
    string DeadlineText,
    string DataFrom,
    string DataTo,
    bool IsOpen,
    bool DeadlinePassed,
    DateTimeOffset? FinalizedAt,
    int Required,
    int Submitted,
    int OnTime,
    int Late,
    int Missing,
    string? MyStatus)
{
    public int Exempt { get; init; }
    public int Extended { get; init; }
    public int Accepted { get; init; }
    public int Returned { get; init; }
    public int AwaitingReview { get; init; }

    /// <summary>A unit's own extended deadline, when Sở Nội vụ gave it one.</summary>
    public DateTimeOffset? MyDeadline { get; init; }
    public string? MyDeadlineText { get; init; }

    /// <summary>The review of the unit's latest version: pending, accepted, returned.</summary>
    public string? MyReview { get; init; }
    public string? MyReturnReason { get; init; }

    public static PeriodSummary From(Period p, DateTimeOffset? finalizedAt, DateTimeOffset now, StatusCounts c, SubmissionStatus? myStatus) => new(
        p.Id.ToString(),
        p.Title,
        p.Id.Year,
        p.Id.Code,
        VietnamTime.ToVietnam(p.OpensAt),
        VietnamTime.ToVietnam(p.Deadline),
        VietnamTime.DescribeDeadline(p.Deadline),
        p.DataFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        p.DataTo.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        p.IsOpenAt(now) && finalizedAt is null,
        !p.IsOnTime(now),
        finalizedAt is { } f ? VietnamTime.ToVietnam(f) : null,
        c.Required,
        c.Submitted,
        c.OnTime,
        c.Late,
        c.Missing,
        myStatus?.Code());
}

/// <summary>The status table as CSV: UTF-8 with a BOM so Excel shows Vietnamese letters.</summary>
public static class StatusCsv
{
    public static byte[] Render(IReadOnlyList<StatusRow> rows)
    {
        var csv = new StringBuilder();
        csv.Append("STT,Mã đơn vị,Tên đơn vị,Nhóm,Trạng thái,Mã trạng thái,Phiên bản mới nhất,Thời điểm nhận (giờ Việt Nam),Số phiên bản,Ký số,Mã ký số,Gia hạn,Xem xét,Lý do (trả lại / gia hạn / miễn nộp)\r\n");
        var i = 0;
        foreach (var r in rows)
        {
            i++;
            string[] fields =
            [
                i.ToString(CultureInfo.InvariantCulture),
                r.UnitCode,
                r.UnitName,
                r.Group,
                r.Status.Label(),
                r.Status.Code(),
                r.LatestVersion?.ToString(CultureInfo.InvariantCulture) ?? "",
                r.ReceivedAt is { } at ? VietnamTime.ToVietnam(at).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture) : "",
                r.VersionCount.ToString(CultureInfo.InvariantCulture),
                r.Signatures?.Summary ?? "",
                r.Signatures?.Verdict ?? "",
                r.ExtendedTo is { } ext ? DecisionRules.ExtensionText(ext) : "",
                r.Review?.Label() ?? "",
                string.Join(" | ", new[] { r.ReturnReason, r.Decisions?.Extension?.Reason, r.Decisions?.Exemption?.Reason }.Where(x => x is not null)),
            ];
            csv.Append(string.Join(',', fields.Select(Quote))).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    /// <summary>RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so a spreadsheet never runs it as a formula.</summary>
    private static string Quote(string field)
    {
        if (field.Length > 0 && "=+-@".Contains(field[0]))
        {
            field = "'" + field;
        }

        return field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
    }
}
