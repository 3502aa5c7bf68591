using System.Collections.Concurrent;
using System.Threading.Channels;
using DanVan.TestHost.Rpc;
using Grpc.Core;
using RpcException = Grpc.Core.RpcException;
using Microsoft.Extensions.Logging;

namespace DanVan.TestHost;

/// <summary>
/// The host's end of the worker's <c>EventStream</c>: requests go out with a fresh request id, and
/// the worker answers with the same id, which completes the matching task. Worker logs go to an ILogger.
/// </summary>
public sealed class WorkerChannel(ILoggerFactory loggers)
{
    /// <summary>Worker log categories appear under this prefix, e.g. <c>Worker.DanVan.Http.ProblemMiddleware</c>.</summary>
    public const string WorkerLogPrefix = "Worker.";

    private readonly ILogger logger = loggers.CreateLogger<WorkerChannel>();
    private readonly ConcurrentDictionary<string, ILogger> workerLoggers = new();
    private readonly Channel<StreamingMessage> outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> pending = new();
    private readonly TaskCompletionSource<string> connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Exception? closed;

    /// <summary>Completes with the worker id once the worker has opened its stream.</summary>
    public Task<string> Connected => connected.Task;

    /// <summary>Sends a request and waits for the worker's answer to it (same request id).</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, CancellationToken ct)
    {
        request.RequestId = Guid.NewGuid().ToString();
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[request.RequestId] = answer;
        try
        {
            if (closed is { } reason)
            {
                throw new InvalidOperationException("The worker's stream is closed.", reason);
            }

            await outbound.Writer.WriteAsync(request, ct);
            return await answer.Task.WaitAsync(ct);
        }
        finally
        {
            pending.TryRemove(request.RequestId, out _);
        }
    }

    /// <summary>Sends a message that has no answer (e.g. InvocationCancel, WorkerTerminate).</summary>
    public ValueTask SendAsync(StreamingMessage message, CancellationToken ct) => outbound.Writer.WriteAsync(message, ct);

    /// <summary>Runs one worker's stream until it ends: reads answers and logs, writes queued requests.</summary>
    internal async Task RunAsync(IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken ct)
    {
        if (!await fromWorker.MoveNext(ct) || fromWorker.Current.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The first message must be StartStream."));
        }

        if (!connected.TrySetResult(fromWorker.Current.StartStream.WorkerId))
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, "This host serves one worker, and it is already connected."));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writer = WriteAsync(toWorker, stop.Token);
        try
        {
            while (await fromWorker.MoveNext(ct))
            {
                Receive(fromWorker.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException)
        {
            logger.LogDebug(ex, "The worker's stream ended");
        }
        finally
        {
            Close(new IOException("The worker closed its stream."));
            stop.Cancel();
            await writer;
        }
    }

    private async Task WriteAsync(IServerStreamWriter<StreamingMessage> toWorker, CancellationToken ct)
    {
        try
        {
            await foreach (var message in outbound.Reader.ReadAllAsync(ct))
            {
                await toWorker.WriteAsync(message, ct);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The stream ended: nothing more can be sent.
        }
    }

    private void Receive(StreamingMessage message)
    {
        if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
        {
            Log(message.RpcLog);
            return;
        }

        if (pending.TryGetValue(message.RequestId, out var answer))
        {
            answer.TrySetResult(message);
        }
        else
        {
            logger.LogDebug("Unsolicited {Message} from the worker", message.ContentCase);
        }
    }

    private void Log(RpcLog log)
    {
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        var target = workerLoggers.GetOrAdd(log.Category ?? "", c => loggers.CreateLogger(WorkerLogPrefix + c));
        if (log.Exception is { } ex)
        {
            target.Log(level, "{Message} {ExceptionType}: {ExceptionMessage}\n{StackTrace}", log.Message, ex.Type, ex.Message, ex.StackTrace);
        }
        else
        {
            target.Log(level, "{Message}", log.Message);
        }
    }

    internal void Close(Exception reason)
    {
        closed ??= reason;
        connected.TrySetException(reason);
        foreach (var answer in pending.Values)
        {
            answer.TrySetException(reason);
        }
    }
}

/// <summary>The gRPC service the worker connects to (<c>FunctionRpc.EventStream</c>).</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
        => channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
