using System.Globalization;
using DanVan.Auth;
using DanVan.Decisions;
using DanVan.Domain;
using DanVan.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

/// <summary>
/// Sở Nội vụ's decisions about a unit for a period (staff by role, Auth/RouteRoles.cs; a unit credential gets 403): review the latest
/// version, extend the deadline, exempt the unit. Every change may carry <c>If-Match</c> with the ETag the admin
/// saw (from the GET, or a status row's <c>decisionsEtag</c>): a change made on a state that moved on is a 412.
/// </summary>
public sealed class DecisionsFunctions(Authenticator auth, DecisionService decisions)
{
    private const string Route = "periods/{periodId}/decisions/{unitCode}";

    [Function(nameof(GetDecisions))]
    public async Task<IActionResult> GetDecisions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct)
    {
        await auth.RequireAsync(request, ct);
        return Answer(request, await decisions.GetAsync(periodId, unitCode, ct));
    }

    [Function(nameof(ReviewReport))]
    public async Task<IActionResult> ReviewReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/review")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var body = await RequestJson.ReadAsync<ReviewBody>(request, MaxBodyBytes, ct);
        var verdict = DecisionRules.ParseVerdict(body.Decision)
            ?? throw DomainException.Invalid("Quyết định phải là \"accepted\" (tiếp nhận) hoặc \"returned\" (trả lại).", [new Violation(null, "decision", "invalid", "Giá trị hợp lệ: accepted, returned.")]);
        if (body.Version is not { } version || version < 1)
        {
            throw DomainException.Invalid("Cần ghi rõ phiên bản được xem xét (version).", [new Violation(null, "version", "required", "Số phiên bản (từ 1) mà quyết định áp dụng.")]);
        }

        return Answer(request, await decisions.ReviewAsync(caller.Actor, periodId, unitCode, version, verdict, body.Reason, IfMatch(request), ct));
    }

    [Function(nameof(ExtendDeadline))]
    public async Task<IActionResult> ExtendDeadline(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Route + "/extension")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var body = await RequestJson.ReadAsync<ExtensionBody>(request, MaxBodyBytes, ct);
        var deadline = ParseDeadline(body.Deadline);
        return Answer(request, await decisions.ExtendAsync(caller.Actor, periodId, unitCode, deadline, body.Reason, IfMatch(request), ct));
    }

    [Function(nameof(RevokeExtension))]
    public async Task<IActionResult> RevokeExtension(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route + "/extension")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var reason = (await OptionalBodyAsync(request, ct))?.Reason;
        return Answer(request, await decisions.RevokeExtensionAsync(caller.Actor, periodId, unitCode, reason, IfMatch(request), ct));
    }

    [Function(nameof(ExemptUnit))]
    public async Task<IActionResult> ExemptUnit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Route + "/exemption")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var body = await RequestJson.ReadAsync<ReasonBody>(request, MaxBodyBytes, ct);
        return Answer(request, await decisions.ExemptAsync(caller.Actor, periodId, unitCode, body.Reason, IfMatch(request), ct));
    }

    [Function(nameof(RevokeExemption))]
    public async Task<IActionResult> RevokeExemption(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route + "/exemption")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var reason = (await OptionalBodyAsync(request, ct))?.Reason;
        return Answer(request, await decisions.RevokeExemptionAsync(caller.Actor, periodId, unitCode, reason, IfMatch(request), ct));
    }

    /// <summary>A reason of a few thousand characters, JSON-escaped, fits well within this.</summary>
    private const long MaxBodyBytes = 64 * 1024;

    private sealed record ReviewBody(int? Version, string? Decision, string? Reason);

    private sealed record ExtensionBody(string? Deadline, string? Reason);

    private sealed record ReasonBody(string? Reason);

    private static string? IfMatch(HttpRequest request) =>
        request.Headers.IfMatch.ToString() is { Length: > 0 } tag ? tag.Trim() : null;

    /// <summary>A revocation may say why (a JSON body with <c>reason</c>) or not (no body).</summary>
    private static async Task<ReasonBody?> OptionalBodyAsync(HttpRequest request, CancellationToken ct) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0)
            ? await RequestJson.ReadAsync<ReasonBody>(request, MaxBodyBytes, ct)
            : null;

    /// <summary>
    /// An instant with its offset ("2026-05-30T00:00:00+07:00", the first late instant), or a Vietnam calendar date
    /// ("2026-05-29": reports are on time through the end of that day).
    /// </summary>
    private static DateTimeOffset ParseDeadline(string? text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && VietnamTime.IsInRange(day))
        {
            return VietnamTime.StartOfDay(day.AddDays(1));
        }

        if (text is { Length: >= 20 and <= 40 } && text[10] == 'T' && (text.EndsWith('Z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) && VietnamTime.IsInRange(DateOnly.FromDateTime(instant.UtcDateTime)))
        {
            return instant;
        }

        const string detail = "Hạn mới là một thời điểm ISO 8601 có múi giờ (ví dụ 2026-05-30T00:00:00+07:00, thời điểm đầu tiên bị tính là muộn) hoặc một ngày (ví dụ 2026-05-29: đúng hạn đến hết ngày đó, giờ Việt Nam), trong khoảng năm 1900 đến năm 2099.";
        throw DomainException.Invalid(detail, [new Violation(null, "deadline", "invalid", detail)]);
    }

    private static IActionResult Answer(HttpRequest request, DecisionView view)
    {
        if (view.ETag is { } etag)
        {
            request.HttpContext.Response.Headers.ETag = etag;
        }

        return ApiResults.Json(DecisionAnswer.From(view));
    }
}
