using DanVan.Audit;
using DanVan.Auth;
using DanVan.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

public sealed class AuditFunctions(Authenticator auth, AuditLog audit)
{
    [Function(nameof(ListAudit))]
    public async Task<IActionResult> ListAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "audit")] HttpRequest request,
        CancellationToken ct)
    {
        await auth.RequireAdminAsync(request, ct);
        string? periodId = request.Query["periodId"];
        return ApiResults.Json(await audit.ListAsync(string.IsNullOrWhiteSpace(periodId) ? null : periodId, ct: ct));
    }
}
