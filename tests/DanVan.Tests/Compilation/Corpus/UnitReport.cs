using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DanVan.Tests.Support;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.Tests.Compilation.Corpus;

/// <summary>How a heading is marked in a unit's DOCX.</summary>
public enum Mark
{
    /// <summary>Typed number, plain text.</summary>
    Plain,

    /// <summary>Typed number (or none), direct bold.</summary>
    Bold,

    /// <summary>A heading style ("heading 1" …, style id <see cref="UnitReport.StylePrefix"/>N); typed number if any.</summary>
    Style,

    /// <summary>Word's automatic numbering (numId 1: I. / 1. / a)) on a heading style; no number in the text.</summary>
    Auto,
}

/// <summary>
/// A unit's report written in a test, with where a Sở Nội vụ officer would file each paragraph: "I", "II/4", "III/han-che",
/// "V/ubnd-tinh", … ("-" for what is not content: title and signature blocks). Written as a real DOCX (styles,
/// numbering part, bold runs, tables) or a PDF with a text layer.
/// </summary>
public sealed class UnitReport(string name, string unit)
{
    public const string StylePrefix = "u";

    private readonly List<Item> items = [];

    public string Name => name;
    public string Unit => unit;

    private sealed record Item(string Text, string? Expected, int Level, Mark Mark, bool Heading, string[]? Cells = null, bool Bullet = false);

    /// <summary>The paragraphs an officer files, with where: (text, expected).</summary>
    public IEnumerable<(string Text, string Expected)> Expectations =>
        items.Where(i => i.Expected is not null).Select(i => (i.Cells is null ? i.Text : RowKey(i.Cells), i.Expected!));

    /// <summary>A table row is found by its first cell's first line, or by its cells when that is too short to tell ("1 | Người có công …").</summary>
    private static string RowKey(string[] cells) => cells[0].Split('\n')[0] is { Length: >= 8 } first ? first : string.Join(" | ", cells);

    /// <summary>The usual header: issuer and motto table, number, date, "BÁO CÁO", the title, "Kính gửi", the opening.</summary>
    public UnitReport Title(string? subtitle = null, bool recipient = true, bool opening = true)
    {
        items.Add(new Item("", "-", 0, Mark.Plain, false, [unit.ToUpperInvariant(), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]));
        items.Add(new Item("", "-", 0, Mark.Plain, false, ["Số: 45/BC-" + unit[..2].ToUpperInvariant(), "Độc lập - Tự do - Hạnh phúc"]));
        Skip("Vĩnh Phúc, ngày 10 tháng 5 năm 2026");
        items.Add(new Item("BÁO CÁO", "-", 0, Mark.Bold, false));
        items.Add(new Item(subtitle ?? "Kết quả thực hiện Chỉ thị số 33/CT-TTg về tăng cường và đổi mới công tác dân vận 6 tháng đầu năm 2026", "-", 0, Mark.Bold, false));
        if (recipient)
        {
            Skip("Kính gửi: Sở Nội vụ tỉnh Vĩnh Phúc");
        }

        if (opening)
        {
            Skip($"Thực hiện Kế hoạch số 158/KH-UBND ngày 25/5/2023 của UBND tỉnh, {unit} báo cáo kết quả thực hiện 6 tháng đầu năm 2026 như sau:");
        }

        return this;
    }

    public UnitReport Skip(string text)
    {
        items.Add(new Item(text, "-", 0, Mark.Plain, false));
        return this;
    }

    /// <summary>A heading at <paramref name="level"/> (0 = top), its number typed in <paramref name="text"/> unless <see cref="Mark.Auto"/>.</summary>
    public UnitReport H(int level, string text, Mark mark = Mark.Plain)
    {
        items.Add(new Item(text, null, level, mark, true));
        return this;
    }

    /// <summary>A paragraph of text and where it belongs.</summary>
    public UnitReport P(string text, string expected)
    {
        items.Add(new Item(text, expected, 0, Mark.Plain, false));
        return this;
    }

    /// <summary>A list item with Word's automatic bullet.</summary>
    public UnitReport Bullet(string text, string expected)
    {
        items.Add(new Item(text, expected, 0, Mark.Plain, false, Bullet: true));
        return this;
    }

    /// <summary>A table row (each row a line of text in the reading).</summary>
    public UnitReport Row(string expected, params string[] cells)
    {
        items.Add(new Item("", expected, 0, Mark.Plain, false, cells));
        return this;
    }

    public UnitReport Signature(string role = "GIÁM ĐỐC", string signer = "Nguyễn Văn Bình")
    {
        items.Add(new Item("", "-", 0, Mark.Plain, false, ["Nơi nhận:\n- Sở Nội vụ;\n- Lưu: VT.", $"KT. {role}\nPHÓ {role}\n{signer}"]));
        return this;
    }

