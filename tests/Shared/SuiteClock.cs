using System.Globalization;

namespace DanVan.Tests.Support;

/// <summary>
/// The instant the end-to-end and browser suites pin the app's clock to (<c>DanVan__Clock__Now</c>, standing
/// still): <c>DANVAN_TEST_AT</c> when set (<c>scripts/test --at …</c>), otherwise <see cref="Default"/>. Tests
/// compute what they expect from this instant and never read the machine's calendar.
/// </summary>
public static class SuiteClock
{
    public const string Variable = "DANVAN_TEST_AT";

    /// <summary>23:59:59.999 on 14/5/2026 in Vietnam: one millisecond before the 6-month report is late.</summary>
    public static readonly DateTimeOffset Default = new(2026, 5, 14, 16, 59, 59, 999, TimeSpan.Zero);

    public static readonly TimeSpan VietnamOffset = TimeSpan.FromHours(7);

    public static DateTimeOffset Now { get; } = Read();

    /// <summary>The Vietnam calendar day of <see cref="Now"/>.</summary>
    public static DateOnly Today => DateOnly.FromDateTime(Now.ToOffset(VietnamOffset).DateTime);

    /// <summary>The value of <c>DanVan__Clock__Now</c>: round-trip ISO 8601 in UTC.</summary>
    public static string Setting => Now.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Read()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        if (!DanVan.Configuration.AppClock.TryParseInstant(text, out var instant))
        {
            throw new InvalidOperationException($"{Variable} must be an ISO 8601 instant with its offset, e.g. 2026-05-14T16:59:59.999Z (it is '{text}').");
        }

        return instant;
    }
}

/// <summary>A period of the sample plan, as a person reads it from local.settings.sample.json.</summary>
public sealed record PlanPeriod(string Id, DateTimeOffset OpensAt, DateTimeOffset Deadline)
{
    public bool IsOpenAt(DateTimeOffset at) => at >= OpensAt;

    public bool IsOnTimeAt(DateTimeOffset at) => at < Deadline;

    /// <summary>The Vietnam day that contains the deadline: the first late day (15/5 for "trước 15/5").</summary>
    public DateOnly DeadlineDay => DateOnly.FromDateTime(Deadline.ToOffset(SuiteClock.VietnamOffset).DateTime);
}

/// <summary>
/// The sample plan worked out by hand, independently of DanVan's code: the 6-month report due before
/// 15/5 and the annual report before 15/11 (Vietnam time), each open for uploads from 60 days before
/// its due day; the suites track periods from two years before the instant they run at.
/// </summary>
public static class SamplePlan
{
    /// <summary>The first tracked year when the suites run at <paramref name="at"/> (<c>DanVan__Plan__FirstYear</c>).</summary>
    public static int FirstYear(DateTimeOffset at) => at.ToOffset(SuiteClock.VietnamOffset).Year - 2;

    public static PlanPeriod Of(int year, string code)
    {
        var due = code switch
        {
            "H1" => new DateTimeOffset(year, 5, 15, 0, 0, 0, SuiteClock.VietnamOffset),
            "Y" => new DateTimeOffset(year, 11, 15, 0, 0, 0, SuiteClock.VietnamOffset),
            _ => throw new ArgumentOutOfRangeException(nameof(code), code, "The sample plan has H1 and Y."),
        };
        return new PlanPeriod($"{year}-{code}", due.AddDays(-60), due);
    }

    /// <summary>The periods <c>GET /api/periods</c> lists at <paramref name="at"/>, by deadline: every year so far, and next year's once open.</summary>
    public static IReadOnlyList<PlanPeriod> Listed(DateTimeOffset at)
    {
        var year = at.ToOffset(SuiteClock.VietnamOffset).Year;
        return Enumerable.Range(FirstYear(at), year - FirstYear(at) + 2)
            .SelectMany(y => new[] { Of(y, "H1"), Of(y, "Y") })
            .Where(p => int.Parse(p.Id[..4], CultureInfo.InvariantCulture) <= year || p.IsOpenAt(at))
            .ToList();
    }

    /// <summary>The period a unit reports for at <paramref name="at"/>: the open one whose deadline is nearest ahead, else the one whose deadline passed last.</summary>
    public static PlanPeriod Current(DateTimeOffset at)
    {
        var open = Listed(at).Where(p => p.IsOpenAt(at)).ToList();
        return open.Where(p => p.IsOnTimeAt(at)).OrderBy(p => p.Deadline).FirstOrDefault()
            ?? open.OrderByDescending(p => p.Deadline).First();
    }

    /// <summary>Periods whose deadline day is before <paramref name="at"/>'s Vietnam day, newest first: overdue by at least one whole day.</summary>
    public static IReadOnlyList<PlanPeriod> Overdue(DateTimeOffset at)
    {
        var today = DateOnly.FromDateTime(at.ToOffset(SuiteClock.VietnamOffset).DateTime);
        return Listed(at).Where(p => p.DeadlineDay < today).OrderByDescending(p => p.Deadline).ToList();
    }

    /// <summary>Whole Vietnam days since the deadline day (1 on the day after the first late day).</summary>
    public static int DaysOverdue(PlanPeriod period, DateTimeOffset at) =>
        DateOnly.FromDateTime(at.ToOffset(SuiteClock.VietnamOffset).DateTime).DayNumber - period.DeadlineDay.DayNumber;
}
