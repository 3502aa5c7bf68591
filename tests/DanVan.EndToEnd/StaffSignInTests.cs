using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DanVan.EndToEnd;

/// <summary>
/// People of Sở Nội vụ signing in through the local provider (tools/dev-identity) and the real worker checking their
/// tokens: real tokens from the code + PKCE flow, tokens the provider would never issue (each refused with 401), a key
/// rotation taken without a restart, and the whole role matrix (openapi.json's x-danvan-role, which
/// RouteRolesTests holds equal to functions/Auth/RouteRoles.cs) walked for every role.
/// </summary>
[Collection(DanVanHostCollection.Name)]
public sealed partial class StaffSignInTests(DanVanHost danvan)
{
    public const string Officer = "dev-nguyen-thi-binh";
    public const string Leader = "dev-tran-van-cuong";
    public const string Viewer = "dev-le-thi-dung";
    public const string Administrator = "dev-pham-minh-an";
    public const string NoRole = "dev-hoang-van-em";

    private static readonly PlanPeriod Period = SamplePlan.Current(SuiteClock.Now);

    [Fact]
    public async Task A_signed_in_officer_is_known_by_name_subject_and_roles_and_break_glass_says_so()
    {
        var token = await danvan.Identity.AccessTokenAsync(Officer);

        using var me = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, "api/me"));
        var body = await me.ReadJsonAsync(HttpStatusCode.OK);
        using var glass = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, "api/me"));
        var breakGlass = await glass.ReadJsonAsync(HttpStatusCode.OK);
        using var config = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, "api/auth/config"));
        var auth = await config.ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal((Officer, "Nguyễn Thị Bình", false), (body.GetProperty("subject").GetString(), body.GetProperty("name").GetString(), body.GetProperty("breakGlass").GetBoolean()));
        Assert.Equal(["Officer", "Viewer"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(breakGlass.GetProperty("breakGlass").GetBoolean());
        Assert.Equal(4, breakGlass.GetProperty("roles").GetArrayLength());
        Assert.Equal((danvan.Identity.Issuer, DevIdentity.ClientId, DevIdentity.Audience, true),
            (auth.GetProperty("authority").GetString(), auth.GetProperty("clientId").GetString(), auth.GetProperty("audience").GetString(), auth.GetProperty("breakGlassAllowed").GetBoolean()));
    }

    public static TheoryData<string> Forgeries => ["expired", "wrong-audience", "wrong-issuer", "alg-none", "foreign-key", "unpublished-key", "hs256-with-public-key", "tampered"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_token_the_provider_did_not_issue_as_it_stands_is_refused_with_401(string forgery)
    {
        var good = Sign(Descriptor(), danvan.Identity.SigningKey);
        using (var control = await danvan.SendAsync(DanVanHost.As(good, HttpMethod.Get, "api/me")))
        {
            await control.ReadJsonAsync(HttpStatusCode.OK); // the same token, made right, is taken: what follows is refused for its one flaw
        }

        var bad = forgery switch
        {
            "expired" => Sign(Descriptor(d => d.Expires = LongAgo.AddHours(1)), danvan.Identity.SigningKey),
            "wrong-audience" => Sign(Descriptor(d => d.Audience = "api://another-app"), danvan.Identity.SigningKey),
            "wrong-issuer" => Sign(Descriptor(d => d.Issuer = "http://127.0.0.1:1"), danvan.Identity.SigningKey),
            "alg-none" => new JsonWebTokenHandler().CreateToken(Descriptor()),
            "foreign-key" => Sign(Descriptor(), (danvan.Identity.SigningKey.Kid, RSA.Create(2048))),
            "unpublished-key" => Sign(Descriptor(), ("not-in-the-key-set", RSA.Create(2048))), // makes the worker re-read the key set, in vain
            "hs256-with-public-key" => new JsonWebTokenHandler().CreateToken(Descriptor(d => d.SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(danvan.Identity.SigningKey.Key.ExportSubjectPublicKeyInfo()) { KeyId = danvan.Identity.SigningKey.Kid }, SecurityAlgorithms.HmacSha256))),
            _ => Tamper(good),
        };

        using var refused = await danvan.SendAsync(DanVanHost.As(bad, HttpMethod.Get, "api/me"));

        await refused.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("Bearer", refused.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_key_the_provider_rotates_to_is_taken_without_restarting_the_worker()
    {
        var before = await danvan.Identity.AccessTokenAsync(Viewer);
        using (var first = await danvan.SendAsync(DanVanHost.As(before, HttpMethod.Get, "api/me")))
        {
            await first.ReadJsonAsync(HttpStatusCode.OK);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.2)); // past DanVan__Auth__KeyRefreshSeconds=1 since any earlier re-read
        var kid = await danvan.Identity.RotateAsync();
        var after = await danvan.Identity.AccessTokenAsync(Viewer);

        using var second = await danvan.SendAsync(DanVanHost.As(after, HttpMethod.Get, "api/me"));

        Assert.Equal(kid, new JsonWebToken(after).Kid);
        Assert.Equal("Lê Thị Dung", (await second.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString());
    }

    public static TheoryData<string, string?> Callers => new()
    {
        { Viewer, "Viewer" },
        { Officer, "Officer" },
        { Leader, "Leader" },
        { Administrator, "Administrator" },
        { NoRole, null },
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Every_staff_route_answers_each_role_as_the_matrix_says(string subject, string? role)
    {
        var token = await danvan.Identity.AccessTokenAsync(subject);
        var rank = Array.IndexOf(Ranks, role ?? "None");
        var wrong = new List<string>();

        foreach (var (method, path, needed, _) in await MatrixAsync())
        {
            using var response = await danvan.SendAsync(DanVanHost.As(token, new HttpMethod(method), Fill(path, "khong-co-e2e"), Junk()));
            var body = await response.Content.ReadAsStringAsync();
            var allowed = rank >= Array.IndexOf(Ranks, needed);
            var ok = allowed
                ? response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)response.StatusCode < 500
                : response.StatusCode == HttpStatusCode.Forbidden && Problem(body) is { } p && p.GetProperty("code").GetString() == "role_required" && p.GetProperty("role").GetString() == needed;
            if (!ok)
            {
                wrong.Add($"{method} {path} needs {needed}: got {(int)response.StatusCode} {body}");
            }
        }

        Assert.True(wrong.Count == 0, $"{subject} ({role ?? "no role"}):\n" + string.Join("\n", wrong));
    }

    [Fact]
    public async Task A_units_credential_gets_its_own_routes_and_403_forbidden_on_staff_ones()
    {
        var (code, token) = await danvan.UnitWithTokenAsync("rol");
        var wrong = new List<string>();

        foreach (var (method, path, _, units) in await MatrixAsync())
        {
            foreach (var (target, expectAllowed) in units switch { "any" => new[] { (code, true) }, "own" => new[] { (code, true), ("khong-co-e2e", false) }, _ => new[] { (code, false) } })
            {
                using var response = await danvan.SendAsync(DanVanHost.As(token, new HttpMethod(method), Fill(path, target), Junk()));
                var body = await response.Content.ReadAsStringAsync();
                var ok = expectAllowed
                    ? response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)response.StatusCode < 500
                    : response.StatusCode == HttpStatusCode.Forbidden && Problem(body)?.GetProperty("code").GetString() == "forbidden";
                if (!ok)
                {
                    wrong.Add($"{method} {Fill(path, target)} (units: {units}): got {(int)response.StatusCode} {body}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static readonly string[] Ranks = ["None", "Viewer", "Officer", "Leader", "Administrator"];

    /// <summary>Every operation that asks for a caller, with the role and units openapi.json (= the route table) gives it.</summary>
    private async Task<IReadOnlyList<(string Method, string Path, string Role, string Units)>> MatrixAsync()
    {
        using var served = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, "api/openapi.json"));
        var document = await served.ReadJsonAsync(HttpStatusCode.OK);
        var rows = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(op => op.Value.TryGetProperty("x-danvan-role", out _))
                .Select(op => (op.Name.ToUpperInvariant(), path.Name, op.Value.GetProperty("x-danvan-role").GetString()!, op.Value.GetProperty("x-danvan-units").GetString()!)))
            .ToList();
        Assert.True(rows.Count >= 30, $"openapi.json lists {rows.Count} operations with a role");
        return rows;
    }

    /// <summary>The route with values that touch nothing that exists: a period outside the plan, an unknown report, the given unit.</summary>
    private static string Fill(string path, string unitCode) => "api" + Parameter().Replace(path, m => m.Groups[1].Value switch
    {
        "periodId" => "2000-H1",
        "unitCode" or "code" => unitCode,
        "reportCode" => "ZZ",
        "n" or "version" => "1",
        "file" => "app.css",
        "backupId" => "khong-co-e2e",
        var other => throw new InvalidOperationException($"No test value for route parameter {other} in {path}"),
    });

    /// <summary>A body no route takes, so that an allowed call is refused by what it checks after the caller, never carried out.</summary>
    private static StringContent Junk() => new("not json", System.Text.Encoding.UTF8, "text/plain");

    private static JsonElement? Problem(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Token lifetimes are checked on the real clock (the provider's tokens carry real time, not the app's pinned clock),
    /// so a forged token's lifetime is given by fixed instants on either side of any day the suite runs: issued in 2000,
    /// valid until 2100, or expired an hour after it was issued in 2000. Nothing here reads the calendar.
    /// </summary>
    private static readonly DateTime LongAgo = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly DateTime FarAhead = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private SecurityTokenDescriptor Descriptor(Action<SecurityTokenDescriptor>? change = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = danvan.Identity.Issuer,
            Audience = DevIdentity.Audience,
            IssuedAt = LongAgo,
            NotBefore = LongAgo,
            Expires = FarAhead,
            Claims = new Dictionary<string, object> { ["sub"] = Administrator, ["name"] = "Phạm Minh An", ["roles"] = new[] { "Administrator" } },
        };
        change?.Invoke(descriptor);
        return descriptor;
    }

    private static string Sign(SecurityTokenDescriptor descriptor, (string Kid, RSA Key) key)
    {
        descriptor.SigningCredentials ??= new SigningCredentials(new RsaSecurityKey(key.Key) { KeyId = key.Kid }, SecurityAlgorithms.RsaSha256);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>The same signature over claims with one letter of the name changed.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("Phạm Minh An", "Phạm Minh Ân", StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(System.Text.Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
    }

    [GeneratedRegex(@"\{([A-Za-z]+)(:[^}]*)?\}")]
    private static partial Regex Parameter();
}
