using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DanVan.Tests.Support;

/// <summary>
/// The local sign-in provider (tools/dev-identity/server.mjs, npm oidc-provider) on a free loopback port, with
/// signing keys in a file this class writes, so a test can rotate them (<see cref="RotateAsync"/>) while the worker
/// runs, and sign tokens the provider would never issue. A person's real access token comes from driving the
/// authorization code + PKCE flow over HTTP, as a browser does (<see cref="AccessTokenAsync"/>). Killed by PID.
/// </summary>
public sealed partial class DevIdentity : IAsyncDisposable
{
    public const string ClientId = "danvan-dashboard";
    public const string Audience = "api://danvan-local";

    /// <summary>Where the test's own sign-ins are sent back to; nothing listens there: the code is read off the redirect.</summary>
    public const string TestRedirectUri = "http://127.0.0.1:9/danvan-tests/callback";

    private readonly Process process;
    private readonly string keysFile;
    private readonly List<(string Kid, RSA Key)> keys;
    private readonly StringBuilder output = new();
    private readonly object gate = new();

    private DevIdentity(Process process, string issuer, string keysFile, List<(string, RSA)> keys)
    {
        this.process = process;
        this.keysFile = keysFile;
        this.keys = keys;
        Issuer = issuer;
    }

    public string Issuer { get; }

    /// <summary>The key the provider signs with now, and its id (for tokens the tests sign themselves).</summary>
    public (string Kid, RSA Key) SigningKey => keys[0];

    /// <summary>The worker settings that make it accept this provider's tokens.</summary>
    public IReadOnlyDictionary<string, string> WorkerSettings => new Dictionary<string, string>
    {
        ["DanVan__Auth__Authority"] = Issuer,
        ["DanVan__Auth__ClientId"] = ClientId,
        ["DanVan__Auth__Audience"] = Audience,
        ["DanVan__Auth__KeyRefreshSeconds"] = "1",
    };

    /// <param name="redirectUris">Besides <see cref="TestRedirectUri"/>: e.g. the dashboard of a browser test.</param>
    public static async Task<DevIdentity> StartAsync(params string[] redirectUris)
    {
        var port = Azurite.FreePort();
        var directory = Directory.CreateTempSubdirectory("danvan-identity-").FullName;
        var keysFile = Path.Combine(directory, "jwks.json");
        var keys = new List<(string, RSA)> { NewKey() };
        WriteKeys(keysFile, keys);

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Azurite.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine("tools", "dev-identity", "server.mjs"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--keys", keysFile, "--redirect-uri", TestRedirectUri }
                     .Concat(redirectUris.SelectMany(u => new[] { "--redirect-uri", u })))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start tools/dev-identity/server.mjs.");
        var identity = new DevIdentity(process, $"http://127.0.0.1:{port}", keysFile, keys);
        process.OutputDataReceived += (_, e) => identity.Note(e.Data);
        process.ErrorDataReceived += (_, e) => identity.Note(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await identity.WaitForAsync($"dev-identity ready {identity.Issuer}");
        return identity;
    }

    /// <summary>A real access token of <paramref name="subject"/> (a sample person): the code + PKCE flow, choosing that person on the login page.</summary>
    public async Task<string> AccessTokenAsync(string subject)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true }) { Timeout = TimeSpan.FromSeconds(30) };
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var authorize = $"{Issuer}/auth?client_id={ClientId}&response_type=code&scope=openid%20profile&redirect_uri={Uri.EscapeDataString(TestRedirectUri)}" +
                        $"&code_challenge={challenge}&code_challenge_method=S256&state={state}";

        var login = await RedirectOf(await http.GetAsync(authorize));
        var page = await http.GetStringAsync(login);
        var action = LoginForm().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("No login form on the provider's page: " + page);
        var next = await RedirectOf(await http.PostAsync(new Uri(new Uri(Issuer), WebUtility.HtmlDecode(action)), new FormUrlEncodedContent(new Dictionary<string, string> { ["sub"] = subject })));
        for (var hops = 0; !next.StartsWith(TestRedirectUri, StringComparison.Ordinal); hops++)
        {
            if (hops >= 5)
            {
                throw new InvalidOperationException("The provider did not send the browser back with a code: " + next);
            }

            next = await RedirectOf(await http.GetAsync(next));
        }

        var query = System.Web.HttpUtility.ParseQueryString(new Uri(next).Query);
        if (query["state"] != state)
        {
            throw new InvalidOperationException("The provider sent back another state: " + next);
        }

        using var exchanged = await http.PostAsync($"{Issuer}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = ClientId,
            ["code"] = query["code"] ?? throw new InvalidOperationException("No code in " + next),
            ["redirect_uri"] = TestRedirectUri,
            ["code_verifier"] = verifier,
        }));
        var body = await exchanged.Content.ReadAsStringAsync();
        if (!exchanged.IsSuccessStatusCode)
        {
            throw new InvalidOperationException("Token endpoint refused: " + body);
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>A new signing key first in the provider's key set (the previous ones kept, as a provider publishes during a rotation), read on SIGHUP.</summary>
    public async Task<string> RotateAsync()
    {
        var key = NewKey();
        keys.Insert(0, key);
        WriteKeys(keysFile, keys);
        using (var hup = Process.Start("kill", ["-HUP", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await hup.WaitForExitAsync();
        }

        await WaitForAsync($"dev-identity keys reloaded ({string.Join(", ", keys.Select(k => k.Kid))})");
        return key.Kid;
    }

    private static async Task<string> RedirectOf(HttpResponseMessage response)
    {
        using (response)
        {
            if ((int)response.StatusCode is < 300 or >= 400)
            {
                throw new InvalidOperationException($"Expected a redirect, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            return response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.ToString() : new Uri(new Uri(response.RequestMessage!.RequestUri!, "/"), response.Headers.Location).ToString();
        }
    }

    private void Note(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            output.AppendLine(line);
        }
    }

    private async Task WaitForAsync(string line)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            lock (gate)
            {
                if (output.ToString().Contains(line, StringComparison.Ordinal))
                {
                    return;
                }
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(50);
        }

        lock (gate)
        {
            throw new InvalidOperationException($"The sign-in provider did not say '{line}':\n{output}");
        }
    }

    private static (string Kid, RSA Key) NewKey() => ("test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), RSA.Create(2048));

    /// <summary>The key set as a JWKS with the private parts (the provider signs with the first).</summary>
    private static void WriteKeys(string path, IEnumerable<(string Kid, RSA Key)> keys)
    {
        static string B(byte[]? bytes) => Base64Url.EncodeToString(bytes!);
        var jwks = keys.Select(k => k.Key.ExportParameters(true) is var p
            ? new Dictionary<string, string> { ["kty"] = "RSA", ["kid"] = k.Kid, ["n"] = B(p.Modulus), ["e"] = B(p.Exponent), ["d"] = B(p.D), ["p"] = B(p.P), ["q"] = B(p.Q), ["dp"] = B(p.DP), ["dq"] = B(p.DQ), ["qi"] = B(p.InverseQ) }
            : null);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new { keys = jwks }));
        File.Move(temp, path, overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
        Directory.Delete(Path.GetDirectoryName(keysFile)!, recursive: true);
    }

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\"")]
    private static partial Regex LoginForm();
}
