using DanVan.Http;
using DanVan.Uploads;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

/// <summary>Report files: a unit (or the admin on its behalf) uploads them; the unit and the admin read them back.</summary>
public sealed class ReportsFunctions(UploadService uploads, ReportReader reports)
{
    [Function(nameof(UploadReport))]
    public async Task<IActionResult> UploadReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "periods/{periodId}/reports")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var outcome = await uploads.UploadAsync(request, periodId, ct);
        if (outcome.Created)
        {
            var r = outcome.Receipt;
            request.HttpContext.Response.Headers.Location = $"/api/periods/{Uri.EscapeDataString(r.PeriodId)}/reports/{Uri.EscapeDataString(r.UnitCode)}/versions/{r.Version}";
        }

        return ApiResults.Json(outcome.Receipt, outcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    [Function(nameof(ListReportVersions))]
    public async Task<IActionResult> ListReportVersions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/reports/{unitCode}")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct) =>
        ApiResults.Json(await reports.VersionsAsync(request, periodId, unitCode, ct));

    /// <summary>
    /// <paramref name="version"/> is taken as the route's text, not as <c>{version:int}</c>: the caller is
    /// authenticated before the value is parsed (see <see cref="RouteValues"/>), and any value that is
    /// not a version number is a 404 <c>unknown_version</c>, never a 500.
    /// </summary>
    [Function(nameof(DownloadReportVersion))]
    public async Task<IActionResult> DownloadReportVersion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/reports/{unitCode}/versions/{version}")] HttpRequest request,
        string periodId,
        string unitCode,
        string version,
        CancellationToken ct)
    {
        var file = await reports.OpenAsync(request, periodId, unitCode, version, ct);
        return ApiResults.Stream(file.Content, file.ContentType, file.Length, file.FileName);
    }
}
