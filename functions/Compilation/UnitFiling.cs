using DanVan.Outline;

namespace DanVan.Compilation;

/// <summary>What was read from one unit's file, and where each of its lines was filed under the outline (null when nothing could be read).</summary>
public sealed record UnitReading(ReportReading Reading, IReadOnlyList<FiledLine>? Filed)
{
    /// <summary>Files the reading and keeps only its problem beside the filed lines: the paragraphs are not held twice while other units are read.</summary>
    public static UnitReading Of(ReportReading reading, ReportOutline outline) =>
        new(reading with { Paragraphs = null, Format = null }, reading.Paragraphs is null ? null : ReportFiling.File(outline, ReportTree.Read(reading.Paragraphs, reading.Format)));
}

/// <summary>
/// One line of a unit's report in <c>manifest.json</c>: the unit and version, the paragraph (its number in the file and
/// its opening words), the heading it came from and where it went: <c>placed</c> (under <see cref="Part"/> and
/// <see cref="Content"/>), <c>review</c> ("Cần xem lại"), <c>heading</c>, <c>title</c> or <c>signature</c> (not content).
/// </summary>
public sealed record ManifestFiling(string UnitCode, int Version, int Paragraph, string Text, string Heading, string Outcome, string? Part, string? Content)
{
    private const int MaxText = 80;

    /// <summary>What became of a line, as the manifest and the dashboard's reading name it.</summary>
    public static string OutcomeOf(FiledLine f) => f.Line.Role switch
    {
        LineRole.TitleBlock => "title",
        LineRole.Signature => "signature",
        _ => f.Outcome switch { FilingOutcome.Placed => "placed", FilingOutcome.Review => "review", _ => "heading" },
    };

    public static IEnumerable<ManifestFiling> Of(string unitCode, int version, IReadOnlyList<FiledLine> filed) =>
        filed.Select(f => new ManifestFiling(
            unitCode, version, f.Line.Paragraph, f.Line.Original.Length > MaxText ? f.Line.Original[..MaxText] + "…" : f.Line.Original, f.Heading,
            OutcomeOf(f),
            f.Part, f.Content));
}
