using System.Text.Json;
using Azure.Storage.Queues.Models;
using DanVan.Functions;

namespace DanVan.Tests.Support;

/// <summary>What one drain of the email queue did.</summary>
public sealed record DrainResult(int Processed, int Failed, int Poisoned);

/// <summary>
/// The queue trigger's part, in process, as the Functions host's queue listener does it with DanVan's host.json
/// (<see cref="HostQueues"/>): it takes up to <c>batchSize</c> messages, starts an invocation of the queue function's own
/// method (<see cref="EmailFunctions.SendEmail"/>) for each, waits until no more than <c>newBatchThreshold</c> are still
/// running, and takes the next batch; an empty queue is polled again after a back-off (100 ms doubling up to
/// <c>maxPollingInterval</c>). A message whose invocation succeeded is deleted; one that threw is made visible again and,
/// after <c>maxDequeueCount</c> deliveries, moved to the poison queue, as the host does. One difference, for the tests'
/// sake: a failed message is visible again at once, not after host.json's <c>visibilityTimeout</c> (a benchmark's
/// messages never fail, so it is never faster than the host there).
/// </summary>
public static class EmailQueueDrain
{
    public static int MaxDequeueCount => HostQueues.MaxDequeueCount;

    /// <param name="maxParallelism">Null: the host's batchSize and newBatchThreshold. A number n: batches of n, each
    /// finished before the next is taken (1 processes the messages one by one, in queue order).</param>
    /// <param name="whileRunning">A run that is still putting messages on the queue (the host's listener polls while a timer
    /// runs): the drain does not end before it has.</param>
    public static async Task<DrainResult> DrainAsync(TestApp app, int? maxParallelism = null, Task? whileRunning = null, CancellationToken ct = default)
    {
        var (batchSize, threshold) = maxParallelism is { } n ? (Math.Min(n, 32), 0) : (HostQueues.BatchSize, HostQueues.NewBatchThreshold);
        var function = app.Get<EmailFunctions>();
        var queue = app.Store.EmailQueue;
        int processed = 0, failed = 0, poisoned = 0;
        var processing = new List<Task>();
        var backoff = TimeSpan.Zero;

        async Task InvokeAsync(QueueMessage message)
        {
            try
            {
                await function.SendEmail(message.Body.ToString(), ct);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                Interlocked.Increment(ref processed);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
                if (message.DequeueCount >= MaxDequeueCount)
                {
                    await app.Store.EmailPoisonQueue.SendMessageAsync(message.Body.ToString(), ct);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                    Interlocked.Increment(ref poisoned);
                }
                else
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: ct);
                }
            }
        }

        while (true)
        {
            // The host's listener takes messages for 10 minutes (renewing while an invocation runs).
            QueueMessage[] messages = (await queue.ReceiveMessagesAsync(batchSize, TimeSpan.FromMinutes(10), ct)).Value;
            if (messages.Length == 0)
            {
                var running = whileRunning is { IsCompleted: false };
                if (processing.Count == 0 && !running)
                {
                    return new DrainResult(processed, failed, poisoned);
                }

                // Nothing visible: the host polls again after a back-off (100 ms doubling up to maxPollingInterval).
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, HostQueues.MaxPollingInterval.Ticks));
                await Task.Delay(backoff, ct);
                processing.RemoveAll(t => t.IsCompleted);
                continue;
            }

            backoff = TimeSpan.Zero;
            processing.AddRange(messages.Select(InvokeAsync));
            while (processing.Count > threshold)
            {
                var done = await Task.WhenAny(processing);
                await done;
                processing.Remove(done);
            }
        }
    }

    /// <summary>The messages waiting on the app's email queue, read without taking them.</summary>
    public static async Task<IReadOnlyList<PeekedMessage>> PeekAsync(TestApp app) =>
        (await app.Store.EmailQueue.PeekMessagesAsync(32)).Value;
}

/// <summary>The queue trigger's settings in DanVan's own <c>functions/host.json</c> (extensions.queues).</summary>
public static class HostQueues
{
    private static readonly Lazy<JsonElement> Queues = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Azurite.RepositoryRoot, "functions", "host.json")))
            .RootElement.GetProperty("extensions").GetProperty("queues").Clone());

    public static int BatchSize => Queues.Value.GetProperty("batchSize").GetInt32();

    public static int NewBatchThreshold => Queues.Value.GetProperty("newBatchThreshold").GetInt32();

    public static int MaxDequeueCount => Queues.Value.GetProperty("maxDequeueCount").GetInt32();

    public static TimeSpan MaxPollingInterval => TimeSpan.Parse(Queues.Value.GetProperty("maxPollingInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The most invocations one instance runs at once: a batch, plus the threshold still running when the next is taken.</summary>
    public static int MaxInFlight => BatchSize + NewBatchThreshold;
}
