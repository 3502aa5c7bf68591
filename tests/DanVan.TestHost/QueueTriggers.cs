using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using DanVan.TestHost.Rpc;
using Microsoft.Extensions.Logging;

namespace DanVan.TestHost;

/// <summary>
/// <c>extensions.queues</c> of host.json, as far as this host uses it, with the Functions host's defaults:
/// 5 attempts, released at once after a failure, polled at most a minute apart, Base64 messages, 16 at a time.
/// </summary>
public sealed record QueueHostSettings(int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval, QueueMessageEncoding Encoding, int BatchSize)
{
    public static QueueHostSettings Default { get; } = new(5, TimeSpan.Zero, TimeSpan.FromMinutes(1), QueueMessageEncoding.Base64, 16);

    public static QueueHostSettings Read(string appDir)
    {
        var hostJson = Path.Combine(appDir, "host.json");
        if (!File.Exists(hostJson))
        {
            return Default;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(hostJson), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!doc.RootElement.TryGetProperty("extensions", out var ext) || !ext.TryGetProperty("queues", out var q))
        {
            return Default;
        }

        int Int(string name, int fallback) => q.TryGetProperty(name, out var v) && v.TryGetInt32(out var i) ? i : fallback;
        TimeSpan Span(string name, TimeSpan fallback) =>
            q.TryGetProperty(name, out var v) && TimeSpan.TryParse(v.GetString(), CultureInfo.InvariantCulture, out var t) ? t : fallback;
        var encoding = q.TryGetProperty("messageEncoding", out var e) && string.Equals(e.GetString(), "none", StringComparison.OrdinalIgnoreCase)
            ? QueueMessageEncoding.None
            : QueueMessageEncoding.Base64;
        return new QueueHostSettings(
            Int("maxDequeueCount", Default.MaxDequeueCount),
            Span("visibilityTimeout", Default.VisibilityTimeout),
            Span("maxPollingInterval", Default.MaxPollingInterval),
            encoding,
            Int("batchSize", Default.BatchSize));
    }
}

/// <summary>
/// Queue triggers as the Functions host runs them, for what DanVan needs: for each queue-triggered function, its
/// queue (<c>%Setting%</c> references resolved from the app settings) on its connection (a connection string in
/// the settings: <c>{Connection}</c> or <c>AzureWebJobs{Connection}</c>; identity-based connections are not
/// supported here) is polled, from 100 ms apart when busy up to host.json's <c>maxPollingInterval</c> when idle.
/// Each message is invoked over the gRPC protocol with its text as the trigger input (JSON or string
/// TypedData) and the trigger metadata the host sends (<c>DequeueCount</c>, <c>Id</c>, <c>PopReceipt</c>,
/// <c>InsertionTime</c>, <c>ExpirationTime</c>, <c>NextVisibleTime</c>); deleted when the invocation succeeds;
/// made visible again after <c>visibilityTimeout</c> when it fails; moved to <c>{queue}-poison</c> when it failed
/// on its <c>maxDequeueCount</c>-th delivery. Not done: lease renewal for invocations longer than the
/// 10-minute lease, scale-out, the host's own queue-length metrics.
/// </summary>
public sealed class QueueTriggers
{
    /// <summary>How long a message taken for an invocation stays hidden from other pollers.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    private readonly FunctionsWorkerHost host;
    private readonly ILogger logger;
    private readonly List<Task> loops = [];

    private QueueTriggers(FunctionsWorkerHost host, ILogger logger)
    {
        this.host = host;
        this.logger = logger;
    }

    /// <summary>Starts a poller per queue-triggered function; stops when <paramref name="ct"/> is cancelled.</summary>
    public static QueueTriggers Start(FunctionsWorkerHost host, IDictionary<string, string> settings, string appDir, ILogger logger, CancellationToken ct)
    {
        var triggers = new QueueTriggers(host, logger);
        var config = QueueHostSettings.Read(appDir);
        foreach (var function in host.Functions.Where(f => f.IsQueue))
        {
            var queueName = ResolveAll(function.QueueName, settings);
            var connection = Setting(settings, function.Connection!) ?? Setting(settings, "AzureWebJobs" + function.Connection);
            if (queueName is null || connection is null)
            {
                logger.LogWarning(
                    "Queue trigger {Function}: {Problem}; it does not run here",
                    function.Name,
                    queueName is null ? $"queue '{function.QueueName}' does not resolve from the settings" : $"no connection string in setting '{function.Connection}' (identity-based connections are not supported by this host)");
                continue;
            }

            var options = new QueueClientOptions { MessageEncoding = config.Encoding };
            var queue = new QueueClient(connection, queueName, options);
            var poison = new QueueClient(connection, queueName + "-poison", options);
            triggers.loops.Add(triggers.PollAsync(function, queue, poison, config, ct));
            logger.LogInformation("Queue trigger {Function}: polling {Queue} (at most {Attempts} attempts, then {Poison})", function.Name, queueName, config.MaxDequeueCount, poison.Name);
        }

        return triggers;
    }

