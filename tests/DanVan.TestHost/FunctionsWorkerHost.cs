using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DanVan.TestHost.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DanVan.TestHost;

/// <summary>
/// Runs the real DanVan worker as a child process and hosts it the way the Azure Functions host
/// does: a gRPC server the worker connects to (init, metadata, load, invocations, logs) and an HTTP
/// front door that routes requests by the worker's own metadata, sends an invocation request and
/// forwards the request, streamed, to the worker's Kestrel. Timers are invoked on demand
/// (<c>POST /admin/functions/{name}</c>) or, for the development host, on their schedules; queue
/// triggers run on the messages of their queues (<see cref="QueueTriggers"/>).
/// </summary>
public sealed class FunctionsWorkerHost : IAsyncDisposable
{
    public const string HostVersion = "4.1040.0-danvan-testhost";

    private readonly WorkerHostOptions options;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<InvocationResult>> tracked = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> workerErrors = new();
    private WebApplication? app;
    private Process? worker;
    private HttpForwarder? forwarder;
    private TimerScheduler? scheduler;
    private QueueTriggers? queueTriggers;

    private FunctionsWorkerHost(WorkerHostOptions options)
    {
        this.options = options;
        logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("DanVan.TestHost");
        AppClock = AppClockOf(options.Settings);
    }

    /// <summary>
    /// The clock the worker reads, built by DanVan's own <see cref="DanVan.Configuration.AppClock"/> from the
    /// same settings (<c>DanVan__Clock__Now</c>, <c>__Rate</c>): timers are scheduled and described on it, as
    /// the app would see them. Settings the worker will refuse give the real clock here; the worker says why.
    /// </summary>
    public TimeProvider AppClock { get; }

    /// <summary>The front door, e.g. <c>http://127.0.0.1:51234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The worker's own Kestrel, as announced in its init response (capability <c>HttpUri</c>).</summary>
    public Uri WorkerHttpUri { get; private set; } = null!;

    public IReadOnlyList<HostedFunction> Functions { get; private set; } = [];

    public int? WorkerProcessId => worker?.Id;

    /// <summary>Completes when the worker process ends, for whatever reason.</summary>
    public Task WorkerExited { get; private set; } = Task.CompletedTask;

    internal WorkerChannel Channel { get; private set; } = null!;

