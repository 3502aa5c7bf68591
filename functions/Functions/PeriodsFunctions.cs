using System.Globalization;
using System.Text;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Http;
using DanVan.Periods;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

/// <summary>The periods of the plan and who has submitted for each.</summary>
public sealed class PeriodsFunctions(Authenticator auth, PeriodCatalog periods, StatusService status, TimeProvider clock)
{
    [Function(nameof(ListPeriods))]
    public async Task<IActionResult> ListPeriods(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods")] HttpRequest request,
        CancellationToken ct)
    {
        var caller = await auth.AuthenticateAsync(request, ct);
        var now = clock.GetUtcNow();
        var summaries = new List<PeriodSummary>();
        foreach (var report in await status.ForAsync(periods.Current(), ct))
        {
            var period = report.Period;
            var counts = caller.IsAdmin ? report.Counts : CountsFor(report, caller.UnitCode!);
            summaries.Add(PeriodSummary.From(period, report.FinalizedAt, now, counts, caller.IsAdmin ? null : report.Rows.FirstOrDefault(r => r.UnitCode == caller.UnitCode)?.Status));
        }

        return ApiResults.Json(summaries);
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
                SignatureVerdict = r.Signatures?.Verdict,
                SignatureSummary = r.Signatures?.Summary,
            }),
        });
    }

    /// <summary>A unit sees the figures of its own row only.</summary>
    private static StatusCounts CountsFor(StatusReport report, string unitCode)
    {
        var row = report.Rows.FirstOrDefault(r => r.UnitCode == unitCode);
        var required = row is not null && row.Status != SubmissionStatus.NotRequired ? 1 : 0;
        return new StatusCounts(
            required,
            row?.Status is SubmissionStatus.OnTime or SubmissionStatus.Late ? 1 : 0,
            row?.Status == SubmissionStatus.OnTime ? 1 : 0,
            row?.Status == SubmissionStatus.Late ? 1 : 0,
            row?.Status == SubmissionStatus.Missing ? 1 : 0);
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
