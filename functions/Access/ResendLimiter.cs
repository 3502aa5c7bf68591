using System.Collections.Concurrent;

namespace DanVan.Access;

/// <summary>
/// The anonymous resend route's limit per client, per instance: a token bucket per client key (its remote address) of
/// <see cref="Burst"/> requests, refilled one every <see cref="Refill"/>. In memory: an instance that restarts, or a
/// client spread over instances, gets a little more; the per-unit limit (at most one link per unit an hour, in the
/// email ledger) is what bounds the emails. The table of buckets is bounded: beyond <see cref="MaxClients"/> keys,
/// buckets that are full again are dropped, and if none is, the new client is refused until one is.
/// </summary>
public sealed class ResendLimiter(TimeProvider clock)
{
    public const int Burst = 5;

    public static readonly TimeSpan Refill = TimeSpan.FromMinutes(12);

    public const int MaxClients = 10_000;

    private readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);

    private sealed class Bucket(double tokens, DateTimeOffset at)
    {
        public double Tokens = tokens;
        public DateTimeOffset At = at;
    }

    /// <summary>Takes one request of <paramref name="client"/>'s allowance: null when allowed, else how long until it is.</summary>
    public TimeSpan? Take(string client)
    {
        var now = clock.GetUtcNow();
        if (!buckets.ContainsKey(client) && buckets.Count >= MaxClients)
        {
            Prune(now);
            if (buckets.Count >= MaxClients)
            {
                return Refill;
            }
        }

        var bucket = buckets.GetOrAdd(client, _ => new Bucket(Burst, now));
        lock (bucket)
        {
            Top(bucket, now);
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return null;
            }

            return TimeSpan.FromTicks((long)((1 - bucket.Tokens) * Refill.Ticks));
        }
    }

    private static void Top(Bucket bucket, DateTimeOffset now)
    {
        var elapsed = now - bucket.At;
        if (elapsed > TimeSpan.Zero)
        {
            bucket.Tokens = Math.Min(Burst, bucket.Tokens + (elapsed / Refill));
            bucket.At = now;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, bucket) in buckets)
        {
            lock (bucket)
            {
                Top(bucket, now);
                if (bucket.Tokens >= Burst)
                {
                    buckets.TryRemove(key, out _);
                }
            }
        }
    }
}
