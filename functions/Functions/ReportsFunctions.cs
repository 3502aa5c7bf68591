using DanVan.Auth;
using DanVan.Configuration;
using DanVan.Http;
using DanVan.Periods;
using DanVan.Telemetry;
using DanVan.Uploads;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace DanVan.Functions;

/// <summary>Report files: a unit (or the admin on its behalf) uploads them; the unit and the admin read them back.</summary>
public sealed class ReportsFunctions(Authenticator auth, PeriodTargets targets, UploadService uploads, ReportReader reports, IOptions<DanVanOptions> options, DanVanTelemetry telemetry)
{
    /// <summary>
    /// The edge of an upload: the caller authenticated, the unit and period decided, then the headers read
    /// and the body handed to the service as plain values, in that order (a caller without a credential
    /// learns nothing about what else is wrong with the request).
    /// </summary>
    [Function(nameof(UploadReport))]
    public async Task<IActionResult> UploadReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "periods/{periodId}/reports")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var target = await auth.RequireTargetAsync(request, targets, periodId, ct);
        using var scope = telemetry.UploadScope(request.HttpContext, target.Period.Id.ToString(), target.Unit.Code);
        var form = UploadRequestReader.Read(request);
        var outcome = await uploads.UploadAsync(target, form, UploadRequestReader.Body(request, options.Value.MaxUploadBytes), request.ContentLength, ct);
        var receipt = outcome.Receipt;
        telemetry.UploadAccepted(receipt.PeriodId, receipt.UnitCode, receipt.Version, receipt.SizeBytes, receipt.OnTime, outcome.Created, outcome.Conflicts, outcome.Retries);
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
        CancellationToken ct)
    {
        await auth.RequireForUnitAsync(request, unitCode, ct);
        return ApiResults.Json(await reports.VersionsAsync(periodId, unitCode, ct));
    }

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
        var caller = await auth.RequireForUnitAsync(request, unitCode, ct);
        var file = await reports.OpenAsync(caller, periodId, unitCode, RouteValues.PositiveInt(version), version, ct);
        return ApiResults.Stream(file.Content, file.ContentType, file.Length, file.FileName);
    }
}
