using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;

namespace DanVan.Reading;

/// <summary>A bound was reached while reading a unit's file; <see cref="Reason"/> says which, in Vietnamese.</summary>
public sealed class ReadLimitException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}

/// <summary>
/// What reading one unit's file may still spend: wall-clock time (checked at every count) and the caller's
/// cancellation. The counts themselves are <see cref="Allowance"/>s, one per thing a reader produces
/// (bytes inflated, characters, cells, …), each checked as it grows, never after the fact.
/// </summary>
public sealed class ReadBudget(TimeSpan maxTime, CancellationToken ct)
{
    private readonly long started = Stopwatch.GetTimestamp();

    public TimeSpan MaxTime => maxTime;

    public CancellationToken Token => ct;

    /// <summary>Throws when the read was cancelled or has run past its time.</summary>
    public void CheckTime()
    {
        ct.ThrowIfCancellationRequested();
        if (Stopwatch.GetElapsedTime(started) > maxTime)
        {
            throw new ReadLimitException(TooSlow(maxTime));
        }
    }

    /// <summary>An allowance of <paramref name="max"/> units against this budget's time; <paramref name="reason"/> names the bound.</summary>
    public Allowance Allow(long max, Func<long, string> reason) => new(this, max, reason);

    public static string TooSlow(TimeSpan maxTime) => $"đọc quá {maxTime.TotalSeconds.ToString("0.#", Culture)} giây";

    public static CultureInfo Culture => Domain.VietnamTime.Culture;

    public static string Megabytes(long bytes) => bytes < 1024 * 1024
        ? $"{(bytes / 1024.0).ToString("0.#", Culture)} KB"
        : $"{(bytes / (1024.0 * 1024)).ToString("0.#", Culture)} MB";

    public static string Count(long n) => n.ToString("N0", Culture);
}

/// <summary>One count of a read against its bound; every <see cref="Spend"/> also checks the budget's time.</summary>
public sealed class Allowance(ReadBudget budget, long max, Func<long, string> reason)
{
    public long Spent { get; private set; }

    public long Max => max;

    public void Spend(long amount)
    {
        budget.CheckTime();
        Spent += amount;
        if (Spent > max)
        {
            throw new ReadLimitException(reason(max));
        }
    }
}

/// <summary>
/// Runs a read of a unit's file on a thread of its own and waits for it at most its time budget: a read that
/// goes on (a parser the budget's checks do not reach often enough) is told to stop and left behind, so the
/// request or compilation that asked goes on at once with <c>tooSlow</c>.
/// </summary>
public static class BoundedRun
{
    public static T Run<T>(Func<CancellationToken, T> read, TimeSpan maxTime, Func<T> tooSlow, CancellationToken ct)
    {
        var (thread, outcome, stop) = Start(read, ct);
        var finished = WaitHandle.WaitAny([outcome.Done.WaitHandle, ct.WaitHandle], maxTime) == 0;
        return Finish(finished, outcome, stop, tooSlow, ct, thread);
    }

    public static async Task<T> RunAsync<T>(Func<CancellationToken, T> read, TimeSpan maxTime, Func<T> tooSlow, CancellationToken ct)
    {
        var (thread, outcome, stop) = Start(read, ct);
        var finished = true;
        try
        {
            await outcome.Completion.Task.WaitAsync(maxTime, ct);
        }
        catch (TimeoutException)
        {
            finished = false;
        }
        catch (OperationCanceledException)
        {
            finished = false;
        }

        return Finish(finished, outcome, stop, tooSlow, ct, thread);
    }

    private static (Thread, Outcome<T>, CancellationTokenSource) Start<T>(Func<CancellationToken, T> read, CancellationToken ct)
    {
        // Not disposed: a read left behind may still look at its token.
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var outcome = new Outcome<T>();
        var thread = new Thread(() =>
        {
            try
            {
                outcome.Value = read(stop.Token);
            }
            catch (Exception ex)
            {
                outcome.Error = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                outcome.Done.Set();
                outcome.Completion.TrySetResult();
            }
        })
        { IsBackground = true, Name = "bounded file read" };
        thread.Start();
        return (thread, outcome, stop);
    }

    private static T Finish<T>(bool finished, Outcome<T> outcome, CancellationTokenSource stop, Func<T> tooSlow, CancellationToken ct, Thread thread)
    {
        if (!finished)
        {
            stop.Cancel();
            ct.ThrowIfCancellationRequested();
            return tooSlow();
        }

        thread.Join();
        outcome.Error?.Throw();
        return outcome.Value!;
    }

    private sealed class Outcome<T>
    {
        public readonly ManualResetEventSlim Done = new();
        public readonly TaskCompletionSource Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public T? Value;
        public ExceptionDispatchInfo? Error;
    }
}
