using System.Globalization;
using DanVan.Domain;

namespace DanVan.Reminders;

/// <summary>
/// One reminder stage: "before-7" is sent 7 Vietnam calendar days before the deadline day, "after-3"
/// 3 days after it. The deadline day is the Vietnam day that contains the period's deadline instant,
/// i.e. the first day a report is late (15/5 for "trước 15/5"). So with deadline 15/5 00:00:
/// before-1 is 14/5 (the last on-time day), before-14 is 1/5, after-1 is 16/5, after-7 is 22/5.
/// </summary>
public sealed record ReminderStage(string Id, int Days, bool Overdue, bool CopiesHeadAndSoNoiVu)
{
    public DateOnly DayFor(DateOnly deadlineDay) => deadlineDay.AddDays(Overdue ? Days : -Days);

    /// <summary>"trước hạn 7 ngày" / "quá hạn 3 ngày".</summary>
    public string Label => Overdue ? $"quá hạn {Days} ngày" : $"trước hạn {Days} ngày";
}

/// <summary>
/// Which reminder stage is due on a Vietnam calendar day: plain rules, no clock, no storage.
/// <list type="bullet">
/// <item>A stage is due from its own day on, until the next stage's day; only the latest due stage
/// counts, so after downtime a missed stage is skipped when a later one is due.</item>
/// <item>A before-stage is never due on or after the deadline day (it would say "0 days left").</item>
/// <item>A stage stays due for at most <see cref="CatchUpDays"/> days (the last one included), so an
/// old, never-finalized period does not collect reminders forever.</item>
/// <item>From the second overdue stage on, the head of unit and Sở Nội vụ are copied.</item>
/// </list>
/// </summary>
public sealed class ReminderPlan
{
    public ReminderPlan(IEnumerable<int> daysBefore, IEnumerable<int> daysAfter, int catchUpDays = 7)
    {
        var before = daysBefore.Distinct().OrderByDescending(d => d).Select(d => new ReminderStage($"before-{d}", d, false, false));
        var after = daysAfter.Distinct().Order().Select((d, i) => new ReminderStage($"after-{d}", d, true, i >= 1));
        Stages = before.Concat(after).ToList();
        CatchUpDays = catchUpDays;
        if (Stages.Any(s => s.Days < 1))
        {
            throw new ArgumentException("Reminder stages are whole days of at least 1.");
        }
    }

    /// <summary>In the order they fire.</summary>
    public IReadOnlyList<ReminderStage> Stages { get; }

    public int CatchUpDays { get; }

    public ReminderStage? Find(string stageId) => Stages.FirstOrDefault(s => s.Id == stageId);

    /// <summary>The stage due on <paramref name="today"/> (a Vietnam date) for a period with this deadline, if any.</summary>
    public ReminderStage? DueStage(DateTimeOffset deadline, DateOnly today)
    {
        var deadlineDay = VietnamTime.DateOf(deadline);
        ReminderStage? due = null;
        foreach (var stage in Stages)
        {
            if (stage.DayFor(deadlineDay) <= today)
            {
                due = stage;
            }
        }

        if (due is null || (!due.Overdue && today >= deadlineDay) || today.DayNumber - due.DayFor(deadlineDay).DayNumber >= CatchUpDays)
        {
            return null;
        }

        return due;
    }

    /// <summary>Days until the deadline day: 1 on the last on-time day.</summary>
    public static int DaysLeft(DateTimeOffset deadline, DateOnly today) => VietnamTime.DateOf(deadline).DayNumber - today.DayNumber;

    /// <summary>Whole days since the deadline day: 1 on the day after the first late day.</summary>
    public static int DaysOverdue(DateTimeOffset deadline, DateOnly today) => today.DayNumber - VietnamTime.DateOf(deadline).DayNumber;

    /// <summary>Parses "14,7,3,1"; null when any item is not a whole number from 1 to 366.</summary>
    public static IReadOnlyList<int>? ParseDays(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var days = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d is < 1 or > 366)
            {
                return null;
            }

            days.Add(d);
        }

        return days;
    }
}
