using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Http;
using DanVan.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace DanVan.Auth;

/// <summary>
/// Every HTTP function is anonymous to the Functions host; DanVan checks <c>Authorization: Bearer</c>
/// itself, before it looks anything else up, so a refused caller learns nothing about what exists.
/// </summary>
public sealed class Authenticator(CredentialStore credentials, UnitRegistry registry, TimeProvider clock, IOptions<DanVanOptions> options)
{
    private readonly string adminHash = CredentialStore.Hash(options.Value.AdminToken);

    /// <summary>The caller, or a 401 problem.</summary>
    public async Task<Caller> AuthenticateAsync(HttpRequest request, CancellationToken ct = default)
    {
        var token = BearerToken(request) ?? throw Problems.Unauthorized();
        if (CredentialStore.HashesEqual(CredentialStore.Hash(token), adminHash))
        {
            return Caller.Admin;
        }

        var unit = await credentials.FindUnitAsync(token, ct);
        return unit is null ? throw Problems.Unauthorized() : new Caller(await RequireActiveAsync(unit, ct));
    }

    /// <summary>
    /// A unit's credential works while the unit is in the registry and through its last day (<c>activeTo</c>, Vietnam
    /// calendar): from the next day it is refused (403 <c>unit_ended</c>). What the unit sent stays in the records.
    /// </summary>
    private async Task<string> RequireActiveAsync(string unitCode, CancellationToken ct)
    {
        var unit = await registry.FindAsync(unitCode, ct) ?? throw Problems.Unauthorized();
        return unit.ActiveTo is { } last && VietnamTime.Today(clock) > last ? throw Problems.UnitEnded(unit) : unitCode;
    }

    /// <summary>The admin, or 401/403.</summary>
    public async Task<Caller> RequireAdminAsync(HttpRequest request, CancellationToken ct = default)
    {
        var caller = await AuthenticateAsync(request, ct);
        return caller.IsAdmin ? caller : throw Problems.Forbidden();
    }

    /// <summary>The admin or the unit itself, or 401/403.</summary>
    public async Task<Caller> RequireUnitOrAdminAsync(HttpRequest request, string unitCode, CancellationToken ct = default)
    {
        var caller = await AuthenticateAsync(request, ct);
        return caller.MayActFor(unitCode) ? caller : throw Problems.Forbidden();
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[scheme.Length..].Trim();
        return token.Length is > 0 and <= 512 && !token.Any(char.IsWhiteSpace) ? token : null;
    }
}
