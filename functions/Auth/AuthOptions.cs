using Microsoft.Extensions.Options;

namespace DanVan.Auth;

/// <summary>
/// Staff sign-in, under <c>DanVan__Auth__*</c>: an OpenID Connect provider (Entra ID, Keycloak, the local
/// development provider) whose access tokens DanVan accepts, and whether the shared break-glass token is.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "DanVan:Auth";

    /// <summary>The provider's issuer URL, e.g. https://login.microsoftonline.com/{tenant}/v2.0; discovery is read from {Authority}/.well-known/openid-configuration. Empty: no staff sign-in (break-glass only).</summary>
    public string Authority { get; set; } = "";

    /// <summary>The dashboard's client id at the provider (a public client: code + PKCE).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The audience DanVan's access tokens carry (the API's app id URI or client id).</summary>
    public string Audience { get; set; } = "";

    /// <summary>The scopes the dashboard asks for, e.g. "openid profile api://danvan/access_as_user" for Entra ID.</summary>
    public string Scope { get; set; } = "openid profile";

    /// <summary>The claim holding the person's roles (Entra app roles: "roles").</summary>
    public string RolesClaim { get; set; } = "roles";

    /// <summary>The claim holding group ids, read only when <see cref="GroupRoles"/> is set.</summary>
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>Group id → role value, for providers that only send groups: <c>DanVan__Auth__GroupRoles__{groupId}=Officer</c>.</summary>
    public Dictionary<string, string> GroupRoles { get; set; } = [];

    /// <summary>Whether <c>DanVan__AdminToken</c> is accepted (as the break-glass caller). Off in Azure unless needed.</summary>
    public bool BreakGlass { get; set; }

    /// <summary>A token whose key the provider's key set lacks makes DanVan re-read the key set at most this often.</summary>
    public int KeyRefreshSeconds { get; set; } = 30;

    /// <summary>How long one read of the provider's discovery document or key set may take.</summary>
    public int MetadataTimeoutSeconds { get; set; } = 10;

    public bool SignInEnabled => Authority.Length > 0;

    /// <summary>The discovery document's address.</summary>
    public string MetadataAddress => Authority.TrimEnd('/') + "/.well-known/openid-configuration";

    /// <summary>Plain http only for a provider on this machine (the development provider).</summary>
    public static bool IsLoopback(Uri uri) => uri.IsLoopback;

    public IEnumerable<string> Problems()
    {
        if (!SignInEnabled)
        {
            if (!BreakGlass)
            {
                yield return "DanVan__Auth__Authority is empty and DanVan__Auth__BreakGlass is false: nobody at Sở Nội vụ could sign in. Set the sign-in provider (DanVan__Auth__Authority, __ClientId, __Audience).";
            }

            yield break;
        }

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || !(authority.Scheme == Uri.UriSchemeHttps || (authority.Scheme == Uri.UriSchemeHttp && IsLoopback(authority))))
        {
            yield return $"DanVan__Auth__Authority must be an absolute https URL (http only on loopback); it is '{Authority}'.";
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return "DanVan__Auth__ClientId is required when DanVan__Auth__Authority is set.";
        }

        if (string.IsNullOrWhiteSpace(Audience))
        {
            yield return "DanVan__Auth__Audience is required when DanVan__Auth__Authority is set.";
        }

        if (string.IsNullOrWhiteSpace(Scope) || !Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("openid"))
        {
            yield return "DanVan__Auth__Scope must include 'openid'.";
        }

        if (string.IsNullOrWhiteSpace(RolesClaim))
        {
            yield return "DanVan__Auth__RolesClaim must name a claim (Entra app roles: 'roles').";
        }

        foreach (var (group, role) in GroupRoles)
        {
            if (StaffRoles.Parse(role) is null)
            {
                yield return $"DanVan__Auth__GroupRoles__{group} must be Viewer, Officer, Leader or Administrator; it is '{role}'.";
            }
        }

        if (KeyRefreshSeconds is < 1 or > 3600)
        {
            yield return "DanVan__Auth__KeyRefreshSeconds must be between 1 and 3600.";
        }

        if (MetadataTimeoutSeconds is < 1 or > 60)
        {
            yield return "DanVan__Auth__MetadataTimeoutSeconds must be between 1 and 60.";
        }
    }
}

/// <summary>Says exactly which sign-in setting is wrong, at start.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
