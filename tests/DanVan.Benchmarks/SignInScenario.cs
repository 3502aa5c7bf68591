using System.Security.Cryptography;
using System.Text;
using DanVan.Functions;
using DanVan.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DanVan.Benchmarks;

/// <summary>
/// What checking a person's access token costs: 1,000 <c>GET /api/me</c> through the function with a real token from
/// the local sign-in provider (key set from discovery, signature, issuer, audience, lifetime, the person's claims, the
/// answer) against the same library's check wired by hand with the key in memory (JsonWebTokenHandler, the same
/// token and checks, no discovery, no function). For scale: the bare RSA verification of that signature, and the
/// break-glass token (a hash compare) through the same function.
/// </summary>
public static class SignInScenario
{
    private const int Calls = 1000;

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        await using var identity = await DevIdentity.StartAsync();
        var settings = identity.WorkerSettings.ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => (string?)s.Value);
        settings["DanVan:Auth:BreakGlass"] = "true";
        await using var app = await TestApp.StartAsync(settings: settings);
        var me = app.Get<AuthFunctions>();
        var token = await identity.AccessTokenAsync("dev-nguyen-thi-binh");
        var (kid, key) = identity.SigningKey;

        async Task Requests(string bearer)
        {
            for (var i = 0; i < Calls; i++)
            {
                var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/me", bearer), r => me.Me(r, default));
                if (response.Status != 200)
                {
                    throw new InvalidOperationException($"GET /api/me answered {response.Status}: {response.Text}");
                }
            }
        }

        var handler = new JsonWebTokenHandler { MapInboundClaims = false };
        var byHand = new TokenValidationParameters
        {
            ValidIssuer = identity.Issuer,
            ValidAudience = DevIdentity.Audience,
            IssuerSigningKey = new RsaSecurityKey(key.ExportParameters(false)) { KeyId = kid },
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        };
        async Task HandlerChecks()
        {
            for (var i = 0; i < Calls; i++)
            {
                if ((await handler.ValidateTokenAsync(token, byHand)) is { IsValid: false } refused)
                {
                    throw refused.Exception;
                }
            }
        }

        var parts = token.Split('.');
        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        Task BareVerifications()
        {
            for (var i = 0; i < Calls; i++)
            {
                if (!key.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                {
                    throw new InvalidOperationException("The provider's signature did not verify.");
                }
            }

            return Task.CompletedTask;
        }

        var (person, library) = await Measure.PairAsync(_ => Requests(token), _ => HandlerChecks(), runs: 7, warmups: 5); // past tiered JIT's first tier
        var bare = await Measure.SingleAsync(_ => BareVerifications(), runs: 5, warmups: 1);
        var staffTokens = app.Get<DanVan.Auth.StaffTokens>();
        var checkOnly = await Measure.SingleAsync(async _ =>
        {
            for (var i = 0; i < Calls; i++)
            {
                await staffTokens.ValidateAsync(token, default);
            }
        }, runs: 5, warmups: 1);
        var breakGlass = await Measure.SingleAsync(_ => Requests(TestApp.AdminToken), runs: 5, warmups: 1);
        var ratio = person.Median / library.Median;
        return
        [
            new Row($"person's token, {Calls:N0} requests", person.ToString(), library.ToString(), $"{ratio:F2}×", "≤ 2×", ratio <= 2,
                $"{person.Median * 1000 / Calls:F0} µs a request; baseline = JsonWebTokenHandler with the key in memory, the same token and checks"),
            new Row($"  of which DanVan's token check ×{Calls:N0}", checkOnly.ToString(), "", "", "", null, "StaffTokens.ValidateAsync alone: the cached key set, the checks, the person"),
            new Row($"  for scale: bare RS256 verify ×{Calls:N0}; break-glass ×{Calls:N0}", bare.ToString(), breakGlass.ToString(), "", "", null,
                "the signature alone (RSA on this machine's OpenSSL); the break-glass token (a hash compare) through the same function"),
        ];
    }
}
