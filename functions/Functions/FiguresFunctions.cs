using System.Text.Json;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Figures;
using DanVan.Http;
using DanVan.Periods;
using DanVan.Uploads;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

/// <summary>A JSON entry of figures: indicator code → number, true/false for yes/no, or null (left empty).</summary>
public sealed record FigureEntryRequest(Dictionary<string, JsonElement>? Values, string? Note);

/// <summary><c>PUT /api/indicators/{reportCode}</c>: the whole new list.</summary>
public sealed record IndicatorsRequest(List<IndicatorRecord?>? Indicators);

/// <summary>The plan's indicators (admin) and the figures units enter against them.</summary>
public sealed class FiguresFunctions(Authenticator auth, FiguresService figures, PeriodTargets targets, PeriodCatalog periods)
{
    private const long MaxJsonBytes = 256 * 1024;
    private const int MaxValues = 500;

    [Function(nameof(GetIndicators))]
    public async Task<IActionResult> GetIndicators(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "indicators/{reportCode}")] HttpRequest request,
        string reportCode,
        CancellationToken ct)
    {
        await auth.RequireAsync(request, ct);
        var set = await figures.CurrentDefinitionsAsync(reportCode, ct);
        return ApiResults.Json(NoIndicators.Or(reportCode, set));
    }

    [Function(nameof(PutIndicators))]
    public async Task<IActionResult> PutIndicators(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "indicators/{reportCode}")] HttpRequest request,
        string reportCode,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        _ = await figures.CurrentDefinitionsAsync(reportCode, ct);
        var body = await RequestJson.ReadAsync<IndicatorsRequest>(request, MaxJsonBytes, ct);
        if (body.Indicators is not { } list)
        {
            throw DomainException.Invalid("Thiếu danh sách chỉ tiêu.", [new Violation(null, "indicators", "required", "Nội dung phải có \"indicators\": [ … ].")]);
        }

        var set = await figures.ReplaceDefinitionsAsync(reportCode, list, caller.Actor, ct);
        return ApiResults.Json(IndicatorSetRecord.From(set), StatusCodes.Status201Created);
    }

    /// <summary>The indicators a period's figures are entered against (the set it is pinned to).</summary>
    [Function(nameof(GetPeriodIndicators))]
    public async Task<IActionResult> GetPeriodIndicators(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/indicators")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var (_, period) = await auth.RequirePeriodAsync(request, periods, periodId, ct);
        var set = await figures.DefinitionsForAsync(period, ct);
        return ApiResults.Json(PeriodIndicatorsView.From(period, set));
    }

    /// <summary>One entry of figures: JSON (<c>application/json</c>) or the filled-in template (XLSX body).</summary>
    [Function(nameof(EnterFigures))]
    public async Task<IActionResult> EnterFigures(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "periods/{periodId}/figures")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var target = await auth.RequireTargetAsync(request, targets, periodId, ct);
        var mediaType = (request.ContentType ?? "").Split(';')[0].Trim();
        FigureReceipt receipt;
        if (string.Equals(mediaType, FigureTemplate.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            receipt = await figures.EnterWorkbookAsync(target, await ReadWorkbookAsync(request, ct), ct);
        }
        else if (string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            var body = await RequestJson.ReadAsync<FigureEntryRequest>(request, MaxJsonBytes, ct);
            var values = body.Values ?? [];
            if (values.Count > MaxValues)
            {
                throw DomainException.Invalid("Quá nhiều số liệu.", [new Violation(null, "values", "too_many", $"Tối đa {MaxValues} số liệu trong một lần gửi.")]);
            }

            receipt = await figures.EnterAsync(target, values.ToDictionary(kv => kv.Key, kv => ToRaw(kv.Value), StringComparer.Ordinal), FiguresService.SourceJson, body.Note, ct);
        }
        else
        {
            throw RefusalCodes.UnsupportedMediaType.Because(
                $"Gửi số liệu dạng application/json ({{\"values\": {{…}}}}) hoặc tệp biểu mẫu XLSX với Content-Type {FigureTemplate.ContentType}.");
        }

        request.HttpContext.Response.Headers.Location = $"/api/periods/{Uri.EscapeDataString(receipt.PeriodId)}/figures/{Uri.EscapeDataString(receipt.UnitCode)}";
        return ApiResults.Json(receipt, StatusCodes.Status201Created);
    }

    /// <summary>Every required unit's figures and the totals, province and by group (admin).</summary>
    [Function(nameof(FigureTotalsForPeriod))]
    public async Task<IActionResult> FigureTotalsForPeriod(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/figures")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var (_, period) = await auth.RequirePeriodAsync(request, periods, periodId, ct);
        var totals = await figures.TotalsAsync(period, ct);
        return ApiResults.Json(FigureTotalsView.From(period, totals));
    }

    [Function(nameof(ListFigureVersions))]
    public async Task<IActionResult> ListFigureVersions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/figures/{unitCode}")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct)
    {
        await auth.RequireForUnitAsync(request, unitCode, ct);
        return ApiResults.Json(await figures.VersionsAsync(periods.Get(periodId), unitCode, ct));
    }

    [Function(nameof(FigureTemplateDownload))]
    public async Task<IActionResult> FigureTemplateDownload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/figures/template.xlsx")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var target = await auth.RequireTargetAsync(request, targets, periodId, ct);
        var (content, fileName) = await figures.TemplateAsync(target, ct);
        return ApiResults.Bytes(content, FigureTemplate.ContentType, fileName);
    }

    private static RawFigure ToRaw(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => RawFigure.Empty,
        JsonValueKind.Number => value.TryGetDecimal(out var n) ? new RawFigure(n, null, null) : new RawFigure(null, null, "#"),
        JsonValueKind.True => new RawFigure(null, true, null),
        JsonValueKind.False => new RawFigure(null, false, null),
        JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()) ? RawFigure.Empty : new RawFigure(null, null, value.GetString()),
        _ => new RawFigure(null, null, "#"),
    };

    /// <summary>The whole body, refused as soon as it passes <paramref name="maxBytes"/>.</summary>
    /// <summary>The filled-in template: the request body read by <see cref="RequestJson.ReadBytesAsync"/> (bounded, a body cut short is <c>body_incomplete</c>), with the figures' own words for a file too large or empty.</summary>
    private static async Task<byte[]> ReadWorkbookAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await RequestJson.ReadBytesAsync(request, FigureWorkbookReader.MaxBytes, ct, FiguresProblems.WorkbookTooLarge);
        return body.Length == 0 ? throw FiguresProblems.InvalidWorkbook("tệp rỗng") : body;
    }
}
