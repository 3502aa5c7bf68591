using DanVan.Domain;
using DanVan.Periods;
using DanVan.Writing;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.Compilation;

/// <summary>
/// <c>DuThao-BaoCao.docx</c>: a draft of the provincial People's Committee's report in Vietnamese
/// administrative layout — the two-column header (issuing body | national motto), number and date
/// placeholders, the title, then the province's outline (<see cref="Outline.ReportOutline"/>: I–V, the plan's contents
/// under II) with, under each content, the figures' sentences first and then each unit's text attributed to it; what
/// could not be placed under "Cần xem lại" naming the unit and its heading; the compliance figures, the late and
/// missing units and the files that could not be read in an appendix.
/// </summary>
public static class DraftReport
{
    public const string Motto1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    public const string Motto2 = "Độc lập - Tự do - Hạnh phúc";
    public const string Recipient = "Kính gửi: Bộ Nội vụ.";
    public const string Directive = "Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ";

    public const string AppendixHeading = "PHỤ LỤC: TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ";
    public const string NotesHeading = "GHI CHÚ VỀ CÁC TỆP BÁO CÁO KHÔNG TỔNG HỢP ĐƯỢC NỘI DUNG";

    public static string IssuerLine(string province) => "TỈNH " + province.ToUpper(VietnamTime.Culture);

    public static string FiguresLine(StatusCounts c) =>
        $"Số cơ quan, đơn vị phải báo cáo: {c.Required}; nộp đúng hạn: {c.OnTime}; nộp muộn: {c.Late}; chưa nộp: {c.Missing}"
        + (c.Exempt > 0 ? $"; miễn nộp kỳ này: {c.Exempt}." : ".");

    public static byte[] Build(CompilationInputs inputs, IReadOnlyDictionary<string, UnitReading> readings)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddNewPart<MainDocumentPart>("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "rId1");
            main.Document = new Document(Body(inputs, readings));
        }

        return StableZip.Repack(stream.ToArray(), StableZip.TimestampOf(inputs.Period.Deadline));
    }

    private static Body Body(CompilationInputs inputs, IReadOnlyDictionary<string, UnitReading> readings)
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

        DraftOutline.Append(body, inputs, readings);

        body.Append(Para(AppendixHeading, bold: true));
        body.Append(
            Para($"Hạn gửi báo cáo: {VietnamTime.DescribeDeadline(period.Deadline)}. Số liệu tính theo các báo cáo nhận được đến {VietnamTime.FormatDateTime(inputs.AsOf)}."),
            Para(FiguresLine(inputs.Counts)));

        var late = inputs.Units.Where(u => u.Row.Status == SubmissionStatus.Late).ToList();
        body.Append(Para($"Cơ quan, đơn vị nộp muộn ({late.Count}):", bold: true));
        body.Append(late.Count == 0
            ? [Para("Không có.")]
            : late.Select(u => Para($"- {u.Row.UnitName} (nhận lúc {VietnamTime.FormatDateTime(u.Row.ReceivedAt!.Value)}{(u.Row.ExtendedTo is { } ext ? "; " + DecisionRules.ExtensionText(ext) : "")})")).ToArray());

        var missing = inputs.Units.Where(u => u.Row.Status == SubmissionStatus.Missing).ToList();
        body.Append(Para($"Cơ quan, đơn vị chưa nộp ({missing.Count}):", bold: true));
        body.Append(missing.Count == 0 ? [Para("Không có.")] : missing.Select(u => Para($"- {u.Row.UnitName}{(u.Row.ExtendedTo is { } ext ? " (" + DecisionRules.ExtensionText(ext) + ")" : "")}")).ToArray());

        // Sở Nội vụ's decisions, only where there are any (a period without them keeps its draft as it was).
        var extended = inputs.Units.Where(u => u.Row.ExtendedTo is not null && u.Row.Status != SubmissionStatus.Exempt).ToList();
        if (extended.Count > 0)
        {
            body.Append(Para($"Cơ quan, đơn vị được gia hạn ({extended.Count}):", bold: true));
            body.Append(extended.Select(u => Para($"- {u.Row.UnitName} ({DecisionRules.ExtensionText(u.Row.ExtendedTo!.Value)}; {u.Row.Status.Label().ToLower(VietnamTime.Culture)})")).ToArray());
        }

        var exempt = inputs.Units.Where(u => u.Row.Status == SubmissionStatus.Exempt).ToList();
        if (exempt.Count > 0)
        {
            body.Append(Para($"Cơ quan, đơn vị miễn nộp kỳ này ({exempt.Count}):", bold: true));
            body.Append(exempt.Select(u => Para($"- {u.Row.UnitName} (lý do: {u.Row.Decisions?.Exemption?.Reason})")).ToArray());
        }

        var unsigned = inputs.Units.Select(u => (Unit: u, Why: DraftSignatures.Attention(u.Latest))).Where(x => x.Why is not null).ToList();
        body.Append(Para($"{DraftSignatures.Heading} ({unsigned.Count}):", bold: true));
        body.Append(unsigned.Count == 0 ? [Para("Không có.")] : unsigned.Select(x => Para($"- {x.Unit.Row.UnitName}: {x.Why}")).ToArray());

        var notes = inputs.Units
            .Where(u => readings.TryGetValue(u.Row.UnitCode, out var r) && r.Reading.Problem is not null)
            .Select(u => $"- {u.Row.UnitName}: {readings[u.Row.UnitCode].Reading.Problem}.")
            .ToList();
        body.Append(Para(NotesHeading, bold: true));
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

    internal static Paragraph Para(string text, bool bold = false, bool italic = false, bool center = false, int size = 26, string? lead = null)
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

        if (lead is not null)
        {
            // The unit a passage comes from, in bold italics before its words ("Sở Tài chính: …").
            var leadProperties = (RunProperties)runProperties.CloneNode(true);
            if (leadProperties.GetFirstChild<Italic>() is null)
            {
                leadProperties.InsertAfter(new Italic(), leadProperties.GetFirstChild<Bold>() ?? (OpenXmlElement)leadProperties.GetFirstChild<RunFonts>()!);
            }

            if (leadProperties.GetFirstChild<Bold>() is null)
            {
                leadProperties.InsertAfter(new Bold(), leadProperties.GetFirstChild<RunFonts>());
            }
            paragraph.Append(new Run(leadProperties, new Text(lead) { Space = SpaceProcessingModeValues.Preserve }));
        }

        paragraph.Append(new Run(runProperties, new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
        return paragraph;
    }
}
