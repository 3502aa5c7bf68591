using System.Globalization;
using DanVan.Domain;
using DanVan.Writing;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace DanVan.Compilation;

/// <summary>
/// <c>TongHop.xlsx</c>: a header block (period, deadline, as-of), one row per required unit
/// (STT, đơn vị, nhóm, trạng thái, thời điểm nhận, số phiên bản, tên tệp, dung lượng, SHA-256) and the totals.
/// Relationship ids are given explicitly: left to the SDK they are random, and the bytes would differ.
/// </summary>
public static class SummaryWorkbook
{
    public const string SheetName = "Tổng hợp";

    /// <summary>The row (1-based) of the column headers; unit rows follow it.</summary>
    public const int HeaderRow = 6;

    public static readonly IReadOnlyList<string> Columns =
        ["STT", "Đơn vị", "Nhóm", "Trạng thái", "Thời điểm nhận (giờ Việt Nam)", "Số phiên bản", "Tên tệp", "Dung lượng (byte)", "SHA-256", "Ký số", "Gia hạn", "Xem xét"];

    private const uint Bold = 1;

    public static byte[] Build(CompilationInputs inputs)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = document.AddNewPart<WorkbookPart>("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "rId1");
            var styles = workbookPart.AddNewPart<WorkbookStylesPart>("rId2");
            styles.Stylesheet = Styles();
            WriteSheet(workbookPart.AddNewPart<WorksheetPart>("rId1"), inputs);
            var sheets = new Sheets(new Sheet { Name = SheetName, SheetId = 1, Id = "rId1" });
            FiguresWorkbook.AddSheets(workbookPart, sheets, inputs.Figures);
            workbookPart.Workbook = new Workbook(sheets);
            FiguresWorkbook.RecalculateOnOpen(workbookPart.Workbook, inputs.Figures);
        }

        return StableZip.Repack(stream.ToArray(), StableZip.TimestampOf(inputs.Period.Deadline));
    }

    /// <summary>
    /// The sheet is streamed into its part one row at a time (<see cref="OpenXmlWriter"/>): a document object of
    /// every cell would hold tens of megabytes at a few thousand units, for a part that deflates to about a hundred kilobytes.
    /// </summary>
    private static void WriteSheet(WorksheetPart part, CompilationInputs inputs)
    {
        using var writer = OpenXmlWriter.Create(part);
        writer.WriteStartElement(new Worksheet());
        writer.WriteElement(new Columns(
            Width(1, 6), Width(2, 45), Width(3, 28), Width(4, 12), Width(5, 26), Width(6, 12), Width(7, 40), Width(8, 16), Width(9, 66), Width(10, 60), Width(11, 32), Width(12, 16)));
        writer.WriteStartElement(new SheetData());
        foreach (var row in Rows(inputs))
        {
            writer.WriteElement(row);
        }

        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    private static IEnumerable<Row> Rows(CompilationInputs inputs)
    {
        var period = inputs.Period;
        yield return TextRow(1, Bold, "TỔNG HỢP TÌNH HÌNH NỘP BÁO CÁO CÔNG TÁC DÂN VẬN");
        yield return TextRow(2, 0, "Kỳ báo cáo:", $"{period.Title} ({period.Id})");
        yield return TextRow(3, 0, "Hạn nộp:", VietnamTime.DescribeDeadline(period.Deadline));
        yield return TextRow(4, 0, "Số liệu tính đến:", $"{VietnamTime.FormatDateTime(inputs.AsOf)} (báo cáo cuối cùng nhận được hoặc hạn nộp, lấy thời điểm muộn hơn)");
        yield return TextRow(HeaderRow, Bold, [.. Columns]);

        var r = (uint)HeaderRow;
        foreach (var unit in inputs.Units)
        {
            r++;
            var v = unit.Latest;
            yield return new Row(
                Number(r, 0, unit.Number),
                Text(r, 1, unit.Row.UnitName),
                Text(r, 2, unit.Row.Group),
                Text(r, 3, unit.Row.Status.Label()),
                Text(r, 4, unit.Row.ReceivedAt is { } at ? VietnamTime.ToVietnam(at).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture) : ""),
                Number(r, 5, unit.Row.VersionCount),
                Text(r, 6, v?.FileName ?? ""),
                v is null ? Text(r, 7, "") : Number(r, 7, v.SizeBytes),
                Text(r, 8, v?.Sha256 ?? ""),
                Text(r, 9, Signatures.SignatureReport.FromJson(v?.Signatures)?.Summary ?? ""),
                Text(r, 10, unit.Row.ExtendedTo is { } extended ? DecisionRules.ExtensionText(extended) : ""),
                Text(r, 11, unit.Row.Review?.Label() ?? "")) { RowIndex = r };
        }

        r += 2;
        var c = inputs.Counts;
        yield return TotalRow(r++, "Tổng số đơn vị phải báo cáo", c.Required);
        yield return TotalRow(r++, "Đúng hạn", c.OnTime);
        yield return TotalRow(r++, "Muộn", c.Late);
        yield return TotalRow(r, "Chưa nộp", c.Missing);
        if (c.Exempt + c.Extended > 0)
        {
            yield return TotalRow(++r, "Miễn nộp kỳ này", c.Exempt);
            yield return TotalRow(++r, "Được gia hạn", c.Extended);
        }

        if (c.Accepted + c.Returned + c.AwaitingReview > 0)
        {
            yield return TotalRow(++r, "Đã tiếp nhận", c.Accepted);
            yield return TotalRow(++r, "Trả lại", c.Returned);
            yield return TotalRow(++r, "Chờ xem xét", c.AwaitingReview);
        }
    }

    private static Row TextRow(uint row, uint style, params string[] values) =>
        new(values.Select((v, i) => Text(row, i, v, style))) { RowIndex = row };

    private static Row TotalRow(uint row, string label, int value) =>
        new(Text(row, 1, label, Bold), Number(row, 2, value)) { RowIndex = row };

    private static Cell Text(uint row, int column, string value, uint style = 0) => new(new InlineString(new Text(value) { Space = SpaceProcessingModeValues.Preserve }))
    {
        CellReference = Reference(row, column),
        DataType = CellValues.InlineString,
        StyleIndex = style == 0 ? null : style,
    };

    private static Cell Number(uint row, int column, long value) => new(new CellValue(value.ToString(CultureInfo.InvariantCulture)))
    {
        CellReference = Reference(row, column),
        DataType = CellValues.Number,
    };

    public static string Reference(uint row, int column) => $"{(char)('A' + column)}{row.ToString(CultureInfo.InvariantCulture)}";

    private static Column Width(uint index, double width) => new() { Min = index, Max = index, Width = width, CustomWidth = true };

    private static Stylesheet Styles() => new(
        new Fonts(new Font(new FontSize { Val = 11 }, new FontName { Val = "Times New Roman" }), new Font(new Bold(), new FontSize { Val = 11 }, new FontName { Val = "Times New Roman" })) { Count = 2 },
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
        new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder())) { Count = 1 },
        new CellFormats(new CellFormat { FontId = 0, FillId = 0, BorderId = 0 }, new CellFormat { FontId = 1, FillId = 0, BorderId = 0, ApplyFont = true }) { Count = 2 });
}
