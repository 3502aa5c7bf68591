using DanVan.Decisions;
using DanVan.Domain;

namespace DanVan.Functions;

/// <summary>A unit's decisions for a period as the decision routes answer them (instants in Vietnam time).</summary>
public sealed record DecisionAnswer(
    string PeriodId,
    string UnitCode,
    string UnitName,
    string? Etag,
    int? LatestVersion,
    DateTimeOffset? LatestReceivedAt,
    string? Review,
    string? ReviewLabel,
    ReviewView? LastReview,
    DateTimeOffset Deadline,
    string DeadlineText,
    ExtensionView? Extension,
    ExemptionView? Exemption,
    IEnumerable<DecisionEventView> History,
    string? Email)
{
    public static DecisionAnswer From(DecisionView view)
    {
        var d = view.Decisions;
        var latest = view.Head?.LatestVersion;
        var review = d.ReviewOf(latest);
        var deadline = d.DeadlineFor(view.Period);
        return new(
            view.Period.Id.ToString(),
            view.Unit.Code,
            view.Unit.Name,
            view.ETag,
            latest,
            view.Head is { } h ? VietnamTime.ToVietnam(h.LatestReceivedAt) : null,
            review?.Code(),
            review?.Label(),
            d.Review is { } r ? new ReviewView(r.Version, r.Verdict == ReviewVerdict.Accepted ? "accepted" : "returned", r.Reason, VietnamTime.ToVietnam(r.At), r.By) : null,
            VietnamTime.ToVietnam(deadline),
            VietnamTime.DescribeDeadline(deadline),
            d.Extension is { } x ? new ExtensionView(VietnamTime.ToVietnam(x.Deadline), DecisionRules.ExtensionText(x.Deadline), x.Reason, VietnamTime.ToVietnam(x.At), x.By) : null,
            d.Exemption is { } e ? new ExemptionView(e.Reason, VietnamTime.ToVietnam(e.At), e.By) : null,
            view.History.Select(h => new DecisionEventView(h.Revision, h.Action, VietnamTime.ToVietnam(h.At), h.Actor, h.Reason, h.Version, h.Deadline is { } hd ? VietnamTime.ToVietnam(hd) : null)),
            view.Email);
    }
}

/// <summary>The standing review: the version, "accepted" or "returned", why, when and by whom.</summary>
public sealed record ReviewView(int Version, string Decision, string? Reason, DateTimeOffset At, string By);

public sealed record ExtensionView(DateTimeOffset Deadline, string Text, string Reason, DateTimeOffset At, string By);

public sealed record ExemptionView(string Reason, DateTimeOffset At, string By);

/// <summary>One change of the unit's decisions, oldest first.</summary>
public sealed record DecisionEventView(int Revision, string Action, DateTimeOffset At, string Actor, string? Reason, int? Version, DateTimeOffset? Deadline);
