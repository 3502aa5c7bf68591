using DanVan.Auth;
using DanVan.Domain;
using DanVan.Http;
using DanVan.Outline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

/// <summary>The outline of the province's report: read it, replace it with a new version (roles in Auth/RouteRoles.cs); the unit's đề cương to write in.</summary>
public sealed class OutlineFunctions(Authenticator auth, OutlineService outlines, DanVan.Periods.PeriodTargets targets, DanVan.Compilation.ReportReadings readings)
{
    private const long MaxJsonBytes = 256 * 1024;

    [Function(nameof(GetOutline))]
    public async Task<IActionResult> GetOutline(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "outlines/{reportCode}")] HttpRequest request,
        string reportCode,
        CancellationToken ct)
    {
        await auth.RequireAsync(request, ct);
        return ApiResults.Json(OutlineView.From(await outlines.CurrentAsync(reportCode, ct)));
    }

    [Function(nameof(PutOutline))]
    public async Task<IActionResult> PutOutline(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "outlines/{reportCode}")] HttpRequest request,
        string reportCode,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        _ = await outlines.CurrentAsync(reportCode, ct);
        var body = await RequestJson.ReadAsync<OutlineRecord>(request, MaxJsonBytes, ct);
        if (body.Parts is null)
        {
            throw DomainException.Invalid("Thiếu các phần của đề cương.", [new Violation(null, "parts", "required", "Nội dung phải có \"parts\": [ … ].")]);
        }

        var outline = await outlines.ReplaceAsync(reportCode, body.Parts, caller.Actor, ct);
        return ApiResults.Json(OutlineView.From(outline), StatusCodes.Status201Created);
    }

    /// <summary>The đề cương DOCX of a period for the calling unit (staff: <c>?unit=</c>).</summary>
    [Function(nameof(OutlineTemplateDownload))]
    public async Task<IActionResult> OutlineTemplateDownload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/outline/template.docx")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var target = await auth.RequireTargetAsync(request, targets, periodId, ct);
        var (content, fileName) = await outlines.TemplateAsync(target, ct);
        return ApiResults.Bytes(content, OutlineTemplate.ContentType, fileName);
    }

    /// <summary>How the unit's latest report was read (officer): its tree and where each line went, before compiling.</summary>
    [Function(nameof(GetReportReading))]
    public async Task<IActionResult> GetReportReading(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/reports/{unitCode}/reading")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct)
    {
        await auth.RequireAsync(request, ct);
        return ApiResults.Json(await readings.ReadAsync(periodId, unitCode, ct));
    }
}
