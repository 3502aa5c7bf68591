using System.Globalization;

namespace DanVan.Domain;

/// <summary>Sở Nội vụ's verdict on one version of a unit's report.</summary>
public enum ReviewVerdict
{
    /// <summary>"Đã tiếp nhận".</summary>
    Accepted,

    /// <summary>"Trả lại": sent back for corrections, with a reason.</summary>
    Returned,
}

/// <summary>Where the review of a unit's latest version stands.</summary>
public enum ReviewState
{
    /// <summary>"Chờ xem xét": nobody decided on the latest version yet (the state after every upload).</summary>
    Pending,
    Accepted,
    Returned,
}

/// <summary>A verdict on one version: who decided, when, and (for a return, required) why.</summary>
public sealed record Review(int Version, ReviewVerdict Verdict, string? Reason, DateTimeOffset At, string By);

/// <summary>More time for one unit: <see cref="Deadline"/> is the first instant that is late, as a period's deadline is.</summary>
public sealed record Extension(DateTimeOffset Deadline, string Reason, DateTimeOffset At, string By);

/// <summary>"Không phải nộp kỳ này": the unit does not owe this period's report.</summary>
public sealed record Exemption(string Reason, DateTimeOffset At, string By);

/// <summary>
/// Sở Nội vụ's standing decisions about one unit for one period. Plain values; the rules that read them
/// (which deadline applies, what the latest version's review is) live here, not in storage or HTTP.
/// </summary>
public sealed record UnitDecisions(string UnitCode, Review? Review, Extension? Extension, Exemption? Exemption)
{
    public static UnitDecisions None(string unitCode) => new(unitCode, null, null, null);

    public bool IsExempt => Exemption is not null;

    /// <summary>The deadline this unit is judged against: its extension's, or the period's.</summary>
    public DateTimeOffset DeadlineFor(Period period) => Extension?.Deadline ?? period.Deadline;

    /// <summary>
    /// The review of the unit's latest version: a verdict counts only for the version it was made on, so
    /// a new upload after a return (or an acceptance) is pending again. Null when nothing was uploaded.
    /// </summary>
    public ReviewState? ReviewOf(int? latestVersion) =>
        latestVersion is null ? null
        : Review is { } r && r.Version == latestVersion ? (r.Verdict == ReviewVerdict.Accepted ? ReviewState.Accepted : ReviewState.Returned)
        : ReviewState.Pending;
}

/// <summary>The rules of a decision, their wire codes and what a Vietnamese reader sees.</summary>
public static class DecisionRules
{
    /// <summary>A reason is a few paragraphs at most.</summary>
    public const int MaxReasonChars = 4000;

    /// <summary>An extension is measured in days or weeks; a year past the period's deadline is surely a typing error.</summary>
    public static readonly TimeSpan MaxExtension = TimeSpan.FromDays(366);

    /// <summary>The trimmed reason, or null when none was given; one over <see cref="MaxReasonChars"/> is refused.</summary>
    public static string? Reason(string? text, bool required)
    {
        var reason = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        if (reason is null && required)
        {
            throw Refuse("reason", "required", "Cần ghi rõ lý do (tiếng Việt).");
        }

        if (reason is { Length: > MaxReasonChars })
        {
            throw Refuse("reason", "too_long", $"Lý do dài tối đa {MaxReasonChars.ToString("N0", VietnamTime.Culture)} ký tự.");
        }

        if (reason is not null && reason.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            throw Refuse("reason", "invalid", "Lý do có ký tự điều khiển không hợp lệ.");
        }

        return reason;
    }

    /// <summary>An extension moves the deadline later, by at most <see cref="MaxExtension"/>.</summary>
    public static void CheckExtension(Period period, DateTimeOffset deadline)
    {
        if (deadline <= period.Deadline)
        {
            throw Refuse("deadline", "not_later", $"Hạn mới phải muộn hơn hạn của kỳ báo cáo ({VietnamTime.DescribeDeadline(period.Deadline)}).");
        }

        if (deadline > period.Deadline + MaxExtension)
        {
            throw Refuse("deadline", "too_far", "Hạn mới không được quá một năm sau hạn của kỳ báo cáo.");
        }
    }

    public static string Code(this ReviewState state) => state switch
    {
        ReviewState.Accepted => "accepted",
        ReviewState.Returned => "returned",
        _ => "pending",
    };

    public static string Label(this ReviewState state) => state switch
    {
        ReviewState.Accepted => "Đã tiếp nhận",
        ReviewState.Returned => "Trả lại",
        _ => "Chờ xem xét",
    };

    /// <summary>"accepted" / "returned", or null for anything else.</summary>
    public static ReviewVerdict? ParseVerdict(string? code) => code switch
    {
        "accepted" => ReviewVerdict.Accepted,
        "returned" => ReviewVerdict.Returned,
        _ => null,
    };

    /// <summary>
    /// "gia hạn đến hết ngày 29/05/2026" for a new deadline at 00:00 Vietnam time (the day before is the last
    /// on-time day), otherwise "gia hạn đến 17:00 ngày 29/05/2026".
    /// </summary>
    public static string ExtensionText(DateTimeOffset deadline)
    {
        var local = VietnamTime.ToVietnam(deadline);
        return local.TimeOfDay == TimeSpan.Zero
            ? $"gia hạn đến hết ngày {VietnamTime.FormatDate(VietnamTime.DateOf(deadline.AddTicks(-1)))}"
            : $"gia hạn đến {local.ToString("HH:mm", CultureInfo.InvariantCulture)} ngày {VietnamTime.FormatDate(VietnamTime.DateOf(deadline))}";
    }

    private static DomainException Refuse(string field, string code, string detail) =>
        DomainException.Invalid(detail, [new Violation(null, field, code, detail)]);
}
