using System.Text;
using System.Text.RegularExpressions;
using DanVan.Reading;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace DanVan.Compilation;

/// <summary>
/// Reads the text layer of a unit's PDF report (PdfPig) into paragraphs for the draft, bounded like the DOCX
/// reader (<see cref="ReportLimits"/>: pages, characters, paragraphs, time; the size cap is the caller's,
/// <see cref="ReportText.MaxDocxBytes"/>). The letters of each page are grouped into lines by baseline, and lines
/// into paragraphs: a new paragraph starts after a wider gap than the line spacing, at a numbered or Roman
/// heading or a list mark, and after a short line that ends a sentence, so Vietnamese sentences broken over lines
/// are joined again. A PDF with no text at all (a scan) is a note, never an empty section. A file without
/// <c>%%EOF</c> in its last kilobyte (where every PDF writer puts it, and where readers such as Acrobat look) is
/// a note at once: opened leniently, PdfPig would search the whole file for objects, which costs tens of
/// milliseconds a megabyte for a truncated or non-PDF file and is bounded by none of the limits.
/// </summary>
public static partial class PdfReportText
{
    public static bool IsPdf(string fileName) => string.Equals(Path.GetExtension(fileName), ".pdf", StringComparison.OrdinalIgnoreCase);

    public static string Scanned(string fileName) =>
        $"tệp \"{fileName}\" là bản quét, không có lớp chữ; xem tệp gốc trong thư mục BaoCao";

    /// <summary>How far from the end a PDF's last <c>%%EOF</c> may lie (garbage after it is tolerated up to this).</summary>
    public const int EndOfFileWindow = 1024;

    public static string Broken(string fileName, string why) =>
        $"tệp \"{fileName}\" bị lỗi, không đọc được nội dung ({why}); xem tệp gốc trong thư mục BaoCao";

    [GeneratedRegex(@"^\s*(\d{1,2}|[IVX]{1,5}|[a-zđ])\s*[\.\)]\s")]
    private static partial Regex HeadingStart();

    public static ReportReading Read(Stream pdf, string fileName, CancellationToken ct = default) => Read(pdf, fileName, ReportLimits.Default, ct);

    /// <summary>
    /// The paragraphs of the PDF within <paramref name="limits"/>, read on a thread of its own (<see cref="BoundedRun"/>):
    /// past <see cref="ReportLimits.MaxTime"/> the caller gets the note at once.
    /// </summary>
    public static ReportReading Read(Stream pdf, string fileName, ReportLimits limits, CancellationToken ct = default) =>
        BoundedRun.Run(token => ReadHere(pdf, fileName, limits, token), limits.MaxTime, () => ReportReading.Failed(ReportText.OverLimit(fileName, ReadBudget.TooSlow(limits.MaxTime))), ct);

