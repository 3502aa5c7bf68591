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
        var caller = await auth.AuthenticateAsync(request, ct);
        var now = clock.GetUtcNow();
        var figures = caller.IsAdmin ? await counts.ForAdminAsync(ct) : await counts.ForUnitAsync(caller.UnitCode!, ct);
        return ApiResults.Json(figures.Select(f => PeriodSummary.From(f.Period, f.FinalizedAt, now, f.Counts, f.MyStatus)).ToList());
    }

    [Function(nameof(PeriodStatus))]
    public async Task<IActionResult> PeriodStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/status")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var caller = await auth.AuthenticateAsync(request, ct);
        var period = periods.Get(periodId);
        var report = await status.ForAsync(period, ct);
        var rows = caller.IsAdmin ? report.Rows : report.Rows.Where(r => r.UnitCode == caller.UnitCode).ToList();
        // Where the period has indicators: "incomplete" (thiếu số liệu) for a unit whose required figures are missing.
        var figureStatus = (await figures.TotalsAsync(report, ct))?.Units.ToDictionary(u => u.UnitCode, u => u.Status, StringComparer.Ordinal);

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
            }),
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
        csv.Append("STT,Mã đơn vị,Tên đơn vị,Nhóm,Trạng thái,Mã trạng thái,Phiên bản mới nhất,Thời điểm nhận (giờ Việt Nam),Số phiên bản,Ký số,Mã ký số\r\n");
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
