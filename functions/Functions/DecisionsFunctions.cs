using System.Globalization;
using System.Runtime.CompilerServices;
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
    public Task<IActionResult> ReviewReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/review")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct) =>
        ChangeAsync<ReviewBody>(request, ct, (actor, body, ifMatch) =>
        {
            var verdict = DecisionRules.ParseVerdict(body.Decision)
                ?? throw DomainException.Invalid("Quyết định phải là \"accepted\" (tiếp nhận) hoặc \"returned\" (trả lại).", [new Violation(null, "decision", "invalid", "Giá trị hợp lệ: accepted, returned.")]);
            if (body.Version is not { } version || version < 1)
            {
                throw DomainException.Invalid("Cần ghi rõ phiên bản được xem xét (version).", [new Violation(null, "version", "required", "Số phiên bản (từ 1) mà quyết định áp dụng.")]);
            }

            return decisions.ReviewAsync(actor, periodId, unitCode, version, verdict, body.Reason, ifMatch, ct);
        });

    [Function(nameof(ExtendDeadline))]
    public Task<IActionResult> ExtendDeadline(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Route + "/extension")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct) =>
        ChangeAsync<ExtensionBody>(request, ct, (actor, body, ifMatch) =>
            decisions.ExtendAsync(actor, periodId, unitCode, ParseDeadline(body.Deadline), body.Reason, ifMatch, ct));

    [Function(nameof(RevokeExtension))]
    public Task<IActionResult> RevokeExtension(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route + "/extension")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct) =>
        ChangeAsync(request, ct, (actor, body, ifMatch) =>
            decisions.RevokeExtensionAsync(actor, periodId, unitCode, body.Reason, ifMatch, ct), withoutBody: NoReason);

    [Function(nameof(ExemptUnit))]
    public Task<IActionResult> ExemptUnit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Route + "/exemption")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct) =>
        ChangeAsync<ReasonBody>(request, ct, (actor, body, ifMatch) =>
            decisions.ExemptAsync(actor, periodId, unitCode, body.Reason, ifMatch, ct));

    [Function(nameof(RevokeExemption))]
    public Task<IActionResult> RevokeExemption(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route + "/exemption")] HttpRequest request,
        string periodId,
        string unitCode,
        CancellationToken ct) =>
        ChangeAsync(request, ct, (actor, body, ifMatch) =>
            decisions.RevokeExemptionAsync(actor, periodId, unitCode, body.Reason, ifMatch, ct), withoutBody: NoReason);

    /// <summary>
    /// Every change of a unit's decisions, in this order: the caller (the calling function's rule, Auth/RouteRoles.cs), its
    /// JSON body, then <paramref name="change"/> with the caller's actor, the body and the ETag the caller saw (<c>If-Match</c>),
    /// answered with the decisions and their new ETag. With <paramref name="withoutBody"/>, a request with no body stands for it.
    /// </summary>
    private async Task<IActionResult> ChangeAsync<TBody>(
        HttpRequest request,
        CancellationToken ct,
        Func<string, TBody, string?, Task<DecisionView>> change,
        TBody? withoutBody = null,
        [CallerMemberName] string function = "")
        where TBody : class
    {
        var caller = await auth.RequireAsync(request, ct, function);
        var body = withoutBody is not null && !HasBody(request) ? withoutBody : await RequestJson.ReadAsync<TBody>(request, MaxBodyBytes, ct);
        return Answer(request, await change(caller.Actor, body, IfMatch(request)));
    }

    /// <summary>A reason of a few thousand characters, JSON-escaped, fits well within this.</summary>
    private const long MaxBodyBytes = 64 * 1024;

    private sealed record ReviewBody(int? Version, string? Decision, string? Reason);

    private sealed record ExtensionBody(string? Deadline, string? Reason);

    private sealed record ReasonBody(string? Reason);

    /// <summary>A revocation may say why (a JSON body with <c>reason</c>) or not (no body).</summary>
    private static readonly ReasonBody NoReason = new(Reason: null);

    private static string? IfMatch(HttpRequest request) =>
        request.Headers.IfMatch.ToString() is { Length: > 0 } tag ? tag.Trim() : null;

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

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
