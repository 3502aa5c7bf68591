using DanVan.Domain;
using DanVan.Periods;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.Compilation;

/// <summary>
/// <c>DuThao-BaoCao.docx</c>: a draft of the provincial People's Committee's report in Vietnamese
/// administrative layout — the two-column header (issuing body | national motto), number and date
/// placeholders, the title, the compliance figures, the late and missing units, and the units' DOCX
/// text gathered under the plan's section II items, each excerpt attributed to its unit.
/// </summary>
public static class DraftReport
{
    public const string Motto1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    public const string Motto2 = "Độc lập - Tự do - Hạnh phúc";
    public const string Recipient = "Kính gửi: Bộ Nội vụ.";
    public const string Directive = "Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ";

    /// <summary>Cap on the text taken from one unit for one section, so a huge report cannot swell the draft.</summary>
    private const int MaxCharsPerExcerpt = 20_000;

    public static string IssuerLine(string province) => "TỈNH " + province.ToUpper(VietnamTime.Culture);

    public static string FiguresLine(StatusCounts c) =>
        $"Số cơ quan, đơn vị phải báo cáo: {c.Required}; nộp đúng hạn: {c.OnTime}; nộp muộn: {c.Late}; chưa nộp: {c.Missing}.";

    public static byte[] Build(CompilationInputs inputs, IReadOnlyDictionary<string, ReportReading> readings)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddNewPart<MainDocumentPart>("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "rId1");
            main.Document = new Document(Body(inputs, readings));
        }

