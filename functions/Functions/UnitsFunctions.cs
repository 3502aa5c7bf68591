using DanVan.Domain;
using DanVan.Audit;
using DanVan.Auth;
using DanVan.Http;
using DanVan.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

/// <summary>The registry of units and their credentials (admin only).</summary>
public sealed class UnitsFunctions(Authenticator auth, UnitRegistry registry, CredentialStore credentials, AuditLog audit, UnitImports imports)
{
    [Function(nameof(ListUnits))]
    public async Task<IActionResult> ListUnits(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "units")] HttpRequest request,
        CancellationToken ct)
    {
        await auth.RequireAsync(request, ct);
        var units = await registry.ListAsync(ct);
        return ApiResults.Json(units.Select(UnitRecord.From));
    }

    [Function(nameof(PutUnit))]
    public async Task<IActionResult> PutUnit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "units/{code}")] HttpRequest request,
        string code,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var record = await RequestJson.ReadAsync<UnitRecord>(request, ct: ct);
        if (record.Code is not null && record.Code != code)
        {
            throw DomainException.Invalid("Mã đơn vị trong nội dung khác với mã trên đường dẫn.", [new Violation(null, "code", "code_mismatch", "Mã đơn vị trong nội dung phải trùng với mã trên đường dẫn.")]);
        }

        var errors = new List<Violation>();
        var unit = UnitRules.Validate(record with { Code = code }, null, errors)
            ?? throw DomainException.Invalid("Thông tin đơn vị không hợp lệ.", errors);
        var created = await registry.PutAsync(unit, ct);
        await audit.RecordAsync(caller, AuditActions.UnitPut, unitCode: code, detail: created ? "created" : "replaced", ct: ct);
        return ApiResults.Json(UnitRecord.From(unit), created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    /// <summary>
    /// A registry file (JSON array, XLSX or CSV): with <c>?dryRun=true</c> the preview (row by row, errors by cell,
    /// nothing written); otherwise applied, all or nothing, and with <c>?previewId=</c> only if it still gives that preview.
    /// </summary>
    [Function(nameof(ImportUnits))]
    public async Task<IActionResult> ImportUnits(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "units/import")] HttpRequest request,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var dryRun = QueryValues.Flag(request, "dryRun");
        var previewId = QueryValues.Optional(request, "previewId", ImportPreview.IsId, "Tham số previewId là mã của bản xem trước (previewId trong câu trả lời của ?dryRun=true), 64 ký tự 0-9a-f.");
        var file = UnitFileReader.Read(await RequestJson.ReadBytesAsync(request, ct: ct), request.ContentType);
        if (dryRun)
        {
            return ApiResults.Json(await imports.PreviewAsync(file, ct));
        }

        var (result, preview) = await imports.ApplyAsync(file, previewId, ct);
        await audit.RecordAsync(caller, AuditActions.UnitImport,
            detail: $"{file.Format}: imported={result.Imported} updated={result.Updated} ended={preview.Ended} unchanged={preview.Unchanged}" + (previewId is null ? "" : $" preview={previewId}"), ct: ct);
        return ApiResults.Json(result);
    }

    [Function(nameof(IssueToken))]
    public async Task<IActionResult> IssueToken(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "units/{code}/token")] HttpRequest request,
        string code,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        _ = await registry.FindAsync(code, ct) ?? throw DomainException.UnknownUnit(code);
        var issued = await credentials.IssueAsync(code, ct);
        await audit.RecordAsync(caller, AuditActions.TokenIssue, unitCode: code, ct: ct);
        return ApiResults.Json(new IssuedTokenAnswer(issued.UnitCode, issued.Token, Domain.VietnamTime.ToVietnam(issued.IssuedAt)), StatusCodes.Status201Created);
    }
}

/// <summary>A unit's new token (shown once), with the instant it was issued in Vietnam time.</summary>
public sealed record IssuedTokenAnswer(string UnitCode, string Token, DateTimeOffset IssuedAt);
