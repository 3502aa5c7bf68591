using System.Net.Mail;
using DanVan.Access;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Http;
using DanVan.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

/// <summary>What the admin asks access links for: the units named, or every unit without access yet.</summary>
public sealed record AccessLinksRequest(IReadOnlyList<string>? Units, bool WithoutAccess);

/// <summary>A unit's own request for its link again: one of its registered addresses.</summary>
public sealed record ResendRequest(string? Email);

/// <summary>
/// Onboarding units from the dashboard: the registry template, the units' access (credential issued and last used,
/// the last link emailed), emailing access links; and the one anonymous route, a unit asking for its link again.
/// </summary>
public sealed class AccessFunctions(Authenticator auth, AccessLinks links, ResendLimiter limiter)
{
    /// <summary>The same words whether or not the address is registered: the answer says nothing about the registry.</summary>
    public const string ResendAnswer =
        "Nếu địa chỉ này đã được đăng ký cho một đơn vị, đường liên kết mới sẽ được gửi tới các địa chỉ email đã đăng ký của đơn vị trong ít phút (mỗi đơn vị tối đa một thư mỗi giờ). Nếu không nhận được, vui lòng liên hệ Sở Nội vụ.";

    [Function(nameof(UnitsTemplate))]
    public async Task<IActionResult> UnitsTemplate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "units/template.xlsx")] HttpRequest request,
        CancellationToken ct)
    {
        await auth.RequireAsync(request, ct);
        return ApiResults.Bytes(UnitSheet.Template(), UnitSheet.ContentType, UnitSheet.TemplateFileName);
    }

    [Function(nameof(ListUnitAccess))]
    public async Task<IActionResult> ListUnitAccess(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "units/access")] HttpRequest request,
        CancellationToken ct)
    {
        await auth.RequireAsync(request, ct);
        return ApiResults.Json(await links.OverviewAsync(ct));
    }

    /// <summary>
    /// Emails access links: to <c>units</c>, or with <c>withoutAccess</c> to every active unit that has none yet.
    /// An <c>Idempotency-Key</c> makes the same request, sent again, send nothing more.
    /// </summary>
    [Function(nameof(SendAccessLinks))]
    public async Task<IActionResult> SendAccessLinks(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "units/access-links")] HttpRequest request,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var body = await RequestJson.ReadAsync<AccessLinksRequest>(request, ct: ct);
        var key = request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 0 && (key.Length > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            throw Problems.BadParameter("Idempotency-Key", "Idempotency-Key gồm tối đa 64 chữ cái, chữ số hoặc dấu gạch ngang.");
        }

        var codes = body.WithoutAccess ? await links.WithoutAccessAsync(ct) : body.Units ?? [];
        if (!body.WithoutAccess && (codes.Count == 0 || codes.Count > 5000))
        {
            throw DomainException.Invalid("Chưa chọn đơn vị nào.", [new Violation(null, "units", "no_units", "Chọn ít nhất một đơn vị, hoặc gửi cho mọi đơn vị chưa có đường liên kết.")]);
        }

        var results = await links.RequestAsync(codes, key.Length > 0 ? "k-" + key : Guid.NewGuid().ToString("N"), caller.Actor, ct);
        return ApiResults.Json(new AccessLinksAnswer(results.Count(r => r.Status == AccessLinkStatus.Queued), results));
    }

    /// <summary>
    /// Anonymous: "gửi lại đường liên kết". Emails a fresh link to the registered addresses of the unit(s) that
    /// registered the given address, at most once an hour per unit; answers 202 with the same words either way, after
    /// the same work either way: the request goes on the email queue as the address's hash, and the registry is read
    /// only by the queue's side. At most <see cref="ResendLimiter.Burst"/> requests per client (remote address) at once,
    /// then one per <see cref="ResendLimiter.Refill"/>: beyond that a 429 with <c>Retry-After</c>, whatever the address.
    /// </summary>
    [Function(nameof(ResendAccessLink))]
    public async Task<IActionResult> ResendAccessLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "access-links/resend")] HttpRequest request,
        CancellationToken ct)
    {
        var body = await RequestJson.ReadAsync<ResendRequest>(request, maxBytes: 4096, ct: ct);
        var address = body.Email?.Trim() ?? "";
        if (address.Length is < 3 or > 254 || !MailAddress.TryCreate(address, out var parsed) || parsed.Address != address)
        {
            throw DomainException.Invalid("Địa chỉ email không hợp lệ.", [new Violation(null, "email", "invalid_email", "Vui lòng nhập địa chỉ email của đơn vị đã đăng ký với Sở Nội vụ.")]);
        }

        if (limiter.Take(ClientOf(request)) is { } wait)
        {
            throw TooManyResends(wait);
        }

        await links.RequestResendAsync(address, ct);
        return ApiResults.Json(new AcceptedAnswer(true, ResendAnswer), StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// Who is asking, for the per-client limit: the connection's remote address. The worker's ASP.NET Core integration
    /// applies the forwarded-headers middleware (ForwardLimit 1), so behind the Functions host this is the address the
    /// nearest proxy (App Service's front end) put last in <c>X-Forwarded-For</c>, not one a client wrote
    /// (azure-functions-dotnet-worker#3111). No address (a test's request) is one shared client.
    /// </summary>
    public static string ClientOf(HttpRequest request) => request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "";

    private static DomainException TooManyResends(TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        return new(RefusalCodes.TooManyRequests, $"Đã gửi quá nhiều yêu cầu gửi lại đường liên kết. Vui lòng thử lại sau {Math.Max(1, (seconds + 59) / 60)} phút.")
        {
            RetryAfter = TimeSpan.FromSeconds(seconds),
        };
    }
}

/// <summary>Access links requested: how many went on the email queue, and each unit's outcome.</summary>
public sealed record AccessLinksAnswer(int Queued, IReadOnlyList<AccessLinkResult> Results);

/// <summary>A request taken (202), with the words the person reads.</summary>
public sealed record AcceptedAnswer(bool Accepted, string Detail);
