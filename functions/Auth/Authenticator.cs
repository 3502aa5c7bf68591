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

        // A unit's credential works while the unit is in the registry and through its last day (activeTo, Vietnam
        // calendar); from the next day it is 403 unit_ended. Its registry row is read beside the credential's.
        var claimed = CredentialStore.UnitCodeOf(token) ?? throw Problems.Unauthorized();
        var credential = credentials.FindUnitAsync(token, ct);
        var registered = registry.FindAsync(claimed, ct);
        await Task.WhenAll(credential, registered);
        if (await credential is null || await registered is not { } unit)
        {
            throw Problems.Unauthorized();
        }

        return unit.ActiveTo is { } last && VietnamTime.Today(clock) > last ? throw Problems.UnitEnded(unit) : new Caller(unit.Code);
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
