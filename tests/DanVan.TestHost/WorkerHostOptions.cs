using Microsoft.Extensions.Logging;

namespace DanVan.TestHost;

/// <summary>How to start the worker and where the host listens.</summary>
public sealed class WorkerHostOptions
{
    /// <summary>The built or published function app: holds DanVan.Functions.dll, host.json, worker.config.json.</summary>
    public required string FunctionAppDirectory { get; init; }

    /// <summary>The worker's entry assembly in <see cref="FunctionAppDirectory"/>.</summary>
    public string WorkerAssembly { get; init; } = "DanVan.Functions.dll";

    /// <summary>App settings, given to the worker as environment variables (as the Functions host does).</summary>
    public IDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The HTTP front door's port; 0 picks a free one.</summary>
    public int HttpPort { get; init; }

    /// <summary>Listen on every loopback address (localhost: IPv4 and IPv6), not only 127.0.0.1.</summary>
    public bool ListenOnLocalhost { get; init; }

    /// <summary>Run timer functions on their CRON schedules (the development host); tests invoke them on demand.</summary>
    public bool ScheduleTimers { get; init; }

    /// <summary>
    /// Poll the queues of queue-triggered functions and invoke them with each message (<see cref="QueueTriggers"/>):
    /// on for tests and the development host alike, since DanVan's email leaves only through its queue.
    /// </summary>
    public bool RunQueueTriggers { get; init; } = true;

    /// <summary>The Functions host's request body cap (100 MB).</summary>
    public long MaxRequestBodyBytes { get; init; } = 100L * 1024 * 1024;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    public ILoggerFactory? LoggerFactory { get; init; }
}
