using System.Globalization;
using DanVan.Compilation;
using DanVan.Domain;
using DanVan.Periods;

namespace DanVan.Functions;

/// <summary>
/// One period in <c>GET /api/periods</c>. <see cref="DeadlinePassed"/> is read on the app's clock, so the
/// pages never need the browser's.
/// </summary>
public sealed record PeriodSummary(
    string Id,
    string Title,
    int Year,
    string Code,
    DateTimeOffset OpensAt,
    DateTimeOffset Deadline,
    string DeadlineText,
    string DataFrom,
    string DataTo,
    bool IsOpen,
    bool DeadlinePassed,
    DateTimeOffset? FinalizedAt,
    int Required,
    int Submitted,
    int OnTime,
    int Late,
    int Missing,
    string? MyStatus)
{
    public int Exempt { get; init; }
    public int Extended { get; init; }
    public int Accepted { get; init; }
    public int Returned { get; init; }
    public int AwaitingReview { get; init; }

    /// <summary>A unit's own extended deadline, when Sở Nội vụ gave it one.</summary>
    public DateTimeOffset? MyDeadline { get; init; }
    public string? MyDeadlineText { get; init; }

    /// <summary>The review of the unit's latest version: pending, accepted, returned.</summary>
    public string? MyReview { get; init; }
    public string? MyReturnReason { get; init; }

    /// <summary>A period with its counts; for a unit caller, its own status, deadline and review.</summary>
    public static PeriodSummary Of(PeriodFigures f, DateTimeOffset now)
    {
        var (c, mine) = (f.Counts, f.Mine);
        return From(f.Period, f.FinalizedAt, now, c, mine?.Status) with
        {
            Exempt = c.Exempt,
            Extended = c.Extended,
            Accepted = c.Accepted,
            Returned = c.Returned,
            AwaitingReview = c.AwaitingReview,
            MyDeadline = mine?.ExtendedTo is { } mx ? VietnamTime.ToVietnam(mx) : null,
            MyDeadlineText = mine?.ExtendedTo is { } my ? $"{VietnamTime.DescribeDeadline(my)} ({DecisionRules.ExtensionText(my)})" : null,
            MyReview = mine?.Review?.Code(),
            MyReturnReason = mine?.ReturnReason,
        };
    }

    public static PeriodSummary From(Period p, DateTimeOffset? finalizedAt, DateTimeOffset now, StatusCounts c, SubmissionStatus? myStatus) => new(
        p.Id.ToString(),
        p.Title,
        p.Id.Year,
        p.Id.Code,
        VietnamTime.ToVietnam(p.OpensAt),
        VietnamTime.ToVietnam(p.Deadline),
        VietnamTime.DescribeDeadline(p.Deadline),
        p.DataFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        p.DataTo.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        p.IsOpenAt(now) && finalizedAt is null,
        !p.IsOnTime(now),
        finalizedAt is { } f ? VietnamTime.ToVietnam(f) : null,
        c.Required,
        c.Submitted,
        c.OnTime,
        c.Late,
        c.Missing,
        myStatus?.Code());
}

/// <summary>The answer of <c>GET /api/periods/{periodId}/status</c>: every row the caller may see, and their counts.</summary>
public sealed record PeriodStatusView(string PeriodId, string Title, DateTimeOffset Deadline, IEnumerable<StatusRowView> Rows, StatusCounts Counts)
{
    /// <summary><paramref name="figureStatus"/>: each unit's figures status where the period has indicators.</summary>
    public static PeriodStatusView From(Period period, IReadOnlyList<StatusRow> rows, IReadOnlyDictionary<string, string>? figureStatus, StatusCounts counts) => new(
        period.Id.ToString(),
        period.Title,
        VietnamTime.ToVietnam(period.Deadline),
        rows.Select(r => StatusRowView.From(period, r, figureStatus?.GetValueOrDefault(r.UnitCode))),
        counts);
}

/// <summary>One unit's row of the status table (instants in Vietnam time).</summary>
public sealed record StatusRowView(
    string UnitCode,
    string UnitName,
    string Group,
    string Status,
    int? LatestVersion,
    DateTimeOffset? ReceivedAt,
    int VersionCount,
    string? FiguresStatus,
    string? SignatureVerdict,
    string? SignatureSummary,
    string? Review,
    string? ReviewLabel,
    string? ReturnReason,
    int? ReviewedVersion,
    DateTimeOffset Deadline,
    DateTimeOffset? ExtendedTo,
    string? ExtensionText,
    string? ExtensionReason,
    bool Exempt,
    string? ExemptionReason)
{
    public static StatusRowView From(Period period, StatusRow r, string? figuresStatus) => new(
        r.UnitCode,
        r.UnitName,
        r.Group,
        r.Status.Code(),
        r.LatestVersion,
        r.ReceivedAt is { } at ? VietnamTime.ToVietnam(at) : null,
        r.VersionCount,
        figuresStatus,
        r.Signatures?.Verdict,
        r.Signatures?.Summary,
        r.Review?.Code(),
        r.Review?.Label(),
        r.ReturnReason,
        r.Decisions?.Review?.Version,
        VietnamTime.ToVietnam(r.ExtendedTo ?? period.Deadline),
        r.ExtendedTo is { } x ? VietnamTime.ToVietnam(x) : null,
        r.ExtendedTo is { } t ? DecisionRules.ExtensionText(t) : null,
        r.Decisions?.Extension?.Reason,
        r.Status == SubmissionStatus.Exempt,
        r.Decisions?.Exemption?.Reason);
}
