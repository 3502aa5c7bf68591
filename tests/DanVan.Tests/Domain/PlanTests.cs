using DanVan.Domain;

namespace DanVan.Tests.Domain;

public class PlanTests
{
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);
    private static readonly ReportingPlan Plan = ReportingPlan.Default();

    [Theory]
    [InlineData(2024)]
    [InlineData(2026)]
    [InlineData(2030)]
    public void The_six_month_report_is_due_before_15_May_Vietnam_time_every_year(int year)
    {
        var period = Plan.Find($"{year}-H1", new DateOnly(year, 1, 1))!;

        Assert.Equal($"Báo cáo 06 tháng năm {year}", period.Title);
        Assert.Equal(new DateTimeOffset(year, 5, 15, 0, 0, 0, Vn), period.Deadline);
        Assert.Equal(new DateTimeOffset(year, 5, 14, 17, 0, 0, TimeSpan.Zero), period.Deadline.ToUniversalTime());
        Assert.Equal(new DateOnly(year - 1, 12, 15), period.DataFrom);
        Assert.Equal(new DateOnly(year, 6, 14), period.DataTo);
        Assert.Equal(new DateTimeOffset(year, 3, 16, 0, 0, 0, Vn), period.OpensAt);
    }

    [Theory]
    [InlineData(2024)]
    [InlineData(2026)]
    public void The_annual_report_is_due_before_15_November_with_a_year_long_data_window(int year)
    {
        var period = Plan.Find($"{year}-Y", new DateOnly(year, 1, 1))!;

        Assert.Equal($"Báo cáo năm năm {year}", period.Title);
        Assert.Equal(new DateTimeOffset(year, 11, 15, 0, 0, 0, Vn), period.Deadline);
        Assert.Equal(new DateOnly(year - 1, 12, 15), period.DataFrom);
        Assert.Equal(new DateOnly(year, 12, 14), period.DataTo);
    }

    [Fact]
    public void Periods_of_a_year_come_in_deadline_order_across_years()
    {
        var ids = Plan.PeriodsThrough(2026).Select(p => p.Id.ToString()).ToList();

        Assert.Equal(["2024-H1", "2024-Y", "2025-H1", "2025-Y", "2026-H1", "2026-Y"], ids);
    }

    [Fact]
    public void Under_the_before_rule_the_last_millisecond_of_14_May_is_on_time_and_midnight_is_late()
    {
        var period = Plan.Find("2026-H1", new DateOnly(2026, 1, 1))!;

        Assert.True(period.IsOnTime(new DateTimeOffset(2026, 5, 14, 23, 59, 59, 999, Vn)));
        Assert.False(period.IsOnTime(new DateTimeOffset(2026, 5, 15, 0, 0, 0, Vn)));
        Assert.Equal(new DateOnly(2026, 5, 14), period.LastOnTimeDay);
    }

    [Fact]
    public void Under_the_on_or_before_rule_the_whole_due_day_is_on_time()
    {
        var plan = new ReportingPlan(DeadlineRule.OnOrBefore, ReportingPlan.Default().Reports, 2024);
        var period = plan.Find("2026-H1", new DateOnly(2026, 1, 1))!;

        Assert.True(period.IsOnTime(new DateTimeOffset(2026, 5, 15, 23, 59, 59, 999, Vn)));
        Assert.False(period.IsOnTime(new DateTimeOffset(2026, 5, 16, 0, 0, 0, Vn)));
        Assert.Equal(new DateOnly(2026, 5, 15), period.LastOnTimeDay);
    }

    [Theory]
    [InlineData("2026-Q1")]
    [InlineData("2023-H1")]
    [InlineData("2028-H1")]
    [InlineData("26-H1")]
    [InlineData("2026H1")]
    [InlineData("2026-")]
    [InlineData("2026-H1/../x")]
    [InlineData("")]
    public void Ids_outside_the_plan_or_its_years_are_unknown(string id)
    {
        Assert.Null(Plan.Find(id, new DateOnly(2026, 11, 27)));
    }

    [Fact]
    public void A_quarterly_plan_is_configuration_not_code()
    {
        var quarterly = new ReportingPlan(
            DeadlineRule.Before,
            [
                new ReportDefinition("Q1", "Báo cáo quý I", new MonthDay(3, 20), 30, new MonthDay(12, 15), new MonthDay(3, 14)),
                new ReportDefinition("Q2", "Báo cáo quý II", new MonthDay(6, 20), 30, new MonthDay(3, 15), new MonthDay(6, 14)),
            ],
            2025);

        var q2 = quarterly.Find("2026-Q2", new DateOnly(2026, 1, 1))!;

        Assert.Equal(new DateTimeOffset(2026, 6, 20, 0, 0, 0, Vn), q2.Deadline);
        Assert.Equal(new DateOnly(2026, 3, 15), q2.DataFrom);
        Assert.Equal("Báo cáo quý II năm 2026", q2.Title);
    }

    [Fact]
    public void The_deadline_reads_as_people_say_it()
    {
        var period = Plan.Find("2026-H1", new DateOnly(2026, 1, 1))!;

        Assert.Equal("trước 00:00 ngày 15/05/2026", VietnamTime.DescribeDeadline(period.Deadline));
    }
}
