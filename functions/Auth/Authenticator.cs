using System.Runtime.CompilerServices;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DanVan.Auth;

/// <summary>
/// Every HTTP function is anonymous to the Functions host; DanVan checks <c>Authorization: Bearer</c>
/// itself, before it looks anything else up, so a refused caller learns nothing about what exists.
/// Three kinds of bearer: a unit's credential (<c>dv1.…</c>), a person's access token from the sign-in
/// provider (a JWT, <see cref="StaffTokens"/>), and the break-glass token when it is allowed.
/// What each route asks is <see cref="RouteRoles.Table"/>, looked up by the calling function's name.
/// </summary>
public sealed class Authenticator(CredentialStore credentials, UnitRegistry registry, TimeProvider clock, StaffTokens staffTokens, IOptions<DanVanOptions> options, IOptions<AuthOptions> auth, ILogger<Authenticator> logger)
{
    private readonly string? breakGlassHash = auth.Value.BreakGlass ? CredentialStore.Hash(options.Value.AdminToken) : null;

    /// <summary>The caller, whoever it is, or a 401 problem (503 when the sign-in provider cannot be asked).</summary>
    public async Task<Caller> AuthenticateAsync(HttpRequest request, CancellationToken ct = default)
    {
        var token = BearerToken(request) ?? throw AuthRefusals.Unauthorized();
        if (StaffTokens.LooksLikeJwt(token))
        {
            return await staffTokens.ValidateAsync(token, ct);
        }

        if (token.Length > MaxOpaqueLength)
        {
            throw AuthRefusals.Unauthorized();
        }

        if (breakGlassHash is not null && CredentialStore.HashesEqual(CredentialStore.Hash(token), breakGlassHash))
        {
            return Caller.BreakGlass;
        }

        // A unit's credential works while the unit is in the registry and through its last day (activeTo, Vietnam
        // calendar); from the next day it is 403 unit_ended. Its registry row is read beside the credential's.
        var claimed = CredentialStore.UnitCodeOf(token) ?? throw AuthRefusals.Unauthorized();
        var credential = credentials.FindUnitAsync(token, ct);
        var registered = registry.FindAsync(claimed, ct);
        await Task.WhenAll(credential, registered);
        if (await credential is null || await registered is not { } unit)
        {
            throw AuthRefusals.Unauthorized();
        }

        return unit.ActiveTo is { } last && VietnamTime.Today(clock) > last ? throw AuthRefusals.UnitEnded(unit) : Caller.ForUnit(unit);
    }

    /// <summary>The caller if <see cref="RouteRoles.Table"/> lets it call <paramref name="function"/> (the calling function), or 401/403.</summary>
    public Task<Caller> RequireAsync(HttpRequest request, CancellationToken ct = default, [CallerMemberName] string function = "") =>
        CheckAsync(request, Rule(function, own: false), function, null, ct);

    /// <summary>As <see cref="RequireAsync"/>, for a route about one unit: that unit's own credential is let in too.</summary>
    public Task<Caller> RequireForUnitAsync(HttpRequest request, string unitCode, CancellationToken ct = default, [CallerMemberName] string function = "") =>
        CheckAsync(request, Rule(function, own: true), function, unitCode, ct);

    private async Task<Caller> CheckAsync(HttpRequest request, RouteRule rule, string function, string? unitCode, CancellationToken ct)
    {
        var caller = await AuthenticateAsync(request, ct);
        if (caller.Kind == CallerKind.Unit)
        {
            return rule.Units == UnitAccess.Any || (rule.Units == UnitAccess.Own && caller.MayActFor(unitCode!)) ? caller : throw DomainException.Forbidden();
        }

        if (!caller.Has(rule.Role))
        {
            throw RoleRequired(rule.Role, caller.Role);
        }

        if (caller.Kind == CallerKind.BreakGlass)
        {
            logger.LogWarning("Break-glass token used: {Function}", function);
        }

        return caller;
    }

    private static RouteRule Rule(string function, bool own)
    {
        if (!RouteRoles.Table.TryGetValue(function, out var rule) || rule.Anonymous || (rule.Units == UnitAccess.Own) != own)
        {
            throw new InvalidOperationException($"{function} asks for a caller its rule in Auth/RouteRoles.cs does not describe.");
        }

        return rule;
    }

    public static DomainException RoleRequired(StaffRole needed, StaffRole has) =>
        new(RefusalCodes.RoleRequired,
            $"Thao tác này cần vai trò {needed.Title()} ({needed}) trở lên; vai trò của bạn: {has.Title()}. Nếu công việc của bạn cần, hãy đề nghị quản trị DanVan của Sở Nội vụ giao vai trò.")
        {
            Role = needed.ToString(),
        };

    /// <summary>Unit and break-glass tokens are short; a person's access token is a JWT of a few kilobytes.</summary>
    private const int MaxOpaqueLength = 512;

    private const int MaxTokenLength = 8192;

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[scheme.Length..].Trim();
        return token.Length is > 0 and <= MaxTokenLength && !token.Any(char.IsWhiteSpace) ? token : null;
    }
}