    private static ReportReading ReadHere(Stream pdf, string fileName, ReportLimits limits, CancellationToken ct)
    {
        var filters = new PdfDecodeBudget(limits, new ReadBudget(limits.MaxTime, ct));
        try
        {
            if (!EndsLikePdf(pdf))
            {
                return ReportReading.Failed(Broken(fileName, "không có %%EOF ở cuối tệp"));
            }

            var bytes = ReadAll(pdf);
            PdfPreflight.Check(bytes, limits);
            using var document = PdfDocument.Open(bytes, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true, FilterProvider = filters });
            if (document.NumberOfPages > limits.MaxPages)
            {
                return ReportReading.Failed(ReportText.OverLimit(fileName, $"hơn {limits.MaxPages.ToString("N0", Domain.VietnamTime.Culture)} trang"));
            }

            PdfPreflight.CheckPages(document, limits, filters);
            var paragraphs = new List<ReportParagraph>();
            var characters = filters.Budget.Allow(limits.MaxTextChars, max => $"văn bản dài hơn {ReadBudget.Count(max)} ký tự");
            var paragraphCount = filters.Budget.Allow(limits.MaxParagraphs, max => $"hơn {ReadBudget.Count(max)} đoạn văn");
            for (var n = 1; n <= document.NumberOfPages; n++)
            {
                var page = document.GetPage(n);
                if (filters.Breach is { } breach)
                {
                    // PdfPig caught the refusal itself and went on with what it had: the page is not what the file says.
                    throw new ReadLimitException(breach);
                }

                characters.Spend(page.Letters.Count);
                var found = Paragraphs(Lines(page.Letters)).Select(p => new ReportParagraph(p, false)).ToList();
                paragraphCount.Spend(found.Count);
                paragraphs.AddRange(found);
            }

            return paragraphs.Count == 0 ? ReportReading.Failed(Scanned(fileName)) : new ReportReading(paragraphs, null);
        }
        catch (ReadLimitException ex)
        {
            return ReportReading.Failed(ReportText.OverLimit(fileName, ex.Reason));
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // A unit's broken file must never stop the compilation: the draft says it could not be read. A refusal
            // of the decode budget that PdfPig wrapped in an exception of its own is still named as the bound.
            return ReportReading.Failed(filters.Breach is { } breach ? ReportText.OverLimit(fileName, breach) : Broken(fileName, ex.GetType().Name));
        }
    }

    private static byte[] ReadAll(Stream pdf)
    {
        using var copy = new MemoryStream();
        pdf.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Whether <c>%%EOF</c> lies in the last <see cref="EndOfFileWindow"/> bytes; the stream is left at its start. An unseekable stream is given the benefit of the doubt.</summary>
    private static bool EndsLikePdf(Stream pdf)
    {
        if (!pdf.CanSeek)
        {
            return true;
        }

        var start = pdf.Position;
        var tail = new byte[(int)Math.Min(EndOfFileWindow, pdf.Length - start)];
        pdf.Position = pdf.Length - tail.Length;
        pdf.ReadExactly(tail);
        pdf.Position = start;
        return tail.AsSpan().IndexOf("%%EOF"u8) >= 0;
    }

    private sealed record Line(string Text, double Baseline, double Size, double Left, double Right);

    /// <summary>Letters with a common baseline (within a third of their size) make a line; lines top to bottom, letters left to right.</summary>
    private static List<Line> Lines(IReadOnlyList<Letter> letters)
    {
        var rows = new List<List<Letter>>();
        foreach (var letter in letters.Where(l => l.Value.Length > 0).OrderByDescending(l => l.StartBaseLine.Y).ThenBy(l => l.StartBaseLine.X))
        {
            var row = rows.Count > 0 ? rows[^1] : null;
            if (row is null || Math.Abs(row[0].StartBaseLine.Y - letter.StartBaseLine.Y) > Math.Max(1, SizeOf(row[0]) / 3))
            {
                rows.Add(row = []);
            }

            row.Add(letter);
        }

        var lines = new List<Line>();
        foreach (var row in rows)
        {
            var text = new StringBuilder();
            Letter? previous = null;
            foreach (var letter in row.OrderBy(l => l.StartBaseLine.X))
            {
                // Spacing by position: many PDFs place words apart instead of drawing a space.
                if (previous is not null && letter.StartBaseLine.X - previous.EndBaseLine.X > SizeOf(letter) * 0.25 && text.Length > 0 && text[^1] != ' ')
                {
                    text.Append(' ');
                }

                if (!(letter.Value == " " && text.Length > 0 && text[^1] == ' '))
                {
                    text.Append(letter.Value);
                }

                previous = letter;
            }

            var value = text.ToString().Trim();
            if (value.Length > 0)
            {
                lines.Add(new Line(value.Normalize(NormalizationForm.FormC), row[0].StartBaseLine.Y, row.Max(SizeOf), row.Min(l => l.StartBaseLine.X), row.Max(l => l.EndBaseLine.X)));
            }
        }

        return lines;
    }

    private static double SizeOf(Letter letter) => letter.PointSize > 0 ? letter.PointSize : 10;

    private static IEnumerable<string> Paragraphs(List<Line> lines)
    {
        if (lines.Count == 0)
        {
            yield break;
        }

        var right = lines.Max(l => l.Right);
        var current = new StringBuilder(lines[0].Text);
        for (var i = 1; i < lines.Count; i++)
        {
            var (before, line) = (lines[i - 1], lines[i]);
            var gap = before.Baseline - line.Baseline;
            var ended = before.Text[^1] is '.' or ':' or ';' or '!' or '?' && before.Right < right - 3 * before.Size;
            if (gap > 1.5 * Math.Max(before.Size, line.Size) || gap < 0 || ended || HeadingStart().IsMatch(line.Text) || line.Text[0] is '-' or '+' or '•' || IsHeading(before.Text))
            {
                yield return current.ToString();
                current.Clear().Append(line.Text);
            }
            else
            {
                current.Append(' ').Append(line.Text);
            }
        }

        yield return current.ToString();
    }

    /// <summary>A numbered or Roman heading is a paragraph of its own when it does not run into a second line.</summary>
    private static bool IsHeading(string text) => HeadingStart().IsMatch(text) && text.Length < 120 && !text.EndsWith(',');
}
