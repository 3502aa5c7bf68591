using DocumentFormat.OpenXml.Packaging;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.Compilation;

/// <summary>One paragraph of a unit's report, and whether its style marks it as a heading.</summary>
public sealed record ReportParagraph(string Text, bool IsHeadingStyle);

/// <summary>What could be read from a unit's file for the draft report.</summary>
public sealed record ReportReading(IReadOnlyList<ReportParagraph>? Paragraphs, string? Problem)
{
    public static ReportReading Failed(string problem) => new(null, problem);
}

/// <summary>Reads the text of a unit's DOCX report; any other format, or a DOCX that will not open, is a note, never a failure.</summary>
public static class ReportText
{
    /// <summary>DOCX larger than this is not read into memory for its text (it still goes into the bundle).</summary>
    public const long MaxDocxBytes = 20L * 1024 * 1024;

    /// <summary>A part that expands beyond this many characters (a ZIP bomb, say) is refused rather than read.</summary>
    private const long MaxCharactersInPart = 50_000_000;

    public static bool IsDocx(string fileName) => string.Equals(Path.GetExtension(fileName), ".docx", StringComparison.OrdinalIgnoreCase);

    public static string NotDocx(string fileName) =>
        $"tệp {Format(fileName)} không phải DOCX nên không trích được nội dung; xem tệp gốc trong thư mục BaoCao";

    public static string TooLarge(string fileName) =>
        $"tệp {Format(fileName)} lớn hơn {MaxDocxBytes / (1024 * 1024)} MB nên không trích nội dung; xem tệp gốc trong thư mục BaoCao";

    /// <summary>The paragraphs of the body, in order; a corrupt file gives a problem note instead.</summary>
    public static ReportReading Read(Stream docx, string fileName)
    {
        try
        {
            using var document = WordprocessingDocument.Open(docx, false, new OpenSettings { MaxCharactersInPart = MaxCharactersInPart });
            var body = document.MainDocumentPart?.Document?.Body;
            if (body is null)
            {
                return ReportReading.Failed($"tệp {Format(fileName)} không có nội dung văn bản");
            }

            var paragraphs = body.Descendants<W.Paragraph>()
                .Select(p => new ReportParagraph(string.Concat(p.Descendants<W.Text>().Select(t => t.Text)), IsHeading(p)))
                .Where(p => p.Text.Trim().Length > 0)
                .ToList();
            return new ReportReading(paragraphs, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // A unit's broken file must never stop the compilation: the draft says it could not be read.
            return ReportReading.Failed($"tệp {Format(fileName)} bị lỗi, không đọc được nội dung ({ex.GetType().Name}); xem tệp gốc trong thư mục BaoCao");
        }
    }

    private static bool IsHeading(W.Paragraph p)
    {
        var style = p.ParagraphProperties?.ParagraphStyleId?.Val?.Value;
        return style is not null && (style.StartsWith("Heading", StringComparison.OrdinalIgnoreCase) || style.StartsWith("Title", StringComparison.OrdinalIgnoreCase));
    }

    private static string Format(string fileName) => $"\"{fileName}\"";
}
