namespace DanVan.Domain;

/// <summary>When a report received near the deadline still counts as on time.</summary>
public enum DeadlineRule
{
    /// <summary>"trước 15/5": must arrive before 00:00 on the due day.</summary>
    Before,

    /// <summary>"chậm nhất 15/5": may arrive any time on the due day.</summary>
    OnOrBefore,
}

/// <summary>A day of the year, without a year (the plan repeats yearly).</summary>
public readonly record struct MonthDay(int Month, int Day)
{
    public DateOnly In(int year) => new(year, Month, Math.Min(Day, DateTime.DaysInMonth(year, Month)));

    public bool IsValid => Month is >= 1 and <= 12 && Day >= 1 && Day <= DateTime.DaysInMonth(2024, Month);

    public int CompareTo(MonthDay other) => (Month, Day).CompareTo((other.Month, other.Day));

    public override string ToString() => $"{Day:00}/{Month:00}";
}

/// <summary>
/// One report the plan asks for every year, e.g. the 6-month report due before 15/5.
/// The data window (Decree 09/2019/NĐ-CP) is kept beside it as information: it ends in the report's
/// year and starts in the previous year when its start day falls after its end day.
/// </summary>
public sealed record ReportDefinition(
    string Code,
    string Title,
    MonthDay Due,
    int OpensDaysBefore,
    MonthDay DataFrom,
    MonthDay DataTo);

/// <summary>
/// The reporting plan: which reports are owed each year and how their deadlines are read.
/// Periods are derived from it, never stored: only a period's finalization is state.
/// </summary>
public sealed class ReportingPlan
{
    public ReportingPlan(DeadlineRule rule, IReadOnlyList<ReportDefinition> reports, int firstYear)
    {
        if (reports.Count == 0)
        {
            throw new ArgumentException("A plan needs at least one report.", nameof(reports));
        }

        Rule = rule;
        Reports = reports;
        FirstYear = firstYear;
    }

    public DeadlineRule Rule { get; }

    public IReadOnlyList<ReportDefinition> Reports { get; }

    /// <summary>The first year DanVan tracks; earlier period ids are unknown.</summary>
    public int FirstYear { get; }

    /// <summary>Kế hoạch 158/KH-UBND: 6-month report before 15/5, annual report before 15/11.</summary>
    public static ReportingPlan Default(int firstYear = 2024) => new(
        DeadlineRule.Before,
        [
            new ReportDefinition("H1", "Báo cáo 06 tháng", new MonthDay(5, 15), 60, new MonthDay(12, 15), new MonthDay(6, 14)),
            new ReportDefinition("Y", "Báo cáo năm", new MonthDay(11, 15), 60, new MonthDay(12, 15), new MonthDay(12, 14)),
        ],
        firstYear);

    public Period PeriodOf(int year, ReportDefinition report)
    {
        var dueDate = report.Due.In(year);
        var deadline = VietnamTime.StartOfDay(Rule == DeadlineRule.Before ? dueDate : dueDate.AddDays(1));
        var dataTo = report.DataTo.In(year);
        var dataFrom = report.DataFrom.In(report.DataFrom.CompareTo(report.DataTo) > 0 ? year - 1 : year);
        return new Period(
            new PeriodId(year, report.Code),
            TitleOf(report, year),
            VietnamTime.StartOfDay(dueDate.AddDays(-report.OpensDaysBefore)),
            deadline,
            dataFrom,
            dataTo);
    }

    /// <summary>"Báo cáo 06 tháng năm 2026"; a title that already ends in "năm" gets only the year: "Báo cáo năm 2026".</summary>
    public static string TitleOf(ReportDefinition report, int year) =>
        report.Title.TrimEnd().EndsWith(" năm", StringComparison.Ordinal) || report.Title.Trim() == "năm"
            ? $"{report.Title.TrimEnd()} {year}"
            : $"{report.Title.TrimEnd()} năm {year}";

    /// <summary>Every period from <see cref="FirstYear"/> through <paramref name="lastYear"/>, by deadline.</summary>
    public IReadOnlyList<Period> PeriodsThrough(int lastYear) =>
        Enumerable.Range(FirstYear, Math.Max(0, lastYear - FirstYear + 1))
            .SelectMany(year => Reports.Select(report => PeriodOf(year, report)))
            .OrderBy(p => p.Deadline)
            .ToList();

    /// <summary>
    /// The period an id names, if the plan has that report and the year is tracked
    /// (from <see cref="FirstYear"/> to the year after <paramref name="today"/>).
    /// </summary>
    public Period? Find(string? periodId, DateOnly today)
    {
        if (!PeriodId.TryParse(periodId, out var id) || id.Year < FirstYear || id.Year > today.Year + 1)
        {
            return null;
        }

        var report = Reports.FirstOrDefault(r => string.Equals(r.Code, id.Code, StringComparison.Ordinal));
        return report is null ? null : PeriodOf(id.Year, report);
    }

    /// <summary>The period an id names on <paramref name="clock"/>'s Vietnam day, or the domain's <c>unknown_period</c> refusal.</summary>
    public Period Get(string periodId, TimeProvider clock) =>
        Find(periodId, VietnamTime.Today(clock)) ?? throw DomainException.UnknownPeriod(periodId);
}
