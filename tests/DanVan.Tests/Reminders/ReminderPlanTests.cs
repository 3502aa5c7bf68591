using DanVan.Domain;
using DanVan.Reminders;
using Microsoft.Extensions.Options;

namespace DanVan.Tests.Reminders;

/// <summary>The stage rules alone: deadline 15/5/2026 00:00 Vietnam time ("trước 15/5").</summary>
public sealed class ReminderPlanTests
{
    private static readonly DateTimeOffset Deadline = VietnamTime.StartOfDay(new DateOnly(2026, 5, 15));

    private static readonly ReminderPlan Plan = new ReminderOptions().ToPlan();

    [Theory]
    [InlineData("before-14", 2026, 5, 1)]
    [InlineData("before-7", 2026, 5, 8)]
    [InlineData("before-3", 2026, 5, 12)]
    [InlineData("before-1", 2026, 5, 14)]
    [InlineData("after-1", 2026, 5, 16)]
    [InlineData("after-3", 2026, 5, 18)]
    [InlineData("after-7", 2026, 5, 22)]
    public void Each_stage_falls_on_its_Vietnam_day_counted_from_the_deadline_day(string stage, int year, int month, int day)
    {
        var date = new DateOnly(year, month, day);
        Assert.Equal(date, Plan.Find(stage)!.DayFor(VietnamTime.DateOf(Deadline)));
        Assert.Equal(stage, Plan.DueStage(Deadline, date)?.Id);
        Assert.NotEqual(stage, Plan.DueStage(Deadline, date.AddDays(-1))?.Id);
    }

    [Theory]
    [InlineData(4, 30, null)]
    [InlineData(5, 2, "before-14")]
    [InlineData(5, 13, "before-3")]
    [InlineData(5, 15, null)]
    [InlineData(5, 17, "after-1")]
    [InlineData(5, 21, "after-3")]
    [InlineData(5, 28, "after-7")]
    [InlineData(5, 29, null)]
    [InlineData(9, 1, null)]
    public void After_downtime_only_the_latest_due_stage_is_due_and_never_a_before_stage_once_the_deadline_day_came(int month, int day, string? expected)
    {
        Assert.Equal(expected, Plan.DueStage(Deadline, new DateOnly(2026, month, day))?.Id);
    }

    [Fact]
    public void Days_left_is_one_on_the_last_on_time_day_and_days_overdue_is_one_on_the_day_after_the_first_late_day()
    {
        Assert.Equal(1, ReminderPlan.DaysLeft(Deadline, new DateOnly(2026, 5, 14)));
        Assert.Equal(14, ReminderPlan.DaysLeft(Deadline, new DateOnly(2026, 5, 1)));
        Assert.Equal(1, ReminderPlan.DaysOverdue(Deadline, new DateOnly(2026, 5, 16)));
        Assert.Equal(7, ReminderPlan.DaysOverdue(Deadline, new DateOnly(2026, 5, 22)));
    }

    [Fact]
    public void Copies_go_to_the_head_and_So_Noi_vu_from_the_second_overdue_stage_on()
    {
        Assert.Equal(
            ["before-14", "before-7", "before-3", "before-1", "after-1", "after-3", "after-7"],
            Plan.Stages.Select(s => s.Id));
        Assert.Equal(["after-3", "after-7"], Plan.Stages.Where(s => s.CopiesHeadAndSoNoiVu).Select(s => s.Id));
    }

    [Fact]
    public void With_the_on_or_before_rule_before_1_is_the_due_day_itself()
    {
        var plan = new ReportingPlan(DeadlineRule.OnOrBefore, ReportingPlan.Default().Reports, 2024);
        var period = plan.PeriodOf(2026, plan.Reports[0]);
        Assert.Equal("before-1", Plan.DueStage(period.Deadline, new DateOnly(2026, 5, 15))?.Id);
        Assert.Equal("after-1", Plan.DueStage(period.Deadline, new DateOnly(2026, 5, 17))?.Id);
        Assert.Null(Plan.DueStage(period.Deadline, new DateOnly(2026, 5, 16)));
    }

    [Theory]
    [InlineData("14,7,3,1", new[] { 14, 7, 3, 1 })]
    [InlineData(" 30 , 10 ", new[] { 30, 10 })]
    [InlineData("", new int[0])]
    public void Configured_days_parse_from_comma_separated_text(string text, int[] expected)
    {
        Assert.Equal(expected, ReminderPlan.ParseDays(text));
    }

    [Theory]
    [InlineData("14,x")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("7;3")]
    [InlineData("400")]
    public void Malformed_stage_settings_are_refused_with_the_setting_name(string daysBefore)
    {
        var result = new ReminderOptionsValidatorAccess().Validate(new ReminderOptions { DaysBefore = daysBefore });
        Assert.True(result.Failed);
        Assert.Contains("DanVan__Reminders__DaysBefore", result.FailureMessage);
    }

    private sealed class ReminderOptionsValidatorAccess
    {
        public ValidateOptionsResult Validate(ReminderOptions options) =>
            new ReminderOptionsValidator().Validate(null, options);
    }
}
