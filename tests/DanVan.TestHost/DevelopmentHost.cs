using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace DanVan.TestHost;

/// <summary>
/// <c>dotnet DanVan.TestHost.dll --app functions/bin/Release/net10.0 --settings functions/local.settings.json [--port 7071]</c>:
/// runs DanVan locally where Azure Functions Core Tools is not installed. A development host, not
/// the Functions host: HTTP routes, timers (on their CRON schedules) and queue triggers (connection strings) only,
/// no keys, no other triggers.
/// </summary>
public static class DevelopmentHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var appDir = Arg("--app");
        if (appDir is null)
        {
            await Console.Error.WriteLineAsync("usage: DanVan.TestHost --app <built functions dir> [--settings local.settings.json] [--port 7071]");
            return 2;
        }

        var settings = Arg("--settings") is { } file ? ReadValues(file) : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        // As with Core Tools, an environment variable wins over the file: scripts/run-local --at sets DanVan__Clock__Now so.
        foreach (var (name, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => ((string)e.Key, e.Value as string ?? ""))
            .Where(e => e.Item1.StartsWith("DanVan__", StringComparison.OrdinalIgnoreCase) || e.Item1 is "AZURE_FUNCTIONS_ENVIRONMENT" or DanVan.Storage.StorageNames.EmailQueueSetting))
        {
            settings[name] = value;
        }

        var port = int.TryParse(Arg("--port"), out var p) ? p : 7071;
        using var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("DanVan.TestHost.WorkerConsole", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Grpc", LogLevel.Warning)
            .AddFilter(WorkerChannel.WorkerLogPrefix + "Azure", LogLevel.Warning)
            .AddFilter(WorkerChannel.WorkerLogPrefix + "Microsoft", LogLevel.Warning));

        Console.WriteLine("DanVan DEVELOPMENT HOST (not Azure Functions Core Tools): HTTP routes, timers and queue triggers of the real worker, for local use only.");
        FunctionsWorkerHost started;
        try
        {
            started = await FunctionsWorkerHost.StartAsync(new WorkerHostOptions
            {
                FunctionAppDirectory = appDir,
                Settings = settings,
                HttpPort = port,
                ListenOnLocalhost = true,
                ScheduleTimers = true,
                LoggerFactory = loggers,
            });
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync($"The development host could not start: {ex.Message}");
            return 1;
        }

        await using var host = started;

        Console.WriteLine($"Functions (worker pid {host.WorkerProcessId}):");
        foreach (var function in host.Functions)
        {
            Console.WriteLine(function.IsHttp
                ? $"  {function.Name}: [{string.Join(',', function.Methods)}] {new Uri(host.BaseAddress, function.RouteTemplate)}"
                : function.IsQueue
                    ? $"  {function.Name}: {function.TriggerType} {QueueTriggers.ResolveAll(function.QueueName, settings) ?? function.QueueName}"
                    : $"  {function.Name}: {function.TriggerType} {function.Schedule} (run now: curl -X POST -H 'Content-Type: application/json' -d '{{\"input\":\"\"}}' {host.BaseAddress}admin/functions/{function.Name})");
        }

        if (host.AppClock is DanVan.Configuration.SetClock set)
        {
            Console.WriteLine($"The app's clock is set (DanVan__Clock__Now): it reads {DanVan.Domain.VietnamTime.ToVietnam(host.AppClock.GetUtcNow()):yyyy-MM-dd HH:mm:ss zzz} and runs at {set.Rate}x; timers fire on it.");
        }

        Console.WriteLine($"Development host listening on {host.BaseAddress} — Ctrl+C stops it.");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        if (await Task.WhenAny(stop.Task, host.WorkerExited) == host.WorkerExited)
        {
            await Console.Error.WriteLineAsync("The worker exited: stopping the development host.");
            return 1;
        }

        Console.WriteLine("Stopping the development host and its worker.");
        return 0;
    }

    /// <summary>The <c>Values</c> of a local.settings.json, as the Functions host reads them.</summary>
    public static Dictionary<string, string> ReadValues(string localSettingsPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(localSettingsPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (doc.RootElement.TryGetProperty("Values", out var section))
        {
            foreach (var property in section.EnumerateObject())
            {
                values[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        return values;
    }
}
