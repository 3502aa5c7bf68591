using System.Globalization;
using DanVan.Domain;
using DanVan.Writing;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace DanVan.Figures;

/// <summary>
/// The XLSX a unit fills in offline (<c>GET …/figures/template.xlsx</c>): sheet "Số liệu" with the unit's name,
/// the period, and one row per indicator grouped by plan section, the figure going in column F; and a very
/// hidden sheet "DanVan" that names the period, the unit and the indicator set version, so a template from
/// another period or unit, or made from older indicators, is refused when it comes back. Where each
/// indicator's figure sits follows from the set alone (<see cref="Layout"/>): the reader reads those cells,
/// it never searches.
/// </summary>
public static class FigureTemplate
{
    public const string SheetName = "Số liệu";
    public const string IdentitySheetName = "DanVan";
    public const string Marker = "danvan-figures-template-1";

    /// <summary>The column headers' row; sections and indicators follow it.</summary>
    public const uint HeaderRow = 7;

    public const string CodeColumn = "B";
    public const string ValueColumn = "F";

    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>Each indicator's row, and each section heading's row, in the order the sheet shows them.</summary>
    public static IReadOnlyList<(uint Row, int Section, Indicator? Indicator)> Layout(IndicatorSet set)
    {
        var rows = new List<(uint, int, Indicator?)>();
        var r = HeaderRow;
        foreach (var section in set.BySection())
        {
            rows.Add((++r, section.Key, null));
            foreach (var indicator in section)
            {
                rows.Add((++r, section.Key, indicator));
            }
        }

        return rows;
    }

    public static string FileName(Period period, Unit unit) => $"Số liệu {period.Id} - {unit.Name}.xlsx";

    public static byte[] Build(IndicatorSet set, Period period, Unit unit, IReadOnlyDictionary<string, decimal>? current)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = document.AddNewPart<WorkbookPart>("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "rId1");
            var styles = workbookPart.AddNewPart<WorkbookStylesPart>("rId3");
            styles.Stylesheet = Cells.Styles();
            var sheet = workbookPart.AddNewPart<WorksheetPart>("rId1");
            sheet.Worksheet = Entry(set, period, unit, current ?? new Dictionary<string, decimal>());
            var identity = workbookPart.AddNewPart<WorksheetPart>("rId2");
            identity.Worksheet = new Worksheet(new SheetData(
                Cells.TextRow(1, 0, Marker),
                Cells.TextRow(2, 0, "periodId", period.Id.ToString()),
                Cells.TextRow(3, 0, "unitCode", unit.Code),
                Cells.TextRow(4, 0, "definitionsVersion", set.Version.ToString(CultureInfo.InvariantCulture))));
            workbookPart.Workbook = new Workbook(new Sheets(
                new Sheet { Name = SheetName, SheetId = 1, Id = "rId1" },
                new Sheet { Name = IdentitySheetName, SheetId = 2, Id = "rId2", State = SheetStateValues.VeryHidden }));
        }