    public static async Task<FunctionsWorkerHost> StartAsync(WorkerHostOptions options, CancellationToken ct = default)
    {
        var host = new FunctionsWorkerHost(options);
        try
        {
            await host.StartCoreAsync(ct);
            return host;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException($"The worker stopped answering while starting ({ex.Message}). Its error output:\n{string.Join('\n', host.workerErrors)}", ex);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(CancellationToken ct)
    {
        var appDir = Path.GetFullPath(options.FunctionAppDirectory);
        if (!File.Exists(Path.Combine(appDir, options.WorkerAssembly)))
        {
            throw new FileNotFoundException($"The worker {options.WorkerAssembly} is not in {appDir}: build or publish functions/ first.");
        }

        var grpcPort = FreePort();
        var httpPort = options.HttpPort == 0 ? FreePort() : options.HttpPort;
        app = BuildWebApplication(grpcPort, httpPort);
        Channel = app.Services.GetRequiredService<WorkerChannel>();
        await app.StartAsync(ct);
        BaseAddress = new Uri($"http://{(options.ListenOnLocalhost ? "localhost" : "127.0.0.1")}:{httpPort}/");

        var clock = Stopwatch.StartNew();
        worker = StartWorker(appDir, grpcPort);
        WorkerExited = worker.WaitForExitAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.StartTimeout);
        var exited = worker.WaitForExitAsync(timeout.Token);
        await Task.WhenAny(Channel.Connected, exited);
        if (!Channel.Connected.IsCompletedSuccessfully)
        {
            await Task.Delay(200, CancellationToken.None); // let the last lines of its output arrive
            throw new InvalidOperationException((worker.HasExited
                ? $"The worker exited with code {worker.ExitCode} before connecting."
                : $"The worker did not connect within {options.StartTimeout.TotalSeconds} s.")
                + " Its error output:\n" + string.Join('\n', workerErrors));
        }

        var workerId = await Channel.Connected;
        logger.LogInformation("Worker {WorkerId} (pid {Pid}) connected after {Elapsed} ms", workerId, worker.Id, clock.ElapsedMilliseconds);

        var init = await Channel.RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = appDir, FunctionAppDirectory = appDir },
        }, timeout.Token);
        EnsureSuccess(init.WorkerInitResponse.Result, "Worker init");
        if (!init.WorkerInitResponse.Capabilities.TryGetValue("HttpUri", out var httpUri))
        {
            throw new InvalidOperationException("The worker did not announce an HttpUri: is ConfigureFunctionsWebApplication() (ASP.NET Core integration) in Program.cs?");
        }

        WorkerHttpUri = new Uri(httpUri);

        var metadata = await Channel.RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDir },
        }, timeout.Token);
        EnsureSuccess(metadata.FunctionMetadataResponse.Result, "Function metadata");
        var routePrefix = RoutePrefix(appDir);
        Functions = metadata.FunctionMetadataResponse.FunctionMetadataResults.Select(m => HostedFunction.From(m, routePrefix)).ToList();

        var loads = Functions.Select(f => Channel.RequestAsync(new StreamingMessage
        {
            FunctionLoadRequest = new FunctionLoadRequest { FunctionId = f.Id, Metadata = f.Metadata },
        }, timeout.Token));
        foreach (var load in await Task.WhenAll(loads))
        {
            EnsureSuccess(load.FunctionLoadResponse.Result, $"Loading function {load.FunctionLoadResponse.FunctionId}");
        }

        forwarder = new HttpForwarder(this, new FunctionRouter(Functions), options, logger);
        await forwarder.WaitForWorkerHttpAsync(timeout.Token);
        logger.LogInformation("Worker ready after {Elapsed} ms with {Count} functions: {Functions}", clock.ElapsedMilliseconds, Functions.Count, string.Join("; ", Functions));

        if (options.ScheduleTimers)
        {
            scheduler = new TimerScheduler(this, options.Settings, logger);
            scheduler.Start(stopping.Token);
        }

        if (options.RunQueueTriggers)
        {
            queueTriggers = QueueTriggers.Start(this, options.Settings, appDir, logger, stopping.Token);
        }
    }

    private WebApplication BuildWebApplication(int grpcPort, int httpPort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } factory)
        {
            builder.Services.AddSingleton(factory);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2);
            if (options.ListenOnLocalhost)
            {
                kestrel.ListenLocalhost(httpPort, l => l.Protocols = HttpProtocols.Http1);
            }
            else
            {
                kestrel.Listen(IPAddress.Loopback, httpPort, l => l.Protocols = HttpProtocols.Http1);
            }
        });
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton<WorkerChannel>();

        var web = builder.Build();
        web.UseWhen(c => c.Connection.LocalPort == grpcPort, grpc =>
        {
            grpc.UseRouting();
            grpc.UseEndpoints(e => e.MapGrpcService<FunctionRpcService>());
        });
        web.Run(context => forwarder is { } f
            ? f.HandleAsync(context)
            : Unavailable(context));
        return web;
    }

    private static Task Unavailable(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return context.Response.WriteAsync("The worker is still starting.");
    }

    private Process StartWorker(string appDir, int grpcPort)
    {
        var workerId = Guid.NewGuid().ToString();
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = appDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        WatchOverWorker(start);
        foreach (var argument in new[]
            {
                Path.Combine(appDir, options.WorkerAssembly),
                "--functions-uri", $"http://127.0.0.1:{grpcPort}/",
                "--functions-worker-id", workerId,
                "--functions-request-id", Guid.NewGuid().ToString(),
                "--functions-grpc-max-message-length", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (key, value) in options.Settings)
        {
            start.Environment[key] = value;
        }

        // What the Functions host sets for a dotnet-isolated worker.
        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDir;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDir;
        start.Environment["AzureWebJobsScriptRoot"] = appDir;
        start.Environment.TryAdd("AZURE_FUNCTIONS_ENVIRONMENT", "Development");

        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker did not start.");
        var output = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("DanVan.TestHost.WorkerConsole");
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) output.LogDebug("{Line}", line); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                output.LogWarning("{Line}", line);
                if (workerErrors.Count < 60)
                {
                    workerErrors.Enqueue(line); // the first lines say why a worker failed to start
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            if (!stopping.IsCancellationRequested)
            {
                logger.LogError("The worker (pid {Pid}) exited unexpectedly", process.Id);
            }

            Channel.Close(new IOException("The worker process exited."));
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill(process);
        logger.LogInformation("Started worker pid {Pid}: {Arguments}", process.Id, string.Join(' ', start.ArgumentList.SkipWhile(a => !a.EndsWith(options.WorkerAssembly, StringComparison.Ordinal))));
        return process;
    }

    /// <summary>
    /// The worker does not exit when its host's stream breaks, so if this process dies without
    /// disposing (a killed test run), a small shell watchdog stops the worker by PID: it runs the
    /// worker and ends it once this process is gone. Disposing kills the watchdog's whole tree.
    /// </summary>
    private static void WatchOverWorker(ProcessStartInfo start)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/sh"))
        {
            return;
        }

        var dotnet = start.FileName;
        start.FileName = "/bin/sh";
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(
            "\"$0\" \"$@\" & worker=$!; trap 'kill $worker 2>/dev/null' TERM INT; " +
            $"while kill -0 $worker 2>/dev/null; do kill -0 {Environment.ProcessId} 2>/dev/null || kill $worker; sleep 1; done; wait $worker");
        start.ArgumentList.Add(dotnet);
    }

    /// <summary>
    /// Invokes a non-HTTP function (a timer) now and waits for it to finish. For a timer the input is
    /// a TimerInfo like the Functions host's: schedule status from its schedule, <c>IsPastDue</c> false.
    /// </summary>
    public async Task<InvocationResult> InvokeAsync(string functionName, CancellationToken ct = default)
    {
        var function = Find(functionName) ?? throw new ArgumentException($"No function named '{functionName}'.", nameof(functionName));
        return await StartInvocation(function, ct).Result;
    }

    /// <summary>Waits for an invocation started by <c>POST /admin/functions/{name}</c> (its 202 carries the id in <c>x-ms-invocation-id</c>).</summary>
    public Task<InvocationResult> WaitForInvocationAsync(string invocationId) =>
        tracked.TryGetValue(invocationId, out var result) ? result : throw new ArgumentException($"No invocation '{invocationId}' was started here.", nameof(invocationId));

    internal void Track(string invocationId, Task<InvocationResult> result) => tracked[invocationId] = result;

    public HostedFunction? Find(string functionName) => Functions.FirstOrDefault(f => f.Name.Equals(functionName, StringComparison.OrdinalIgnoreCase));

    internal (string InvocationId, Task<InvocationResult> Result) StartInvocation(HostedFunction function, CancellationToken ct)
    {
        var invocationId = Guid.NewGuid().ToString();
        var request = NewInvocation(function, invocationId);
        var input = function.IsTimer
            ? new TypedData { Json = TimerInfoJson(function) }
            : new TypedData { String = "" };
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = input });
        return (invocationId, InvokeCoreAsync(function, request, ct));
    }

    internal InvocationRequest NewInvocation(HostedFunction function, string invocationId)
    {
        var trace = ActivityTraceId.CreateRandom();
        var span = ActivitySpanId.CreateRandom();
        return new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.Id,
            TraceContext = new RpcTraceContext { TraceParent = $"00-{trace}-{span}-00", TraceState = "" },
        };
    }

    internal async Task<InvocationResult> InvokeCoreAsync(HostedFunction function, InvocationRequest request, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping.Token);
        var answer = await Channel.RequestAsync(new StreamingMessage { InvocationRequest = request }, linked.Token);
        var result = InvocationResult.From(function.Name, request.InvocationId, answer.InvocationResponse.Result, clock.Elapsed);
        if (result.Succeeded)
        {
            logger.LogInformation("Executed {Function} ({InvocationId}) in {Elapsed} ms", function.Name, request.InvocationId, (long)clock.Elapsed.TotalMilliseconds);
        }
        else
        {
            logger.LogError("Failed {Function} ({InvocationId}) in {Elapsed} ms: {Error}", function.Name, request.InvocationId, (long)clock.Elapsed.TotalMilliseconds, result.Error);
        }

        return result;
    }

    /// <summary>The TimerInfo JSON the Functions host passes (the worker's Timer extension reads it case-insensitively).</summary>
    internal string TimerInfoJson(HostedFunction function)
    {
        var now = AppClock.GetUtcNow().UtcDateTime;
        var schedule = TimerSchedules.TryParse(function, options.Settings);
        var next = schedule?.GetNextOccurrence(now) ?? now;
        var last = now;
        return JsonSerializer.Serialize(new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = new { Last = last, Next = next, LastUpdated = now },
            IsPastDue = false,
        });
    }

    private static TimeProvider AppClockOf(IDictionary<string, string> settings)
    {
        var values = settings.ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase);
        // The worker's environment, as StartWorker gives it: the settings, else this process's, else Development.
        values.TryAdd(DanVan.Configuration.AppClock.EnvironmentSetting, Environment.GetEnvironmentVariable(DanVan.Configuration.AppClock.EnvironmentSetting) ?? "Development");
        try
        {
            return DanVan.Configuration.AppClock.From(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        }
        catch (InvalidOperationException)
        {
            return TimeProvider.System;
        }
    }

    private static void EnsureSuccess(StatusResult? result, string step)
    {
        if (result is null || result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{step} failed: {result?.Exception?.Type} {result?.Exception?.Message}\n{result?.Exception?.StackTrace}");
        }
    }

    private static string RoutePrefix(string appDir)
    {
        var hostJson = Path.Combine(appDir, "host.json");
        if (!File.Exists(hostJson))
        {
            return "api";
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(hostJson), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return doc.RootElement.TryGetProperty("extensions", out var ext)
            && ext.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            && prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!
            : "api";
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>Asks the worker to stop (WorkerTerminate) and gives it a moment before it is killed.</summary>
    private async Task TerminateAsync(Process process)
    {
        if (process.HasExited || !Channel.Connected.IsCompletedSuccessfully)
        {
            return;
        }

        try
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await Channel.SendAsync(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = new Rpc.Duration { Seconds = 2 } } }, grace.Token);
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            // Not gone in time: killed next.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync();
        if (queueTriggers is not null)
        {
            // Pollers stop taking messages; an invocation under way is cancelled and its message comes back later.
            await Task.WhenAny(queueTriggers.Stopped, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        }

        if (worker is not null)
        {
            await TerminateAsync(worker);
            Kill(worker);
            logger.LogInformation("Stopped worker pid {Pid}", worker.Id);
            worker.Dispose();
        }

        if (app is not null)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(grace.Token);
            await app.DisposeAsync();
        }

        forwarder?.Dispose();
        stopping.Dispose();
    }
}

/// <summary>How an invocation ended, from the worker's InvocationResponse.</summary>
public sealed record InvocationResult(string Function, string InvocationId, bool Succeeded, string? Error, TimeSpan Elapsed)
{
    internal static InvocationResult From(string function, string invocationId, StatusResult? status, TimeSpan elapsed) =>
        status?.Status == StatusResult.Types.Status.Success
            ? new(function, invocationId, true, null, elapsed)
            : new(function, invocationId, false, $"{status?.Exception?.Type} {status?.Exception?.Message}".Trim(), elapsed);
}
