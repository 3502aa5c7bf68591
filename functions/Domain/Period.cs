using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DanVan.Domain;

/// <summary>"2026-H1": a year and a report code of the plan.</summary>
public readonly record struct PeriodId(int Year, string Code)
{
    public override string ToString() => $"{Year.ToString(CultureInfo.InvariantCulture)}-{Code}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out PeriodId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text) || text.Length > 16)
        {
            return false;
        }

        var dash = text.IndexOf('-');
        if (dash != 4 || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            return false;
        }

        var code = text[(dash + 1)..];
        if (code.Length == 0 || !code.All(char.IsAsciiLetterOrDigit))
        {
            return false;
        }

        id = new PeriodId(year, code);
        return true;
    }
}

/// <summary>
/// One report owed by every required unit: e.g. "Báo cáo 06 tháng năm 2026", due before 15/5/2026.
/// <see cref="Deadline"/> is the first instant that is late.
/// </summary>
public sealed record Period(
    PeriodId Id,
    string Title,
    DateTimeOffset OpensAt,
    DateTimeOffset Deadline,
    DateOnly DataFrom,
    DateOnly DataTo)
{
    /// <summary>The last Vietnam calendar day on which a report is on time.</summary>
    public DateOnly LastOnTimeDay => VietnamTime.DateOf(Deadline.AddTicks(-1));

    public bool IsOnTime(DateTimeOffset receivedAt) => receivedAt < Deadline;

    public bool IsOpenAt(DateTimeOffset instant) => instant >= OpensAt;
}
