using System.Security.Claims;
using System.Text.Json;
using DanVan.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace DanVan.Auth;

/// <summary>
/// A person's access token from the configured OpenID Connect provider, checked with Microsoft.IdentityModel: the
/// provider's discovery document and key set (re-read on their own every hour, and at once, at most every
/// <see cref="AuthOptions.KeyRefreshSeconds"/>, when a token names a key the set lacks: a rotated key is taken
/// without a restart), signature with RS256 only, issuer, audience, lifetime with 30 s of skew. Lifetimes are real
/// time (the provider's clock), not the app's clock, which a demonstration may set elsewhere.
/// </summary>
public sealed class StaffTokens : IDisposable
{
    /// <summary>Allowed difference between the provider's clock and this one.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly AuthOptions options;
    private readonly ILogger<StaffTokens> logger;
    private readonly HttpClient http;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? metadata;
    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };

    static StaffTokens()
    {
        // A refresh asked for because of an unknown key is fetched before the token is checked again, not in the background.
        AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);
    }

    public StaffTokens(IOptions<AuthOptions> options, ILogger<StaffTokens> logger)
    {
        this.options = options.Value;
        this.logger = logger;
        http = new HttpClient { Timeout = TimeSpan.FromSeconds(this.options.MetadataTimeoutSeconds) };
        if (this.options.SignInEnabled)
        {
            var retriever = new HttpDocumentRetriever(http) { RequireHttps = !AuthOptions.IsLoopback(new Uri(this.options.Authority)) };
            metadata = new ConfigurationManager<OpenIdConnectConfiguration>(this.options.MetadataAddress, new OpenIdConnectConfigurationRetriever(), retriever)
            {
                AutomaticRefreshInterval = TimeSpan.FromHours(1),
                RefreshInterval = TimeSpan.FromSeconds(this.options.KeyRefreshSeconds),
            };
        }
    }

    /// <summary>Looks like a JWT (three base64url parts) rather than a unit's or the break-glass token.</summary>
    public static bool LooksLikeJwt(string token) =>
        token.StartsWith("eyJ", StringComparison.Ordinal) && token.Count(c => c == '.') == 2;

    /// <summary>The person, or a 401 (a bad token), or a 503 (the provider's keys could not be read in time).</summary>
    public async Task<Caller> ValidateAsync(string token, CancellationToken ct)
    {
        if (metadata is null)
        {
            throw AuthRefusals.Unauthorized();
        }

        var result = await ValidateWithAsync(token, await ConfigurationAsync(ct));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            metadata.RequestRefresh(); // a key published since the last read; at most once per KeyRefreshSeconds
            result = await ValidateWithAsync(token, await ConfigurationAsync(ct));
        }

        if (!result.IsValid)
        {
            logger.LogInformation("Staff token refused: {Reason}", result.Exception?.GetType().Name);
            throw AuthRefusals.Unauthorized();
        }

        return CallerOf(result.ClaimsIdentity, options);
    }

    private async Task<OpenIdConnectConfiguration> ConfigurationAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.MetadataTimeoutSeconds));
        try
        {
            return await metadata!.GetConfigurationAsync(timeout.Token);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is InvalidOperationException or OperationCanceledException or HttpRequestException or IOException)
        {
            // Never heard back from the provider: not "wrong token" (401), but "cannot check now" (503).
            logger.LogWarning(ex, "Sign-in provider metadata not read from {Address}", options.MetadataAddress);
            throw IdentityUnavailable();
        }
    }

    private Task<TokenValidationResult> ValidateWithAsync(string token, OpenIdConnectConfiguration configuration) =>
        handler.ValidateTokenAsync(token, ParametersFor(configuration));

    /// <summary>One reference, swapped whole: concurrent requests see one metadata read's parameters or the next's, never a mix.</summary>
    private sealed record Prepared(OpenIdConnectConfiguration Configuration, TokenValidationParameters Parameters);

    private volatile Prepared? prepared;

    /// <summary>The checks for one read of the provider's metadata, made once per read (its keys turned into RSA keys once, not per request).</summary>
    private TokenValidationParameters ParametersFor(OpenIdConnectConfiguration configuration)
    {
        if (prepared is { } made && ReferenceEquals(made.Configuration, configuration))
        {
            return made.Parameters;
        }

        var keys = configuration.SigningKeys.Select(k => k is JsonWebKey jwk && JsonWebKeyConverter.TryConvertToSecurityKey(jwk, out var converted) ? converted : k).ToList();
        var parameters = new TokenValidationParameters
        {
            // The configured authority, not whatever the discovery document says (OpenID Connect Discovery §4.3).
            ValidIssuers = [options.Authority, options.Authority.TrimEnd('/')],
            ValidAudience = options.Audience,
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
            NameClaimType = "name",
            RoleClaimType = options.RolesClaim,
        };
        prepared = new Prepared(configuration, parameters);
        return parameters;
    }

    /// <summary>The person a validated token names: <c>oid</c> (Entra) else <c>sub</c>, the name, the highest role from the roles claim or the group map.</summary>
    internal static Caller CallerOf(ClaimsIdentity identity, AuthOptions options)
    {
        var subject = Clean(identity.FindFirst("oid")?.Value ?? identity.FindFirst("sub")?.Value, 128);
        if (subject.Length == 0)
        {
            throw AuthRefusals.Unauthorized();
        }

        var name = Clean(identity.FindFirst("name")?.Value ?? identity.FindFirst("preferred_username")?.Value, 120);
        var roles = Values(identity, options.RolesClaim).Select(StaffRoles.Parse)
            .Concat(options.GroupRoles.Count == 0 ? [] : Values(identity, options.GroupsClaim).Select(g => options.GroupRoles.TryGetValue(g, out var r) ? StaffRoles.Parse(r) : null));
        var role = roles.Where(r => r is not null).Select(r => r!.Value).DefaultIfEmpty(StaffRole.None).Max();
        return Caller.Person(subject, name.Length > 0 ? name : subject, role);
    }

    /// <summary>A claim's values, whether the token carries an array or one string.</summary>
    private static IEnumerable<string> Values(ClaimsIdentity identity, string claim) =>
        identity.FindAll(claim).SelectMany(c => c.ValueType == JsonClaimValueTypes.JsonArray
            ? JsonSerializer.Deserialize<string[]>(c.Value) ?? []
            : [c.Value]);

    /// <summary>Printable, without the characters that delimit an actor, at most <paramref name="max"/> long.</summary>
    private static string Clean(string? value, int max)
    {
        var text = new string((value ?? "").Where(c => !char.IsControl(c) && c is not '<' and not '>').ToArray()).Trim();
        return text.Length > max ? text[..max] : text;
    }

    public static DomainException IdentityUnavailable() =>
        new(RefusalCodes.IdentityUnavailable, "Hệ thống đăng nhập không phản hồi nên chưa kiểm tra được phiên đăng nhập. Vui lòng thử lại sau ít phút.")
        {
            RetryAfter = DomainException.ShortWait,
        };

    public void Dispose() => http.Dispose();
}
