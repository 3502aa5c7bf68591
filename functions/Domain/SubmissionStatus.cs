namespace DanVan.Domain;

public enum SubmissionStatus
{
    OnTime,
    Late,
    Missing,
    NotRequired,

    /// <summary>Sở Nội vụ exempted the unit from this period ("không phải nộp kỳ này").</summary>
    Exempt,
}

public static class SubmissionStatuses
{
    /// <summary>
    /// The status of a unit for a period, judged on its latest version's received instant.
    /// A unit not required for the period is <see cref="SubmissionStatus.NotRequired"/> whatever it sent.
    /// </summary>
    public static SubmissionStatus Of(Unit unit, Period period, DateTimeOffset? latestReceivedAt) =>
        !unit.IsRequiredFor(period) ? SubmissionStatus.NotRequired
        : latestReceivedAt is null ? SubmissionStatus.Missing
        : period.IsOnTime(latestReceivedAt.Value) ? SubmissionStatus.OnTime
        : SubmissionStatus.Late;

    /// <summary>
    /// The status with Sở Nội vụ's decisions: an exempt unit is <see cref="SubmissionStatus.Exempt"/> (not required,
    /// not missing), and timeliness is judged against the unit's extended deadline when it has one.
    /// </summary>
    public static SubmissionStatus Of(Unit unit, Period period, DateTimeOffset? latestReceivedAt, UnitDecisions? decisions) =>
        decisions is null ? Of(unit, period, latestReceivedAt)
        : !unit.IsRequiredFor(period) ? SubmissionStatus.NotRequired
        : decisions.IsExempt ? SubmissionStatus.Exempt
        : latestReceivedAt is null ? SubmissionStatus.Missing
        : latestReceivedAt.Value < decisions.DeadlineFor(period) ? SubmissionStatus.OnTime
        : SubmissionStatus.Late;

    /// <summary>The stable wire code: on_time, late, missing, not_required.</summary>
    public static string Code(this SubmissionStatus status) => status switch
    {
        SubmissionStatus.OnTime => "on_time",
        SubmissionStatus.Late => "late",
        SubmissionStatus.Missing => "missing",
        SubmissionStatus.Exempt => "exempt",
        _ => "not_required",
    };

    /// <summary>What a Vietnamese reader sees.</summary>
    public static string Label(this SubmissionStatus status) => status switch
    {
        SubmissionStatus.OnTime => "Đúng hạn",
        SubmissionStatus.Late => "Muộn",
        SubmissionStatus.Missing => "Chưa nộp",
        SubmissionStatus.Exempt => "Miễn nộp kỳ này",
        _ => "Không áp dụng",
    };
}
