using DanVan.Domain;

namespace DanVan.Tests.Domain;

public class UnitStatusTests
{
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);
    private static readonly ReportingPlan Plan = ReportingPlan.Default();

    // A merger: the old department ends on 28/02/2025, its successor starts on 01/03/2025.
    private static readonly Unit Old = new("so-cu", "Sở cũ", "Sở, ban, ngành", [], null, new DateOnly(2023, 5, 25), new DateOnly(2025, 2, 28));
    private static readonly Unit Successor = new("so-moi", "Sở mới", "Sở, ban, ngành", [], null, new DateOnly(2025, 3, 1), null);

    private static Period P(string id) => Plan.Find(id, new DateOnly(2026, 1, 1))!;

    [Fact]
    public void Before_the_merger_only_the_old_unit_is_required()
    {
        Assert.True(Old.IsRequiredFor(P("2024-Y")));
        Assert.False(Successor.IsRequiredFor(P("2024-Y")));
    }

    [Fact]
    public void After_the_merger_only_the_successor_is_required()
    {
        Assert.False(Old.IsRequiredFor(P("2025-H1")));
        Assert.True(Successor.IsRequiredFor(P("2025-H1")));
    }

    [Fact]
    public void A_unit_that_ends_on_the_last_on_time_day_is_still_required()
    {
        var endsOn14May = Old with { ActiveTo = new DateOnly(2026, 5, 14) };
        var endsOn13May = Old with { ActiveTo = new DateOnly(2026, 5, 13) };

        Assert.True(endsOn14May.IsRequiredFor(P("2026-H1")));
        Assert.False(endsOn13May.IsRequiredFor(P("2026-H1")));
    }

    [Fact]
    public void Statuses_follow_the_latest_received_instant_against_the_deadline()
    {
        var period = P("2026-H1");

        Assert.Equal(SubmissionStatus.Missing, SubmissionStatuses.Of(Successor, period, null));
        Assert.Equal(SubmissionStatus.OnTime, SubmissionStatuses.Of(Successor, period, new DateTimeOffset(2026, 5, 14, 23, 59, 59, 999, Vn)));
        Assert.Equal(SubmissionStatus.Late, SubmissionStatuses.Of(Successor, period, new DateTimeOffset(2026, 5, 15, 0, 0, 0, Vn)));
        Assert.Equal(SubmissionStatus.NotRequired, SubmissionStatuses.Of(Old, period, new DateTimeOffset(2026, 5, 1, 0, 0, 0, Vn)));
    }

    [Fact]
    public void Status_codes_and_labels_are_stable()
    {
        Assert.Equal(["on_time", "late", "missing", "not_required", "exempt"], Enum.GetValues<SubmissionStatus>().Select(s => s.Code()));
        Assert.Equal(["Đúng hạn", "Muộn", "Chưa nộp", "Không áp dụng", "Miễn nộp kỳ này"], Enum.GetValues<SubmissionStatus>().Select(s => s.Label()));
    }

    [Fact]
    public void Unit_names_sort_in_Vietnamese_order()
    {
        string[] names = ["UBND huyện Yên Lạc", "Sở Y tế", "Đài Phát thanh và Truyền hình tỉnh", "Ban Dân tộc tỉnh", "Sở Xây dựng", "Sở Ngoại vụ"];

        var sorted = names.Order(VietnamTime.NameComparer).ToList();

        Assert.Equal(["Ban Dân tộc tỉnh", "Đài Phát thanh và Truyền hình tỉnh", "Sở Ngoại vụ", "Sở Xây dựng", "Sở Y tế", "UBND huyện Yên Lạc"], sorted);
    }
}
