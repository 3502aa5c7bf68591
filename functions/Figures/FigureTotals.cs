using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DanVan.Domain;
using DanVan.Periods;

namespace DanVan.Figures;

/// <summary>A unit's figures for a period, and where they stand.</summary>
public sealed record UnitFigures(string UnitCode, string UnitName, string Group, bool HasFile, FigureEntry? Entry, IReadOnlyList<string> MissingRequired)
{
    /// <summary><c>complete</c>, <c>incomplete</c> ("thiếu số liệu": a report or figures came, required figures did not) or <c>none</c>.</summary>
    public string Status => Entry is null && !HasFile ? FigureStatuses.None
        : MissingRequired.Count > 0 ? FigureStatuses.Incomplete
        : FigureStatuses.Complete;

    public decimal? Value(string code) => Entry is not null && Entry.Values.TryGetValue(code, out var v) ? v : null;
}

public static class FigureStatuses
{
    public const string Complete = "complete";
    public const string Incomplete = "incomplete";
    public const string None = "none";

    public static string Label(string status) => status switch
    {
        Complete => "Đủ số liệu",
        Incomplete => "Thiếu số liệu",
        _ => "Chưa nhập số liệu",
    };
}

/// <summary>An indicator's total over some units: null when it does not total (percentages); how many answered.</summary>
public sealed record Total(decimal? Value, int Answered);

/// <summary>One indicator's province total and its total in each unit group.</summary>
public sealed record IndicatorTotal(Indicator Indicator, Total Province, IReadOnlyDictionary<string, Total> ByGroup);

/// <summary>
/// The figures of a period: every required unit's latest entry, and per indicator the province's total and the
/// total by unit group (Unit.Group). Plain values: the dashboard, TongHop.xlsx and the draft report read this.
/// </summary>
public sealed record FigureTotals(Period Period, IndicatorSet Set, IReadOnlyList<string> Groups, IReadOnlyList<UnitFigures> Units, IReadOnlyList<IndicatorTotal> Indicators)
{
    /// <summary>What the figures were made from (set version and each unit's entry), for the compilation's fingerprint.</summary>
    public string Fingerprint =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{Set.ReportCode}:{Set.Version.ToString(CultureInfo.InvariantCulture)}|" +
            string.Join('|', Units.OrderBy(u => u.UnitCode, StringComparer.Ordinal).Select(u => $"{u.UnitCode}:{u.Entry?.ReceiptId}")))));

    public IndicatorTotal? this[string code] => Indicators.FirstOrDefault(t => t.Indicator.Code == code);

    /// <summary>Units that owe the period (not "not required"), in the status report's order.</summary>
    public static FigureTotals Build(StatusReport report, IndicatorSet set, IReadOnlyDictionary<string, FigureEntry> entries)
    {
        var units = report.Rows
            .Where(r => r.Status != SubmissionStatus.NotRequired)
            .Select(r =>
            {
                var entry = entries.GetValueOrDefault(r.UnitCode);
                var missing = FigureRules.MissingRequired(set, entry?.Values ?? new Dictionary<string, decimal>());
                return new UnitFigures(r.UnitCode, r.UnitName, r.Group, r.LatestVersion is not null, entry, missing);
            })
            .ToList();
        var groups = units.Select(u => u.Group).Distinct(StringComparer.Ordinal).OrderBy(g => g, VietnamTime.NameComparer).ToList();
        var totals = set.Indicators.Select(i => new IndicatorTotal(
            i,
            TotalOf(i, units),
            groups.ToDictionary(g => g, g => TotalOf(i, units.Where(u => u.Group == g)), StringComparer.Ordinal))).ToList();
        return new FigureTotals(report.Period, set, groups, units, totals);
    }

    private static Total TotalOf(Indicator indicator, IEnumerable<UnitFigures> units)
    {
        var values = units.Select(u => u.Value(indicator.Code)).Where(v => v is not null).Select(v => v!.Value).ToList();
        decimal? total = indicator.Totaling switch
        {
            Totaling.Sum => values.Sum(),
            Totaling.CountYes => values.Count(v => v != 0),
            _ => null,
        };
        return new Total(total, values.Count);
    }

    /// <summary>
    /// How the draft report says an indicator's province total: the indicator's own sentence with {total},
    /// {answered} and any other indicator's {CODE} filled in, or "Label: 9.450 lượt người."; null when it does not total.
    /// </summary>
    public string? Sentence(IndicatorTotal total)
    {
        if (total.Province.Value is not { } value)
        {
            return null;
        }

        var i = total.Indicator;
        var number = IndicatorText.Format(value);
        var answered = total.Province.Answered.ToString(CultureInfo.InvariantCulture);
        var sentence = i.Sentence is { } s
            ? IndicatorRules.Placeholder().Replace(
                s.Replace("{total}", number, StringComparison.Ordinal).Replace("{answered}", answered, StringComparison.Ordinal),
                m => this[m.Groups[1].Value]?.Province.Value is { } other ? IndicatorText.Format(other) : "…")
            : i.Totaling == Totaling.CountYes
                ? $"{i.Label}: {number}/{answered} cơ quan, đơn vị trả lời có"
                : $"{i.Label}: {number}{(i.Unit.Length > 0 ? " " + i.Unit : "")}";
        return sentence.TrimEnd().EndsWith('.') ? sentence.TrimEnd() : sentence.TrimEnd() + ".";
    }

    /// <summary>Indicators another indicator's sentence already says ({CODE}): not written on their own.</summary>
    public IReadOnlySet<string> Referenced =>
        Set.Indicators.Where(i => i.Sentence is not null)
            .SelectMany(i => IndicatorRules.Placeholder().Matches(i.Sentence!).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
}