        return StableZip.Repack(stream.ToArray(), StableZip.TimestampOf(period.Deadline));
    }

    private static Worksheet Entry(IndicatorSet set, Period period, Unit unit, IReadOnlyDictionary<string, decimal> current)
    {
        var rows = new List<Row>
        {
            Cells.TextRow(1, Cells.Bold, "BIỂU SỐ LIỆU KẾT QUẢ THỰC HIỆN CÔNG TÁC DÂN VẬN"),
            Cells.TextRow(2, 0, "Đơn vị:", unit.Name),
            Cells.TextRow(3, 0, "Kỳ báo cáo:", $"{period.Title} ({period.Id})"),
            Cells.TextRow(4, 0, "Hạn nộp:", VietnamTime.DescribeDeadline(period.Deadline)),
            Cells.TextRow(5, 0, "Hướng dẫn:", "Nhập số liệu vào cột F (Số liệu); số viết như 9.450 hoặc 12,5; chỉ tiêu Có/Không ghi Có hoặc Không. Không sửa các cột khác, không dùng công thức; gửi lại tệp này trên trang nộp báo cáo."),
            Cells.TextRow(HeaderRow, Cells.Bold, "STT", "Mã chỉ tiêu", "Nội dung", "Đơn vị tính", "Kiểu số liệu", "Số liệu"),
        };
        var number = 0;
        foreach (var (r, section, indicator) in Layout(set))
        {
            if (indicator is null)
            {
                var heading = PlanSections.All.FirstOrDefault(s => s.Number == section)?.Heading ?? "";
                rows.Add(Cells.TextRow(r, Cells.Bold, $"Mục {section}", "", heading));
                continue;
            }

            number++;
            var kind = indicator.Type.Label() + (indicator.Required ? " · bắt buộc" : "");
            var cells = new List<Cell>
            {
                Cells.Number(r, 0, number),
                Cells.Text(r, 1, indicator.Code),
                Cells.Text(r, 2, indicator.Label),
                Cells.Text(r, 3, indicator.Unit),
                Cells.Text(r, 4, kind),
            };
            if (current.TryGetValue(indicator.Code, out var value))
            {
                cells.Add(indicator.Type == IndicatorType.YesNo ? Cells.Text(r, 5, IndicatorText.Format(value, indicator.Type)) : Cells.Number(r, 5, value));
            }

            rows.Add(new Row(cells) { RowIndex = r });
        }

        return new Worksheet(
            new Columns(Cells.Width(1, 8), Cells.Width(2, 30), Cells.Width(3, 70), Cells.Width(4, 14), Cells.Width(5, 22), Cells.Width(6, 16)),
            new SheetData(rows));
    }
}

/// <summary>Cell helpers shared by the figures' workbooks (inline strings, numbers, formulas; A1 references).</summary>
public static class Cells
{
    public const uint Bold = 1;

    public static Row TextRow(uint row, uint style, params string[] values) =>
        new(values.Select((v, i) => Text(row, i, v, style))) { RowIndex = row };

    public static Cell Text(uint row, int column, string value, uint style = 0) => new(new InlineString(new Text(value) { Space = SpaceProcessingModeValues.Preserve }))
    {
        CellReference = Reference(row, column),
        DataType = CellValues.InlineString,
        StyleIndex = style == 0 ? null : style,
    };

    public static Cell Number(uint row, int column, decimal value, uint style = 0) => new(new CellValue(value.ToString(CultureInfo.InvariantCulture)))
    {
        CellReference = Reference(row, column),
        DataType = CellValues.Number,
        StyleIndex = style == 0 ? null : style,
    };

    /// <summary>A formula with its value as last computed, so a reader that does not recalculate still sees it.</summary>
    public static Cell Formula(uint row, int column, string formula, decimal cached, uint style = 0) => new(new CellFormula(formula), new CellValue(cached.ToString(CultureInfo.InvariantCulture)))
    {
        CellReference = Reference(row, column),
        StyleIndex = style == 0 ? null : style,
    };

    /// <summary>"A1", "AB12": columns past Z take two letters.</summary>
    public static string Column(int column) => column < 26
        ? ((char)('A' + column)).ToString()
        : $"{(char)('A' + (column / 26) - 1)}{(char)('A' + (column % 26))}";

    public static string Reference(uint row, int column) => Column(column) + row.ToString(CultureInfo.InvariantCulture);

    public static Column Width(uint index, double width) => new() { Min = index, Max = index, Width = width, CustomWidth = true };

    public static Stylesheet Styles() => new(
        new Fonts(new Font(new FontSize { Val = 11 }, new FontName { Val = "Times New Roman" }), new Font(new Bold(), new FontSize { Val = 11 }, new FontName { Val = "Times New Roman" })) { Count = 2 },
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
        new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder())) { Count = 1 },
        new CellFormats(
            new CellFormat { FontId = 0, FillId = 0, BorderId = 0 },
            new CellFormat { FontId = 1, FillId = 0, BorderId = 0, ApplyFont = true },
            new CellFormat { FontId = 0, FillId = 0, BorderId = 0, NumberFormatId = 3, ApplyNumberFormat = true },
            new CellFormat { FontId = 1, FillId = 0, BorderId = 0, NumberFormatId = 3, ApplyNumberFormat = true, ApplyFont = true }) { Count = 4 });
}
