using System.Diagnostics;

namespace DanVan.Tests.Support;

/// <summary>
/// The local sign-in provider (<c>tools/dev-identity/server.mjs</c>, npm oidc-provider) on a free 127.0.0.1 port for
/// one suite: the sample staff of <c>functions/SampleData/staff.sample.json</c>, the public client
/// <c>danvan-dashboard</c> (code + PKCE) and JWT access tokens for <see cref="Audience"/>. Stopped by its process id
/// when disposed, and by a watchdog if the test process dies first.
/// </summary>
public sealed class DevIdentity : IAsyncDisposable
{
    public const string ClientId = "danvan-dashboard";
    public const string Audience = "api://danvan-local";
    public const string Scope = "openid profile";

    private readonly Process process;
    private readonly int nodeId;

    private DevIdentity(Process process, int nodeId, Uri issuer)
    {
        this.process = process;
        this.nodeId = nodeId;
        Issuer = issuer;
    }

    /// <summary>http://127.0.0.1:{port}, exactly as the provider names itself in its tokens.</summary>
    public Uri Issuer { get; }

    /// <summary>The authority as DanVan__Auth__Authority takes it (no trailing slash).</summary>
    public string Authority => Issuer.GetLeftPart(UriPartial.Authority);

    /// <summary>The worker's DanVan__Auth__* settings for this provider.</summary>
    public IReadOnlyDictionary<string, string> Settings() => new Dictionary<string, string>
    {
        ["DanVan__Auth__Authority"] = Authority,
        ["DanVan__Auth__ClientId"] = ClientId,
        ["DanVan__Auth__Audience"] = Audience,
        ["DanVan__Auth__Scope"] = Scope,
    };

    /// <summary>Starts the provider, which sends people back only to <paramref name="redirectUris"/> (and signs with <paramref name="keysFile"/>' first key when given).</summary>
    public static async Task<DevIdentity> StartAsync(IEnumerable<Uri> redirectUris, string? keysFile = null)
    {
        var server = Path.Combine(Azurite.RepositoryRoot, "tools", "dev-identity", "server.mjs");
        if (!File.Exists(Path.Combine(Azurite.RepositoryRoot, "node_modules", "oidc-provider", "package.json")))
        {
            throw new InvalidOperationException($"npm oidc-provider is not installed: run 'npm ci' in {Azurite.RepositoryRoot} (the test script does).");
        }

        var port = Azurite.FreePort();
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", WatchdogScript, "dev-identity-watchdog", Environment.ProcessId.ToString(), "node", server, "--port", port.ToString() },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var uri in redirectUris)
        {
            start.ArgumentList.Add("--redirect-uri");
            start.ArgumentList.Add(uri.ToString());
        }

        if (keysFile is not null)
        {
            start.ArgumentList.Add("--keys");
            start.ArgumentList.Add(keysFile);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The local sign-in provider did not start.");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var nodeId = 0;
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("watchdog-child ", StringComparison.Ordinal))
                {
                    nodeId = int.Parse(line["watchdog-child ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("dev-identity ready ", StringComparison.Ordinal))
                {
                    _ = DrainAsync(process.StandardOutput);
                    return new DevIdentity(process, nodeId, new Uri(line["dev-identity ready ".Length..].Trim()));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below with what it wrote.
        }

        Stop(process);
        lock (errors)
        {
            throw new InvalidOperationException($"The local sign-in provider did not say it was ready on port {port}: {errors}");
        }
    }

    /// <summary>Makes the provider re-read its keys file (SIGHUP), as a key rotation does, without a restart.</summary>
    public void ReloadKeys()
    {
        using var kill = Process.Start("kill", ["-HUP", nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Stop(process);
        process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task DrainAsync(StreamReader output)
    {
        try
        {
            while (await output.ReadLineAsync() is not null)
            {
            }
        }
        catch (ObjectDisposedException)
        {
            // The provider was stopped.
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    // Node runs under a small shell that names its process id (for SIGHUP) and stops it once the test process is gone,
    // however that ended: a test host the runner kills never runs its disposers.
    private const string WatchdogScript =
        "trap '' TTIN TTOU TSTP HUP; parent=$1; shift; \"$@\" & child=$!; echo \"watchdog-child $child\"; trap 'kill $child 2>/dev/null; wait $child; exit' TERM INT; " +
        "while kill -0 $parent 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; kill $child 2>/dev/null; wait $child";
}
