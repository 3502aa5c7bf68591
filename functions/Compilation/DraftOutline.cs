using DanVan.Outline;
using DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.Compilation;

/// <summary>
/// The body of the draft after its title: the parts of the province's outline in order. Under each content the
/// figures' sentences come first, then each unit's text in registry order, its first paragraph led by the unit's
/// name. Recommendations are grouped by whom they ask where the text says so. What DanVan could not place is listed
/// under <see cref="ReviewHeading"/> with the unit and the heading it sat under: an officer files it, DanVan never guesses.
/// </summary>
public static class DraftOutline
{
    public const string ReviewHeading = "CẦN XEM LẠI: CÁC ĐOẠN CHƯA XẾP ĐƯỢC VÀO ĐỀ CƯƠNG";
    public const string Empty = "(Chưa có nội dung từ báo cáo của các đơn vị.)";

    /// <summary>Cap on the text taken from one unit for one place, so a huge report cannot swell the draft.</summary>
    private const int MaxCharsPerExcerpt = 20_000;

    public static void Append(Body body, CompilationInputs inputs, IReadOnlyDictionary<string, UnitReading> readings)
    {
        var outline = inputs.DraftOutline;
        var units = inputs.Units
            .Where(u => readings.TryGetValue(u.Row.UnitCode, out var r) && r.Filed is not null)
            .Select(u => (Name: u.Row.UnitName, Lines: readings[u.Row.UnitCode].Filed!))
            .ToList();

        foreach (var part in outline.Parts)
        {
            body.Append(DraftReport.Para($"{part.Key}. {part.Heading.ToUpper(Domain.VietnamTime.Culture)}", bold: true));
            var general = Texts(units, part.Key, null);
            if (part.Contents.Count == 0 || general.Count > 0 || part.ContentsByText)
            {
                Write(body, general, part.Contents.Count == 0 || !part.ContentsByText && general.Count == 0 ? Empty : null);
            }

            foreach (var content in part.Contents)
            {
                var texts = Texts(units, part.Key, content.Key);
                if (part.ContentsByText && texts.Count == 0)
                {
                    continue;
                }

                body.Append(DraftReport.Para($"{ReportOutline.ContentNumber(part, content)}. {content.Heading}", bold: true));
                var figures = content.Section is { } section ? FiguresText.Sentences(inputs.Figures, section) : [];
                body.Append(figures.Select(s => DraftReport.Para(s)).ToArray());
                Write(body, texts, figures.Count == 0 ? Empty : null);
            }
        }

        var review = units.SelectMany(u => u.Lines.Where(l => l.Outcome == FilingOutcome.Review).Select(l => (u.Name, Line: l))).ToList();
        body.Append(DraftReport.Para(ReviewHeading, bold: true));
        body.Append(review.Count == 0
            ? [DraftReport.Para("Không có.")]
            : review.Select(r => DraftReport.Para($"{r.Line.Line.Original}", lead: $"- {r.Name} (mục \u201c{r.Line.Heading}\u201d): ")).ToArray());
    }

    /// <summary>Each unit's lines placed at (part, content), in the order written.</summary>
    private static List<(string Unit, List<string> Paragraphs)> Texts(List<(string Name, IReadOnlyList<FiledLine> Lines)> units, string part, string? content) =>
        units.Select(u => (u.Name, u.Lines.Where(l => l.Outcome == FilingOutcome.Placed && l.Part == part && l.Content == content).Select(l => l.Line.Original).ToList()))
            .Where(x => x.Item2.Count > 0)
            .ToList();

    private static void Write(Body body, List<(string Unit, List<string> Paragraphs)> texts, string? empty)
    {
        if (texts.Count == 0)
        {
            if (empty is not null)
            {
                body.Append(DraftReport.Para(empty, italic: true));
            }

            return;
        }

        foreach (var (unit, paragraphs) in texts)
        {
            var used = 0;
            for (var i = 0; i < paragraphs.Count; i++)
            {
                if (used + paragraphs[i].Length > MaxCharsPerExcerpt)
                {
                    body.Append(DraftReport.Para("(… phần còn lại được lược bớt; xem báo cáo gốc trong thư mục BaoCao.)", italic: true));
                    break;
                }

                used += paragraphs[i].Length;
                body.Append(DraftReport.Para(paragraphs[i], lead: i == 0 ? unit + ": " : null));
            }
        }
    }
}