        return StableZip.Repack(stream.ToArray(), StableZip.TimestampOf(inputs.Period.Deadline));
    }

    private static Body Body(CompilationInputs inputs, IReadOnlyDictionary<string, ReportReading> readings)
    {
        var period = inputs.Period;
        var body = new Body(Header(inputs.ProvinceName));
        body.Append(
            Para(" "),
            Para("BÁO CÁO", bold: true, center: true, size: 28),
            Para($"Kết quả thực hiện {Directive} về tiếp tục tăng cường và đổi mới công tác dân vận của cơ quan hành chính nhà nước, chính quyền các cấp trong tình hình mới", bold: true, center: true),
            Para($"{period.Title} (kỳ {period.Id})", bold: true, center: true),
            Para("(DỰ THẢO do DanVan tổng hợp từ báo cáo của các cơ quan, đơn vị)", italic: true, center: true),
            Para(Recipient, center: true),
            Para(" "));

        body.Append(Para("I. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", bold: true));
        body.Append(
            Para($"Hạn gửi báo cáo: {VietnamTime.DescribeDeadline(period.Deadline)}. Số liệu tính theo các báo cáo nhận được đến {VietnamTime.FormatDateTime(inputs.AsOf)}."),
            Para(FiguresLine(inputs.Counts)));

        var late = inputs.Units.Where(u => u.Row.Status == SubmissionStatus.Late).ToList();
        body.Append(Para($"Cơ quan, đơn vị nộp muộn ({late.Count}):", bold: true));
        body.Append(late.Count == 0
            ? [Para("Không có.")]
            : late.Select(u => Para($"- {u.Row.UnitName} (nhận lúc {VietnamTime.FormatDateTime(u.Row.ReceivedAt!.Value)})")).ToArray());

        var missing = inputs.Units.Where(u => u.Row.Status == SubmissionStatus.Missing).ToList();
        body.Append(Para($"Cơ quan, đơn vị chưa nộp ({missing.Count}):", bold: true));
        body.Append(missing.Count == 0 ? [Para("Không có.")] : missing.Select(u => Para($"- {u.Row.UnitName}")).ToArray());

        var unsigned = inputs.Units.Select(u => (Unit: u, Why: DraftSignatures.Attention(u.Latest))).Where(x => x.Why is not null).ToList();
        body.Append(Para($"{DraftSignatures.Heading} ({unsigned.Count}):", bold: true));
        body.Append(unsigned.Count == 0 ? [Para("Không có.")] : unsigned.Select(x => Para($"- {x.Unit.Row.UnitName}: {x.Why}")).ToArray());

        body.Append(Para("II. KẾT QUẢ THỰC HIỆN (tổng hợp từ báo cáo của các cơ quan, đơn vị)", bold: true));
        var sorted = inputs.Units
            .Where(u => readings.TryGetValue(u.Row.UnitCode, out var r) && r.Paragraphs is not null)
            .Select(u => (Unit: u, Sections: PlanSections.Sort(readings[u.Row.UnitCode].Paragraphs!)))
            .ToList();
        var headings = PlanSections.All.Select(s => (Number: s.Number, Heading: $"{s.Number}. {s.Heading}")).ToList();
        headings.Add((PlanSections.Other, PlanSections.OtherHeading));
        foreach (var section in headings)
        {
            body.Append(Para(section.Heading, bold: true));
            body.Append(FiguresText.Sentences(inputs.Figures, section.Number).Select(s => Para(s)).ToArray());
            var excerpts = sorted.Select(x => (x.Unit, Text: x.Sections.FirstOrDefault(s => s.Section == section.Number))).Where(x => x.Text is not null).ToList();
            if (excerpts.Count == 0)
            {
                body.Append(Para("(Chưa có nội dung từ báo cáo của các đơn vị.)", italic: true));
                continue;
            }

            foreach (var (unit, text) in excerpts)
            {
                body.Append(Para($"{unit.Row.UnitName}:", bold: true, italic: true));
                body.Append(Excerpt(text!.Paragraphs).Select(p => Para(p)).ToArray());
            }
        }

        var notes = inputs.Units
            .Where(u => readings.TryGetValue(u.Row.UnitCode, out var r) && r.Problem is not null)
            .Select(u => $"- {u.Row.UnitName}: {readings[u.Row.UnitCode].Problem}.")
            .ToList();
        body.Append(Para("III. GHI CHÚ VỀ CÁC TỆP BÁO CÁO KHÔNG TỔNG HỢP ĐƯỢC NỘI DUNG", bold: true));
        body.Append(notes.Count == 0 ? [Para("Không có.")] : notes.Select(n => Para(n)).ToArray());

        body.Append(new SectionProperties(
            new PageSize { Width = 11906, Height = 16838 },
            new PageMargin { Top = 1134, Bottom = 1134, Left = 1701, Right = 1134, Header = 720, Footer = 720, Gutter = 0 }));
        return body;
    }

    /// <summary>The issuing body on the left, the national motto on the right; number and date placeholders below.</summary>
    private static Table Header(string province)
    {
        static TableCell Cell(int width, params Paragraph[] paragraphs) =>
            new(new OpenXmlElement[] { new TableCellProperties(new TableCellWidth { Width = width.ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa }) }.Concat(paragraphs));

        var none = new TableBorders(
            new TopBorder { Val = BorderValues.None }, new LeftBorder { Val = BorderValues.None },
            new BottomBorder { Val = BorderValues.None }, new RightBorder { Val = BorderValues.None },
            new InsideHorizontalBorder { Val = BorderValues.None }, new InsideVerticalBorder { Val = BorderValues.None });
        return new Table(
            new TableProperties(new TableWidth { Width = "5000", Type = TableWidthUnitValues.Pct }, none, new TableLayout { Type = TableLayoutValues.Fixed }),
            new TableGrid(new GridColumn { Width = "3600" }, new GridColumn { Width = "5500" }),
            new TableRow(
                Cell(3600, Para("ỦY BAN NHÂN DÂN", bold: true, center: true), Para(IssuerLine(province), bold: true, center: true), Para("-------", center: true)),
                Cell(5500, Para(Motto1, bold: true, center: true), Para(Motto2, bold: true, center: true), Para("---------------", center: true))),
            new TableRow(
                Cell(3600, Para("Số: …/BC-UBND", center: true)),
                Cell(5500, Para($"{province}, ngày … tháng … năm …", italic: true, center: true))));
    }

    private static IEnumerable<string> Excerpt(IReadOnlyList<string> paragraphs)
    {
        var used = 0;
        foreach (var p in paragraphs)
        {
            if (used + p.Length > MaxCharsPerExcerpt)
            {
                yield return "(… phần còn lại được lược bớt; xem báo cáo gốc trong thư mục BaoCao.)";
                yield break;
            }

            used += p.Length;
            yield return p;
        }
    }

    private static Paragraph Para(string text, bool bold = false, bool italic = false, bool center = false, int size = 26)
    {
        var runProperties = new RunProperties(new RunFonts { Ascii = "Times New Roman", HighAnsi = "Times New Roman", ComplexScript = "Times New Roman" });
        if (bold)
        {
            runProperties.Append(new Bold());
        }

        if (italic)
        {
            runProperties.Append(new Italic());
        }

        runProperties.Append(new FontSize { Val = size.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var paragraph = new Paragraph();
        if (center)
        {
            paragraph.Append(new ParagraphProperties(new Justification { Val = JustificationValues.Center }));
        }

        paragraph.Append(new Run(runProperties, new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
        return paragraph;
    }
}
