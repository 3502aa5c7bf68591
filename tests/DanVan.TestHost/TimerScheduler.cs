using Microsoft.Extensions.Logging;
using NCrontab;

namespace DanVan.TestHost;

/// <summary>
/// The development host's timers: each timer function runs at the next occurrence of its CRON
/// schedule (six fields with seconds, as in Azure Functions; <c>%Setting%</c> resolved from the app
/// settings), in UTC like a Functions app on Linux, on the app's clock (<see cref="FunctionsWorkerHost.AppClock"/>):
/// with <c>scripts/run-local --at …</c> the reminder timer fires at 08:00 of the app's day, not the machine's.
/// </summary>
internal sealed class TimerScheduler(FunctionsWorkerHost host, IDictionary<string, string> settings, ILogger logger)
{
    public void Start(CancellationToken ct)
    {
        foreach (var function in host.Functions.Where(f => f.IsTimer))
        {
            var schedule = TimerSchedules.TryParse(function, settings);
            if (schedule is null)
            {
                logger.LogWarning("Timer {Function}: schedule {Schedule} is not a CRON expression this host understands; it runs only on demand", function.Name, function.Schedule);
                continue;
            }

            _ = RunAsync(function, schedule, ct);
        }
    }

    private async Task RunAsync(HostedFunction function, CrontabSchedule schedule, CancellationToken ct)
    {
        var clock = host.AppClock;
        var rate = clock is DanVan.Configuration.SetClock set ? set.Rate : 1.0;
        if (rate == 0)
        {
            logger.LogWarning("Timer {Function}: the app's clock stands still (DanVan__Clock__Rate=0); it runs only on demand", function.Name);
            return;
        }

        var last = clock.GetUtcNow().UtcDateTime;
        while (!ct.IsCancellationRequested)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            // Never the occurrence that just ran, even if the delay ended a little early.
            var next = schedule.GetNextOccurrence(now > last ? now : last);
            last = next;
            logger.LogInformation("Timer {Function}: next run {Next:u} (UTC, app clock)", function.Name, next);
            try
            {
                await Task.Delay(next > now ? (next - now) / rate : TimeSpan.Zero, ct);
                await host.InvokeAsync(function.Name, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException)
            {
                logger.LogError(ex, "Timer {Function} could not run", function.Name);
            }
        }
    }
}

/// <summary>Timer schedules as the Functions host reads them: <c>%Setting%</c> references resolved, six-field CRON with seconds.</summary>
public static class TimerSchedules
{
    /// <summary>The function's schedule, with a <c>%Setting%</c> reference resolved; null if not CRON.</summary>
    public static CrontabSchedule? TryParse(HostedFunction function, IDictionary<string, string> settings)
    {
        var expression = Resolve(function.Schedule, settings);
        if (string.IsNullOrWhiteSpace(expression))
        {
            return null;
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
    }

    public static string? Resolve(string? schedule, IDictionary<string, string> settings)
    {
        if (schedule is { Length: > 2 } s && s[0] == '%' && s[^1] == '%')
        {
            var name = s[1..^1];
            return settings.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name);
        }

        return schedule;
    }
}
