using System.Diagnostics;

namespace DanVan.Benchmarks;

/// <summary>Timings of one side of a scenario: several runs after a warm-up, median and spread.</summary>
public sealed record Sample(IReadOnlyList<double> Milliseconds)
{
    public double Median => Percentile(0.5);
    public double Min => Milliseconds.Min();
    public double Max => Milliseconds.Max();

    private double Percentile(double p)
    {
        var sorted = Milliseconds.Order().ToList();
        var index = (sorted.Count - 1) * p;
        var lo = (int)Math.Floor(index);
        var hi = (int)Math.Ceiling(index);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (index - lo));
    }

    public override string ToString() => $"{Median:F0} ms ({Min:F0}–{Max:F0})";
}

public static class Measure
{
    /// <summary>
    /// Runs <paramref name="warmups"/> untimed, then <paramref name="runs"/> timed of each side, alternating in ABBA order
    /// (DanVan first in even rounds, the baseline first in odd ones), so what one run leaves behind (a collection, the
    /// storage emulator's own work) falls on both sides alike. <paramref name="settle"/> is DanVan's work that goes on
    /// after its answer (a credential's last-use write): it is awaited after each DanVan run, untimed, so it never lands
    /// in the baseline's time.
    /// </summary>
    public static async Task<(Sample DanVan, Sample Baseline)> PairAsync(Func<int, Task> danVan, Func<int, Task> baseline, int runs = 7, int warmups = 1, Func<Task>? settle = null)
    {
        settle ??= () => Task.CompletedTask;
        for (var i = 0; i < warmups; i++)
        {
            await danVan(-1 - i);
            await settle();
            await baseline(-1 - i);
        }

        var a = new List<double>();
        var b = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            if (i % 2 == 0)
            {
                a.Add(await TimeAsync(() => danVan(i)));
                await settle();
                b.Add(await TimeAsync(() => baseline(i)));
            }
            else
            {
                b.Add(await TimeAsync(() => baseline(i)));
                a.Add(await TimeAsync(() => danVan(i)));
                await settle();
            }
        }

        return (new Sample(a), new Sample(b));
    }

    public static async Task<Sample> SingleAsync(Func<int, Task> run, int runs = 5, int warmups = 1)
    {
        for (var i = 0; i < warmups; i++)
        {
            await run(-1 - i);
        }

        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            times.Add(await TimeAsync(() => run(i)));
        }

        return new Sample(times);
    }

    public static async Task<double> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalMilliseconds;
    }
}

/// <summary>
/// Samples the process's memory while an action runs: managed heap (GC.GetTotalMemory) and working set,
/// every 5 ms on a background thread, and reports the peak increase over the level before the action.
/// </summary>
public sealed class MemoryProbe : IDisposable
{
    private readonly long baselineManaged;
    private readonly long baselineWorkingSet;
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private long peakManaged;
    private long peakWorkingSet;

    private MemoryProbe()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        baselineManaged = GC.GetTotalMemory(false);
        using var self = Process.GetCurrentProcess();
        baselineWorkingSet = self.WorkingSet64;
        peakManaged = baselineManaged;
        peakWorkingSet = baselineWorkingSet;
        thread = new Thread(Loop) { IsBackground = true };
        thread.Start();
    }

    public static MemoryProbe Start() => new();

    public double PeakManagedMb => (Interlocked.Read(ref peakManaged) - baselineManaged) / 1048576.0;

    public double PeakWorkingSetMb => (Interlocked.Read(ref peakWorkingSet) - baselineWorkingSet) / 1048576.0;

    private void Loop()
    {
        using var self = Process.GetCurrentProcess();
        while (!stop.IsCancellationRequested)
        {
            var managed = GC.GetTotalMemory(false);
            self.Refresh();
            var ws = self.WorkingSet64;
            if (managed > peakManaged)
            {
                Interlocked.Exchange(ref peakManaged, managed);
            }

            if (ws > peakWorkingSet)
            {
                Interlocked.Exchange(ref peakWorkingSet, ws);
            }

            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        thread.Join();
        stop.Dispose();
    }
}
