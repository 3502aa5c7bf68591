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
        return ApiResults.Json(figures.Select(f => PeriodSummary.Of(f, now)).ToList());
    }

    [Function(nameof(PeriodStatus))]
    public async Task<IActionResult> PeriodStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/status")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var (caller, period) = await auth.RequirePeriodAsync(request, periods, periodId, ct);
        // The admin sees every unit; a unit caller its own row, read without the period's other rows.
        var report = caller.IsAdmin ? await status.ForAsync(period, ct) : await status.ForUnitAsync(period, caller.UnitCode!, ct);
        var rows = report.Rows;
        var figureStatus = await figures.StatusByUnitAsync(report, caller.IsAdmin ? null : caller.UnitCode, ct);

        if (string.Equals(request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Bytes(StatusCsv.Render(rows), "text/csv; charset=utf-8", $"Tình hình nộp báo cáo {period.Id}.csv");
        }

        var counts = caller.IsAdmin ? report.Counts : PeriodCounts.CountsOf(report.Rows.FirstOrDefault(r => r.UnitCode == caller.UnitCode));
        return ApiResults.Json(PeriodStatusView.From(period, rows, figureStatus, counts));
    }
}
