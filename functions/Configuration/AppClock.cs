using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace DanVan.Configuration;

/// <summary>
/// The one clock DanVan reads (registered as <see cref="TimeProvider"/>): the system clock, or, for
/// training, demonstrations and tests, a clock set to another instant with
/// <c>DanVan__Clock__Now</c> (an ISO 8601 instant with its offset, e.g. <c>2026-05-12T08:00+07:00</c>)
/// and <c>DanVan__Clock__Rate</c> (how fast it moves on from there: 1 = real time, the default;
/// 0 = stands still). A set clock is honoured only when <c>AZURE_FUNCTIONS_ENVIRONMENT</c> is
/// <c>Development</c>; anywhere else the app refuses to start.
/// </summary>
public static class AppClock
{
    public const string NowSetting = "DanVan__Clock__Now";
    public const string RateSetting = "DanVan__Clock__Rate";
    public const string EnvironmentSetting = "AZURE_FUNCTIONS_ENVIRONMENT";

    /// <summary>The clock the settings ask for; throws with a message naming the setting when they are wrong.</summary>
    public static TimeProvider From(IConfiguration configuration)
    {
        var now = configuration["DanVan:Clock:Now"];
        var rate = configuration["DanVan:Clock:Rate"];
        if (string.IsNullOrWhiteSpace(now) && string.IsNullOrWhiteSpace(rate))
        {
            return TimeProvider.System;
        }

        var environment = configuration[EnvironmentSetting];
        if (!string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"{NowSetting}/{RateSetting} set the app's clock, which is allowed only when {EnvironmentSetting} is 'Development' " +
                $"(it is '{environment ?? ""}'). Remove {NowSetting} and {RateSetting} from this app's settings.");
        }

        if (!TryParseInstant(now, out var start))
        {
            throw new InvalidOperationException(
                $"{NowSetting} must be an ISO 8601 instant with its offset, e.g. 2026-05-12T08:00+07:00 or 2026-05-12T01:00:00Z (it is '{now}').");
        }

        var speed = 1.0;
        if (!string.IsNullOrWhiteSpace(rate) &&
            (!double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out speed) || !double.IsFinite(speed) || speed < 0 || speed > 10_000))
        {
            throw new InvalidOperationException($"{RateSetting} must be a number from 0 (the clock stands still) to 10000; 1 is real time (it is '{rate}').");
        }

        return new SetClock(start, speed, TimeProvider.System);
    }

    /// <summary>An ISO 8601 date and time that says its offset (Z or ±hh:mm): never a guess between UTC and Vietnam time.</summary>
    public static bool TryParseInstant(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var t = text.Trim();
        var time = t.IndexOf('T', StringComparison.Ordinal);
        var hasOffset = time > 0 && (t.EndsWith('Z') || t.IndexOf('+', time) > 0 || t.IndexOf('-', time) > 0);
        return hasOffset && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }
}

/// <summary>
/// Reads as <c>start</c> when created and moves on at <c>rate</c> times real time. Timestamps and
/// timers stay the real ones, so timeouts and retry delays behave the same on a set clock.
/// </summary>
public sealed class SetClock : TimeProvider
{
    private readonly DateTimeOffset start;
    private readonly double rate;
    private readonly TimeProvider real;
    private readonly long startedAt;

    public SetClock(DateTimeOffset start, double rate, TimeProvider real)
    {
        this.start = start.ToUniversalTime();
        this.rate = rate;
        this.real = real;
        startedAt = real.GetTimestamp();
    }

    /// <summary>How fast the clock moves on: 1 is real time, 0 stands still.</summary>
    public double Rate => rate;

    public override DateTimeOffset GetUtcNow() =>
        rate == 0 ? start : start + TimeSpan.FromTicks((long)(real.GetElapsedTime(startedAt).Ticks * rate));

    public override TimeZoneInfo LocalTimeZone => real.LocalTimeZone;

    public override long TimestampFrequency => real.TimestampFrequency;

    public override long GetTimestamp() => real.GetTimestamp();
}
