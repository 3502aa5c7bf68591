namespace DanVan.Domain;

public enum SubmissionStatus
{
    OnTime,
    Late,
    Missing,
    NotRequired,
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

    /// <summary>The stable wire code: on_time, late, missing, not_required.</summary>
    public static string Code(this SubmissionStatus status) => status switch
    {
        SubmissionStatus.OnTime => "on_time",
        SubmissionStatus.Late => "late",
        SubmissionStatus.Missing => "missing",
        _ => "not_required",
    };

    /// <summary>What a Vietnamese reader sees.</summary>
    public static string Label(this SubmissionStatus status) => status switch
    {
        SubmissionStatus.OnTime => "Đúng hạn",
        SubmissionStatus.Late => "Muộn",
        SubmissionStatus.Missing => "Chưa nộp",
        _ => "Không áp dụng",
    };
}
