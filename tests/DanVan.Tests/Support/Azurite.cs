using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DanVan.Tests.Support;

/// <summary>
/// One Azurite for the whole test run, started from the repository's pinned npm package on free
/// loopback ports with in-memory storage, and stopped by PID when the run ends. Set
/// DANVAN_TEST_STORAGE to a connection string to use an Azurite that is already running.
/// </summary>
public static class Azurite
{
    /// <summary>Azurite's documented development account key: public, not a secret.</summary>
    public const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<string> Connection = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ConnectionString => Connection.Value;

    public static string RepositoryRoot { get; } = FindRoot();

    private static string Start()
    {
        if (Environment.GetEnvironmentVariable("DANVAN_TEST_STORAGE") is { Length: > 0 } given)
        {
            return given;
        }

        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        var process = Launch(blob, queue, table, dataDirectory: null);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);
        AppDomain.CurrentDomain.UnhandledException += (_, _) => Stop(process);
        return ConnectionStringFor(blob, queue, table);
    }

    public static string ConnectionStringFor(int blob, int queue, int table) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    /// <summary>Azurite from the pinned npm package on these loopback ports: in memory, or keeping its data in <paramref name="dataDirectory"/>.</summary>
    internal static Process Launch(int blob, int queue, int table, string? dataDirectory)
    {
        var bin = Path.Combine(RepositoryRoot, "node_modules", ".bin", "azurite");
        if (!File.Exists(bin))
        {
            throw new InvalidOperationException($"Azurite is not installed at {bin}: run 'npm ci' in {RepositoryRoot} (the test script does).");
        }

        // Azurite runs under a small shell watchdog that stops it once this test process is gone, however it
        // ended: a test host the runner kills never runs ProcessExit handlers, and its Azurite must not outlive it.
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList =
            {
                "-c", WatchdogScript, "azurite-watchdog", Environment.ProcessId.ToString(), bin,
                "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
                "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
                "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
            },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (dataDirectory is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(dataDirectory);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        WaitForPort(blob, process);
        WaitForPort(table, process);
        WaitForPort(queue, process);
        return process;
    }

    private const string WatchdogScript =
        "trap '' TTIN TTOU TSTP HUP; parent=$1; shift; \"$@\" & child=$!; trap 'kill $child 2>/dev/null; wait $child; exit' TERM INT; " +
        "while kill -0 $parent 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; kill $child 2>/dev/null; wait $child";

    internal static void Stop(Process process)
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
            // Already gone: nothing left to stop.
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WaitForPort(int port, Process process)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before listening.");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        throw new TimeoutException($"Azurite did not listen on port {port} within 60 s.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DanVan.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DanVan.sln not found above the test binaries.");
    }
}

/// <summary>
/// An Azurite of one test's own, keeping its data in a folder, that the test can stop (killed, as a crash
/// or an outage would) and start again on the same ports with the same data.
/// </summary>
public sealed class OwnAzurite : IDisposable
{
    private readonly int blob = Azurite.FreePort();
    private readonly int queue = Azurite.FreePort();
    private readonly int table = Azurite.FreePort();
    private readonly string data = Directory.CreateTempSubdirectory("danvan-azurite-").FullName;
    private Process? process;

    public OwnAzurite() => Start();

    public string ConnectionString => Azurite.ConnectionStringFor(blob, queue, table);

    public void Start() => process = Azurite.Launch(blob, queue, table, data);

    /// <summary>Killed at once: connections reset, nothing flushed beyond what Azurite already wrote.</summary>
    public void Kill()
    {
        if (process is not null)
        {
            Azurite.Stop(process);
            process.Dispose();
            process = null;
        }
    }

    public void Dispose()
    {
        Kill();
        Directory.Delete(data, recursive: true);
    }
}
