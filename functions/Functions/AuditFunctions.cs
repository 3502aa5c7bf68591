using DanVan.Audit;
using DanVan.Auth;
using DanVan.Http;
using DanVan.Periods;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

public sealed class AuditFunctions(Authenticator auth, AuditLog audit, PeriodCatalog periods)
{
    /// <summary>Newest first, a page at a time (<c>?limit=&amp;continuation=</c>); one period's trail with <c>?periodId=</c>; one person's acts with <c>?actor=</c> (their subject id, or "break-glass").</summary>
    [Function(nameof(ListAudit))]
    public async Task<IActionResult> ListAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "audit")] HttpRequest request,
        CancellationToken ct)
    {
        await auth.RequireAsync(request, ct);
        string? periodId = request.Query["periodId"];
        string? actor = request.Query["actor"];
        if (actor is not null && (actor.Length is 0 or > 140 || actor.Any(char.IsControl)))
        {
            throw Problems.BadParameter("actor", "Tham số actor là mã định danh của một người (subject) hoặc \"break-glass\", tối đa 140 ký tự.");
        }

        var (limit, continuation) = Paging.Read(request, defaultLimit: Paging.MaxLimit, AuditLog.IsContinuation);
        IReadOnlyList<string> partitions = string.IsNullOrWhiteSpace(periodId)
            ? [AuditLog.NoPeriod, .. periods.Current().Select(p => p.Id.ToString())]
            : [periodId];
        var page = await audit.PageAsync(partitions, limit, continuation, ct, actor);
        Paging.Answer(request, page.Continuation);
        return ApiResults.Json(page.Items);
    }
}
