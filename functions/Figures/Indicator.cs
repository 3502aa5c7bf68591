using System.Globalization;
using DanVan.Domain;

namespace DanVan.Figures;

/// <summary>What kind of figure an indicator asks for.</summary>
public enum IndicatorType
{
    /// <summary>A whole number, 0 or more ("số nguyên").</summary>
    Integer,

    /// <summary>A number with decimals, 0 or more ("số thập phân").</summary>
    Decimal,

    /// <summary>A percentage from 0 to 100 ("tỷ lệ %").</summary>
    Percent,

    /// <summary>Yes or no ("có/không"), stored as 1 or 0.</summary>
    YesNo,
}

/// <summary>How an indicator adds up over units.</summary>
public enum Totaling
{
    /// <summary>The province's figure is the sum of the units' figures.</summary>
    Sum,

    /// <summary>The province's figure is how many units answered yes.</summary>
    CountYes,

    /// <summary>No province figure (percentages do not add up).</summary>
    None,
}

/// <summary>
/// One figure the plan asks every unit for: a stable code, a Vietnamese label, the plan section (1–9) it
/// belongs to, its unit of measure, its type, whether it is required and how it totals. <see cref="Sentence"/>
/// is how the draft report says the province's total ("{total}" and "{answered}" are filled in); without one
/// the label and total are written plainly.
/// </summary>
public sealed record Indicator(
    string Code,
    string Label,
    int Section,
    string Unit,
    IndicatorType Type,
    bool Required,
    Totaling Totaling,
    string? Sentence)
{
    /// <summary>The largest figure DanVan takes: far beyond any count a province reports, well within decimal.</summary>
    public const decimal MaxValue = 1_000_000_000_000m;
}

/// <summary>
/// The indicators in force for a report code of the plan (H1, Y) from one moment on: a numbered version,
/// never changed once stored. A period is pinned to the version it was first used with.
/// </summary>
public sealed record IndicatorSet(string ReportCode, int Version, DateTimeOffset CreatedAt, string CreatedBy, IReadOnlyList<Indicator> Indicators)
{
    public Indicator? Find(string code) => Indicators.FirstOrDefault(i => string.Equals(i.Code, code, StringComparison.Ordinal));

    /// <summary>The indicators in section order, keeping their order within a section.</summary>
    public IEnumerable<IGrouping<int, Indicator>> BySection() =>
        Indicators.Select((i, n) => (i, n)).OrderBy(x => x.i.Section).ThenBy(x => x.n).Select(x => x.i).GroupBy(i => i.Section);
}

/// <summary>Wire names of the enums (stable, English) and how Vietnamese readers see figures.</summary>
public static class IndicatorText
{
    public static string Code(this IndicatorType type) => type switch
    {
        IndicatorType.Integer => "integer",
        IndicatorType.Decimal => "decimal",
        IndicatorType.Percent => "percent",
        _ => "yesno",
    };

    public static string Code(this Totaling totaling) => totaling switch
    {
        Totaling.Sum => "sum",
        Totaling.CountYes => "count_yes",
        _ => "none",
    };

    public static IndicatorType? ParseType(string? text) => text switch
    {
        "integer" => IndicatorType.Integer,
        "decimal" => IndicatorType.Decimal,
        "percent" => IndicatorType.Percent,
        "yesno" => IndicatorType.YesNo,
        _ => null,
    };

    public static Totaling? ParseTotaling(string? text) => text switch
    {
        "sum" => Totaling.Sum,
        "count_yes" => Totaling.CountYes,
        "none" => Totaling.None,
        _ => null,
    };

    public static string Label(this IndicatorType type) => type switch
    {
        IndicatorType.Integer => "Số nguyên",
        IndicatorType.Decimal => "Số thập phân",
        IndicatorType.Percent => "Tỷ lệ (0–100)",
        _ => "Có/Không",
    };

    /// <summary>9.450 · 12,5 · Có/Không: the way a Vietnamese reader writes figures.</summary>
    public static string Format(decimal value, IndicatorType type) =>
        type == IndicatorType.YesNo ? (value != 0 ? "Có" : "Không") : value.ToString("#,0.##", VietnamTime.Culture);

    public static string Format(decimal value) => value.ToString("#,0.##", VietnamTime.Culture);

    /// <summary>Invariant text for storage ("12.5"), the one way DanVan keeps a figure.</summary>
    public static string Store(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static decimal Load(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
