using DanVan.Domain;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.Outline;

/// <summary>
/// The đề cương a unit writes its report in: a DOCX for one period and unit with the outline's headings in Word's own
/// heading styles ("heading 1" for the parts, "heading 2" for their contents) and, on each heading, a hidden bookmark
/// naming its place (<c>dv_II_1</c>, <c>dv_III_han_che</c>); a bookmark at the top names the outline version
/// (<c>dvo_H1_3</c>). A report written in it is filed by these marks, whatever the unit's words.
/// </summary>
public static class OutlineTemplate
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    /// <summary>Every mark DanVan puts on a heading starts with this.</summary>
    public const string PlacePrefix = "dv_";

    public const string VersionPrefix = "dvo_";

    public static string FileName(Period period, Unit unit) => $"Đề cương {period.Id} - {unit.Name}.docx";

    /// <summary>The bookmark of a part or content: '-' in keys becomes '_' (keys never hold '_').</summary>
    public static string Place(string part, string? content) => PlacePrefix + part + (content is null ? "" : "_" + content.Replace('-', '_'));

    /// <summary>The (part, content) a bookmark names, or null for any other bookmark.</summary>
    public static (string Part, string? Content)? FromPlace(string? bookmark)
    {
        if (bookmark is null || !bookmark.StartsWith(PlacePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = bookmark[PlacePrefix.Length..];
        var split = rest.IndexOf('_');
        return split < 0 ? (rest, null) : (rest[..split], rest[(split + 1)..].Replace('_', '-'));
    }

    public static byte[] Build(ReportOutline outline, Period period, Unit unit)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            main.AddNewPart<StyleDefinitionsPart>().Styles = Styles();
            var body = new Body();
            var id = 0;
            body.Append(Marked(Para(unit.Name.ToUpper(VietnamTime.Culture), bold: true), $"{VersionPrefix}{outline.ReportCode}_{outline.Version}", id++));
            body.Append(
                Para("BÁO CÁO", bold: true, center: true),
                Para($"Kết quả thực hiện công tác dân vận chính quyền – {period.Title}", bold: true, center: true),
                Para("(Viết nội dung dưới từng mục; giữ nguyên các tiêu đề mục để Sở Nội vụ tổng hợp đúng vị trí. Có thể xóa mục không có nội dung.)", italic: true, center: true),
                Para("Kính gửi: Sở Nội vụ", center: true));
            foreach (var part in outline.Parts)
            {
                body.Append(Marked(Heading(1, $"{part.Key}. {part.Heading}"), Place(part.Key, null), id++), Para(""));
                foreach (var content in part.Contents)
                {
                    body.Append(Marked(Heading(2, $"{ReportOutline.ContentNumber(part, content)}. {content.Heading}"), Place(part.Key, content.Key), id++), Para(""));
                }
            }

            body.Append(Para("Nơi nhận:", bold: true), Para("- Sở Nội vụ;"), Para("- Lưu: VT."), Para("THỦ TRƯỞNG ĐƠN VỊ", bold: true));
            body.Append(new SectionProperties(
                new PageSize { Width = 11906, Height = 16838 },
                new PageMargin { Top = 1134, Bottom = 1134, Left = 1701, Right = 1134, Header = 720, Footer = 720, Gutter = 0 }));
            main.Document = new Document(body);
        }

        return stream.ToArray();
    }

    /// <summary>A hidden bookmark around the paragraph's text.</summary>
    private static Paragraph Marked(Paragraph paragraph, string name, int id)
    {
        var key = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var run = paragraph.GetFirstChild<Run>()!;
        paragraph.InsertBefore(new BookmarkStart { Name = name, Id = key }, run);
        paragraph.InsertAfter(new BookmarkEnd { Id = key }, run);
        return paragraph;
    }

    private static Paragraph Heading(int level, string text) =>
        new(new ParagraphProperties(new ParagraphStyleId { Val = $"Heading{level}" }), Run(text, bold: false, italic: false));

    private static Paragraph Para(string text, bool bold = false, bool italic = false, bool center = false)
    {
        var paragraph = new Paragraph();
        if (center)
        {
            paragraph.Append(new ParagraphProperties(new Justification { Val = JustificationValues.Center }));
        }

        paragraph.Append(Run(text, bold, italic));
        return paragraph;
    }

    private static Run Run(string text, bool bold, bool italic)
    {
        var properties = new RunProperties();
        if (bold)
        {
            properties.Append(new Bold());
        }

        if (italic)
        {
            properties.Append(new Italic());
        }

        return new Run(properties, new Text(text) { Space = SpaceProcessingModeValues.Preserve });
    }

    /// <summary>Normal (Times New Roman 14) and "heading 1/2" (bold), the names Word and LibreOffice know.</summary>
    private static Styles Styles()
    {
        static RunProperties Font(bool bold) => new(
            new RunFonts { Ascii = "Times New Roman", HighAnsi = "Times New Roman", ComplexScript = "Times New Roman" },
            bold ? new Bold() : new Bold { Val = false },
            new FontSize { Val = "28" });

        return new Styles(
            new Style(new StyleName { Val = "Normal" }, new PrimaryStyle(), Font(false)) { Type = StyleValues.Paragraph, StyleId = "Normal", Default = true },
            new Style(new StyleName { Val = "heading 1" }, new BasedOn { Val = "Normal" }, new NextParagraphStyle { Val = "Normal" }, new PrimaryStyle(),
                new StyleParagraphProperties(new KeepNext(), new SpacingBetweenLines { Before = "240", After = "120" }, new OutlineLevel { Val = 0 }), Font(true))
            { Type = StyleValues.Paragraph, StyleId = "Heading1" },
            new Style(new StyleName { Val = "heading 2" }, new BasedOn { Val = "Normal" }, new NextParagraphStyle { Val = "Normal" }, new PrimaryStyle(),
                new StyleParagraphProperties(new KeepNext(), new SpacingBetweenLines { Before = "120", After = "60" }, new OutlineLevel { Val = 1 }), Font(true))
            { Type = StyleValues.Paragraph, StyleId = "Heading2" });
    }
}
