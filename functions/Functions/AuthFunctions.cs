using DanVan.Auth;
using DanVan.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace DanVan.Functions;

/// <summary>What the pages need to sign a person in, and who the signed-in caller is.</summary>
public sealed class AuthFunctions(Authenticator auth, IOptions<AuthOptions> options)
{
    /// <summary>The provider and client the dashboard starts the authorization code + PKCE flow with; empty authority: no sign-in, break-glass only.</summary>
    [Function(nameof(AuthConfig))]
    public IActionResult AuthConfig(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "auth/config")] HttpRequest request)
    {
        var o = options.Value;
        return ApiResults.Json(new AuthConfigView(o.Authority, o.ClientId, o.Audience, o.Scope, o.BreakGlass));
    }

    /// <summary>The signed-in person (name, stable subject, roles) or the break-glass caller; units are refused.</summary>
    [Function(nameof(Me))]
    public async Task<IActionResult> Me(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me")] HttpRequest request,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var breakGlass = caller.Kind == CallerKind.BreakGlass;
        return ApiResults.Json(new MeView(
            breakGlass ? Actors.BreakGlass : caller.Subject!,
            breakGlass ? Actors.Display(Actors.BreakGlass) : caller.Name!,
            StaffRoles.UpTo(caller.Role).Select(r => r.ToString()).ToList(),
            breakGlass));
    }

    public sealed record AuthConfigView(string Authority, string ClientId, string Audience, string Scope, bool BreakGlassAllowed);

    public sealed record MeView(string Subject, string Name, IReadOnlyList<string> Roles, bool BreakGlass);
}