    /// <summary>Completes when every poller has stopped.</summary>
    public Task Stopped => Task.WhenAll(loops);

    private async Task PollAsync(HostedFunction function, QueueClient queue, QueueClient poison, QueueHostSettings config, CancellationToken ct)
    {
        var delay = MinPollingInterval;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: ct);
                QueueMessage[] messages = (await queue.ReceiveMessagesAsync(Math.Clamp(config.BatchSize, 1, 32), Lease, ct)).Value;
                if (messages.Length > 0)
                {
                    delay = MinPollingInterval;
                    await Task.WhenAll(messages.Select(m => ProcessAsync(function, queue, poison, config, m, ct)));
                    continue;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RequestFailedException or IOException or HttpRequestException or AggregateException)
            {
                logger.LogWarning(ex, "Queue trigger {Function}: polling {Queue} failed", function.Name, queue.Name);
            }

            try
            {
                await Task.Delay(delay, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Math.Max(config.MaxPollingInterval.Ticks, MinPollingInterval.Ticks)));
        }
    }

    private async Task ProcessAsync(HostedFunction function, QueueClient queue, QueueClient poison, QueueHostSettings config, QueueMessage message, CancellationToken ct)
    {
        var text = message.Body.ToString();
        var request = host.NewInvocation(function, Guid.NewGuid().ToString());
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = IsJson(text) ? new TypedData { Json = text } : new TypedData { String = text } });
        request.TriggerMetadata["DequeueCount"] = new TypedData { Json = message.DequeueCount.ToString(CultureInfo.InvariantCulture) };
        request.TriggerMetadata["Id"] = new TypedData { String = message.MessageId };
        request.TriggerMetadata["PopReceipt"] = new TypedData { String = message.PopReceipt };
        request.TriggerMetadata["InsertionTime"] = new TypedData { Json = JsonSerializer.Serialize(message.InsertedOn) };
        request.TriggerMetadata["ExpirationTime"] = new TypedData { Json = JsonSerializer.Serialize(message.ExpiresOn) };
        request.TriggerMetadata["NextVisibleTime"] = new TypedData { Json = JsonSerializer.Serialize(message.NextVisibleOn) };

        InvocationResult result;
        try
        {
            result = await host.InvokeCoreAsync(function, request, ct);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            logger.LogError(ex, "Queue trigger {Function}: message {Id} could not be invoked; it stays on the queue", function.Name, message.MessageId);
            return;
        }
        catch (OperationCanceledException)
        {
            return; // stopping: the message comes back when its lease ends
        }

        // Settling the message is done even while stopping, as the host completes an invocation that ended.
        using var settling = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            if (result.Succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, settling.Token);
            }
            else if (message.DequeueCount >= config.MaxDequeueCount)
            {
                await poison.CreateIfNotExistsAsync(cancellationToken: settling.Token);
                await poison.SendMessageAsync(text, settling.Token);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, settling.Token);
                logger.LogWarning("Queue trigger {Function}: message {Id} failed {Count} times; moved to {Poison}", function.Name, message.MessageId, message.DequeueCount, poison.Name);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: config.VisibilityTimeout, cancellationToken: settling.Token);
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or IOException or HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning(ex, "Queue trigger {Function}: message {Id} could not be settled; it comes back when its lease ends", function.Name, message.MessageId);
        }
    }

    private static bool IsJson(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.Length == 0 || (trimmed[0] != '{' && trimmed[0] != '['))
        {
            return false;
        }

        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? Setting(IDictionary<string, string> settings, string name) =>
        settings.TryGetValue(name, out var value) && value.Length > 0 ? value : Environment.GetEnvironmentVariable(name) is { Length: > 0 } env ? env : null;

    /// <summary>Every <c>%Setting%</c> in <paramref name="value"/> replaced, as the Functions host does; null when one is missing.</summary>
    public static string? ResolveAll(string? value, IDictionary<string, string> settings)
    {
        if (value is null)
        {
            return null;
        }

        var parts = value.Split('%');
        if (parts.Length % 2 == 0)
        {
            return null; // an unclosed '%'
        }

        for (var i = 1; i < parts.Length; i += 2)
        {
            if (Setting(settings, parts[i]) is not { } resolved)
            {
                return null;
            }

            parts[i] = resolved;
        }

        return string.Concat(parts);
    }
}
