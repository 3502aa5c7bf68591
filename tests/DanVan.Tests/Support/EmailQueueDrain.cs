using Azure.Storage.Queues.Models;
using DanVan.Functions;

namespace DanVan.Tests.Support;

/// <summary>What one drain of the email queue did.</summary>
public sealed record DrainResult(int Processed, int Failed, int Poisoned);

/// <summary>
/// The queue trigger's part, in process: takes every message on the app's email queue and calls the queue
/// function's own method (<see cref="EmailFunctions.SendEmail"/>) with its text, as the Functions host would.
/// A message whose invocation succeeded is deleted; one that threw is made visible again and retried, and after
/// <see cref="MaxDequeueCount"/> deliveries (host.json's) moved to the poison queue, as the host does.
/// </summary>
public static class EmailQueueDrain
{
    public const int MaxDequeueCount = 5;

    /// <param name="maxParallelism">Messages processed at once; 1 processes them in queue order.</param>
    public static async Task<DrainResult> DrainAsync(TestApp app, int maxParallelism = 16, CancellationToken ct = default)
    {
        var function = app.Get<EmailFunctions>();
        var queue = app.Store.EmailQueue;
        int processed = 0, failed = 0, poisoned = 0;
        while (true)
        {
            QueueMessage[] messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), ct)).Value;
            if (messages.Length == 0)
            {
                return new DrainResult(processed, failed, poisoned);
            }

            await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism, CancellationToken = ct }, async (message, token) =>
            {
                try
                {
                    await function.SendEmail(message.Body.ToString(), token);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token);
                    Interlocked.Increment(ref processed);
                }
                catch (Exception) when (!token.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    if (message.DequeueCount >= MaxDequeueCount)
                    {
                        await app.Store.EmailPoisonQueue.SendMessageAsync(message.Body.ToString(), token);
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token);
                        Interlocked.Increment(ref poisoned);
                    }
                    else
                    {
                        await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: token);
                    }
                }
            });
        }
    }

    /// <summary>The messages waiting on the app's email queue, read without taking them.</summary>
    public static async Task<IReadOnlyList<PeekedMessage>> PeekAsync(TestApp app) =>
        (await app.Store.EmailQueue.PeekMessagesAsync(32)).Value;
}
