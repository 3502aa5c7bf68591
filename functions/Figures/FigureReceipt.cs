using DanVan.Domain;

namespace DanVan.Figures;

/// <summary>
/// What a unit gets back for an entry of figures, like a file's receipt: the version, when it arrived against the
/// deadline, the indicator set it was checked against, its figures (yes/no as 1/0), and whether any required
/// figure is still missing (<c>status</c> <c>incomplete</c>: "thiếu số liệu").
/// </summary>
public sealed record FigureReceipt(
    string ReceiptId,
    string PeriodId,
    string UnitCode,
    int Version,
    DateTimeOffset ReceivedAt,
    DateTimeOffset Deadline,
    bool OnTime,
    string Source,
    int DefinitionsVersion,
    string Status,
    string StatusLabel,
    IReadOnlyList<string> MissingRequired,
    IReadOnlyDictionary<string, decimal> Values,
    string? Note)
{
    public static FigureReceipt From(FigureEntry e, Period period, IndicatorSet set)
    {
        var missing = FigureRules.MissingRequired(set, e.Values);
        var status = missing.Count > 0 ? FigureStatuses.Incomplete : FigureStatuses.Complete;
        return new FigureReceipt(
            e.ReceiptId,
            e.PeriodId,
            e.UnitCode,
            e.Version,
            VietnamTime.ToVietnam(e.ReceivedAt),
            VietnamTime.ToVietnam(period.Deadline),
            period.IsOnTime(e.ReceivedAt),
            e.Source,
            e.DefinitionsVersion,
            status,
            FigureStatuses.Label(status),
            missing,
            e.Values,
            e.Note);
    }
}

/// <summary><c>GET …/figures/{unitCode}</c>: every entry, oldest first.</summary>
public sealed record UnitFigureVersions(string PeriodId, string UnitCode, IReadOnlyList<FigureReceipt> Versions);
