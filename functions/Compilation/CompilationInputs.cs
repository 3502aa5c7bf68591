using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DanVan.Domain;
using DanVan.Figures;
using DanVan.Periods;
using DanVan.Submissions;

namespace DanVan.Compilation;

/// <summary>One required unit in the bundle: its row number, its status and, if it submitted, its latest version.</summary>
public sealed record BundleUnit(int Number, StatusRow Row, SubmissionVersion? Latest);

/// <summary>
/// Everything a bundle is made from. Nothing here comes from the clock, so the same inputs always
/// give the same bytes; <see cref="Fingerprint"/> is the hash of all of it.
/// </summary>
public sealed record CompilationInputs(Period Period, StatusCounts Counts, IReadOnlyList<BundleUnit> Units, string ProvinceName, FigureTotals? Figures = null, Outline.ReportOutline? Outline = null)
{
    /// <summary>Bumped whenever the bundle's layout changes, so the timer rebuilds old bundles.</summary>
    public const string LayoutVersion = "danvan-bundle-3";

    public string Fingerprint { get; } = ComputeFingerprint(Period, Units, ProvinceName) + (Figures is null ? "" : "+" + Figures.Fingerprint)
        + (Outline is null ? "" : $"+outline-{Outline.ReportCode}-v{Outline.Version}");

    /// <summary>The outline the draft follows: the period's, or the built-in sample.</summary>
    public Outline.ReportOutline DraftOutline => Outline ?? DanVan.Outline.OutlineService.Sample(Period.Id.Code);

    /// <summary>
    /// The instant the figures are "as of": the latest report received, or the deadline when none arrived
    /// later. Shown instead of the compile time, which would make equal inputs give different bytes.
    /// </summary>
    public DateTimeOffset AsOf =>
        Units.Select(u => u.Latest?.ReceivedAt).Where(r => r is not null).Select(r => r!.Value).Append(Period.Deadline).Max();

    /// <summary>
    /// Whether the period holds anything a bundle reports: a unit's file, a figures entry or a decision (an extension, an
    /// exemption, a review). A period with figures or decisions and no file is compiled too.
    /// </summary>
    public bool HasAnythingStored =>
        SourceVersions.Count > 0
        || (Figures?.Units.Any(u => u.Entry is not null) ?? false)
        || Units.Any(u => u.Row.Decisions is { } d && (d.Extension is not null || d.Exemption is not null || d.Review is not null));

    public IReadOnlyList<SourceVersion> SourceVersions =>
        Units.Where(u => u.Latest is not null).Select(u => new SourceVersion(u.Row.UnitCode, u.Latest!.Version)).OrderBy(s => s.UnitCode, StringComparer.Ordinal).ToList();

    public static CompilationInputs From(StatusReport report, IReadOnlyDictionary<string, SubmissionVersion> latest, string provinceName, FigureTotals? figures = null, Outline.ReportOutline? outline = null)
    {
        var units = report.Rows
            .Where(r => r.Status != SubmissionStatus.NotRequired)
            .Select((row, i) => new BundleUnit(i + 1, row, latest.GetValueOrDefault(row.UnitCode)))
            .ToList();
        var counts = report.Counts;
        return new CompilationInputs(report.Period, counts, units, provinceName, figures, outline);
    }

    private static string ComputeFingerprint(Period period, IReadOnlyList<BundleUnit> units, string province)
    {
        var text = new StringBuilder();
        void Line(params object?[] fields) =>
            text.Append(string.Join('\u001f', fields.Select(f => Convert.ToString(f, CultureInfo.InvariantCulture)))).Append('\n');

        Line(LayoutVersion, period.Id, period.Title, period.Deadline.UtcTicks, province);
        foreach (var u in units.OrderBy(u => u.Row.UnitCode, StringComparer.Ordinal))
        {
            var v = u.Latest;
            Line(u.Row.UnitCode, u.Row.UnitName, u.Row.Group, u.Number, u.Row.Status.Code(), u.Row.VersionCount,
                v?.Version, v?.ReceiptId, v?.Sha256, v?.SizeBytes, v?.FileName, v?.ReceivedAt.UtcTicks);
            if (u.Row.Decisions is { } d)
            {
                // Only where Sở Nội vụ decided something, so a period without decisions keeps its fingerprint.
                Line("decisions", u.Row.Review?.Code(), d.Extension?.Deadline.UtcTicks, d.Exemption?.Reason);
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
