using DanVan.Domain;
using DanVan.Figures;

namespace DanVan.Functions;

/// <summary>
/// The answer of <c>GET …/indicators</c>: the set the period's figures are entered against (<see cref="NoIndicators"/>
/// when there is none yet) and the plan's sections.
/// </summary>
public sealed record PeriodIndicatorsView(string PeriodId, object Definitions, IEnumerable<PlanSectionView> Sections)
{
    public static PeriodIndicatorsView From(Period period, IndicatorSet? set) => new(
        period.Id.ToString(),
        NoIndicators.Or(period.Id.Code, set),
        PlanSections.All.Select(s => new PlanSectionView(s.Number, s.Heading)));
}

/// <summary>A report with no indicator set yet: version 0, no indicators.</summary>
public sealed record NoIndicators(string ReportCode, int Version, IReadOnlyList<IndicatorRecord> Indicators)
{
    /// <summary>The report's indicator set as answered, or version 0 with none.</summary>
    public static object Or(string reportCode, IndicatorSet? set) => set is null ? new NoIndicators(reportCode, 0, []) : IndicatorSetRecord.From(set);
}

public sealed record PlanSectionView(int Number, string Heading);

/// <summary>The answer of <c>GET …/figures</c>: totals per indicator (province and by group) and every unit's figures.</summary>
public sealed record FigureTotalsView(string PeriodId, int DefinitionsVersion, IReadOnlyList<string> Groups, IEnumerable<IndicatorTotalView> Indicators, IEnumerable<UnitFiguresView> Units)
{
    public static FigureTotalsView From(Period period, FigureTotals? totals) => new(
        period.Id.ToString(),
        totals?.Set.Version ?? 0,
        totals?.Groups ?? [],
        (totals?.Indicators ?? []).Select(IndicatorTotalView.From),
        (totals?.Units ?? []).Select(UnitFiguresView.From));
}

public sealed record IndicatorTotalView(
    string Code,
    string Label,
    int Section,
    string Unit,
    string Type,
    bool Required,
    string Totaling,
    decimal? Total,
    int Answered,
    IEnumerable<GroupTotalView> ByGroup)
{
    public static IndicatorTotalView From(IndicatorTotal t) => new(
        t.Indicator.Code,
        t.Indicator.Label,
        t.Indicator.Section,
        t.Indicator.Unit,
        t.Indicator.Type.Code(),
        t.Indicator.Required,
        t.Indicator.Totaling.Code(),
        t.Province.Value,
        t.Province.Answered,
        t.ByGroup.Select(g => new GroupTotalView(g.Key, g.Value.Value, g.Value.Answered)));
}

public sealed record GroupTotalView(string Group, decimal? Total, int Answered);

public sealed record UnitFiguresView(
    string UnitCode,
    string UnitName,
    string Group,
    string FiguresStatus,
    string FiguresStatusLabel,
    int? Version,
    DateTimeOffset? ReceivedAt,
    IReadOnlyList<string> MissingRequired,
    IReadOnlyDictionary<string, decimal>? Values)
{
    public static UnitFiguresView From(UnitFigures u) => new(
        u.UnitCode,
        u.UnitName,
        u.Group,
        u.Status,
        FigureStatuses.Label(u.Status),
        u.Entry?.Version,
        u.Entry is { } e ? VietnamTime.ToVietnam(e.ReceivedAt) : null,
        u.MissingRequired,
        u.Entry?.Values);
}