    public byte[] Docx()
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            main.AddNewPart<StyleDefinitionsPart>().Styles = Styles();
            main.AddNewPart<NumberingDefinitionsPart>().Numbering = Numbering();
            var body = new W.Body();
            W.Table? table = null;
            foreach (var item in items)
            {
                if (item.Cells is not null)
                {
                    if (table is null)
                    {
                        body.Append(table = new W.Table(new W.TableProperties(new W.TableWidth { Width = "5000", Type = W.TableWidthUnitValues.Pct })));
                    }

                    table.Append(new W.TableRow(item.Cells.Select(c => new W.TableCell(c.Split('\n').Select(l => Paragraph(l, false, null, null)).ToArray()))));
                    continue;
                }

                table = null;
                body.Append(item switch
                {
                    { Heading: true, Mark: Mark.Auto } => Paragraph(item.Text, false, $"{StylePrefix}{item.Level + 1}", (1, item.Level)),
                    { Heading: true, Mark: Mark.Style } => Paragraph(item.Text, false, $"{StylePrefix}{item.Level + 1}", null),
                    { Heading: true, Mark: Mark.Bold } or { Mark: Mark.Bold } => Paragraph(item.Text, true, null, null),
                    { Bullet: true } => Paragraph(item.Text, false, null, (2, 0)),
                    _ => Paragraph(item.Text, false, null, null),
                });
            }

            main.Document = new W.Document(body);
        }

        return stream.ToArray();
    }

    /// <summary>The report as a PDF with a text layer: lines of about 80 characters, a blank line between paragraphs, numbers typed.</summary>
    public byte[] Pdf()
    {
        var lines = new List<string>();
        foreach (var item in items)
        {
            var text = item.Cells is not null ? string.Join("   ", item.Cells.Select(c => c.Replace('\n', ' '))) : item.Bullet ? "- " + item.Text : item.Text;
            var line = "";
            foreach (var word in text.Split(' '))
            {
                if (line.Length + word.Length + 1 > 80)
                {
                    lines.Add(line);
                    line = "";
                }

                line = line.Length == 0 ? word : line + " " + word;
            }

            lines.Add(line);
            lines.Add("");
        }

        return TestPdf.Text(lines.Chunk(48).Select(c => c.ToArray()).ToArray());
    }

    private static W.Paragraph Paragraph(string text, bool bold, string? style, (int NumId, int Level)? numbering)
    {
        var properties = new W.ParagraphProperties();
        if (style is not null)
        {
            properties.Append(new W.ParagraphStyleId { Val = style });
        }

        if (numbering is { } n)
        {
            properties.Append(new W.NumberingProperties(new W.NumberingLevelReference { Val = n.Level }, new W.NumberingId { Val = n.NumId }));
        }

        var run = new W.Run(new W.Text(text) { Space = SpaceProcessingModeValues.Preserve });
        if (bold)
        {
            run.PrependChild(new W.RunProperties(new W.Bold()));
        }

        return new W.Paragraph(properties, run);
    }

    /// <summary>"heading 1" … "heading 3" under style ids "u1" … (as a Vietnamese Word names them), bold.</summary>
    private static W.Styles Styles() => new(Enumerable.Range(1, 3).Select(level => new W.Style(
        new W.StyleName { Val = $"heading {level}" },
        new W.BasedOn { Val = "Normal" },
        new W.StyleRunProperties(new W.Bold()))
    { Type = W.StyleValues.Paragraph, StyleId = $"{StylePrefix}{level}" }).Prepend(new W.Style(new W.StyleName { Val = "Normal" }) { Type = W.StyleValues.Paragraph, StyleId = "Normal", Default = true }));

    /// <summary>numId 1: I. / 1. / a) (the usual report levels); numId 2: a bullet.</summary>
    private static W.Numbering Numbering()
    {
        static W.Level Level(int ilvl, W.NumberFormatValues format, string text) =>
            new(new W.StartNumberingValue { Val = 1 }, new W.NumberingFormat { Val = format }, new W.LevelText { Val = text }) { LevelIndex = ilvl };

        return new W.Numbering(
            new W.AbstractNum(Level(0, W.NumberFormatValues.UpperRoman, "%1."), Level(1, W.NumberFormatValues.Decimal, "%2."), Level(2, W.NumberFormatValues.LowerLetter, "%3)")) { AbstractNumberId = 0 },
            new W.AbstractNum(Level(0, W.NumberFormatValues.Bullet, "-")) { AbstractNumberId = 1 },
            new W.NumberingInstance(new W.AbstractNumId { Val = 0 }) { NumberID = 1 },
            new W.NumberingInstance(new W.AbstractNumId { Val = 1 }) { NumberID = 2 });
    }
}
