using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace DanVan.Registry;

/// <summary>One column of the registry spreadsheet: the API field it fills and its Vietnamese header.</summary>
public sealed record UnitColumn(string Field, string Header, string Example, string Note);

/// <summary>
/// The registry as a spreadsheet (the form Sở Nội vụ keeps its list of units in): the columns, in order, and the
/// template offered at <c>GET /api/units/template.xlsx</c>. A header names its column in Vietnamese with the API
/// field in brackets ("Mã đơn vị (code)"), so a filled sheet is read by header, whatever the column order.
/// </summary>
public static class UnitSheet
{
    public const string SheetName = "Đơn vị";
    public const string NotesSheetName = "Hướng dẫn";
    public const string TemplateFileName = "Mẫu danh sách đơn vị.xlsx";
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static readonly IReadOnlyList<UnitColumn> Columns =
    [
        new("code", "Mã đơn vị", "so-noi-vu", "Bắt buộc. Chữ thường không dấu, số và dấu gạch ngang, tối đa 63 ký tự; không đổi sau khi đã dùng (là khoá của đơn vị)."),
        new("name", "Tên đơn vị", "Sở Nội vụ", "Bắt buộc, tối đa 200 ký tự, viết có dấu. Đổi tên: giữ nguyên mã, sửa tên."),
        new("group", "Nhóm", "Sở, ban, ngành", "Bắt buộc, ví dụ: Sở, ban, ngành; UBND cấp huyện; Đơn vị sự nghiệp."),
        new("emails", "Email liên hệ", "van.thu@so-noi-vu.example.org; lanh.dao@so-noi-vu.example.org", "Các địa chỉ nhận đường liên kết, nhắc nhở và biên nhận; nhiều địa chỉ cách nhau bằng dấu chấm phẩy (;). Tối đa 10."),
        new("headEmail", "Email thủ trưởng", "giam.doc@so-noi-vu.example.org", "Không bắt buộc. Được đồng gửi thư nhắc khi đơn vị quá hạn."),
        new("activeFrom", "Hiệu lực từ ngày", "2023-05-25", "Bắt buộc. Ngày đơn vị bắt đầu phải báo cáo, dạng yyyy-MM-dd (ví dụ 2025-07-01) hoặc dd/MM/yyyy."),
        new("activeTo", "Hoạt động đến hết ngày", "", "Để trống nếu đơn vị còn hoạt động. Đơn vị giải thể, sáp nhập: ghi ngày cuối cùng đơn vị còn phải báo cáo; đơn vị mới sau sáp nhập là một dòng riêng với mã mới."),
    ];

    /// <summary>The header of a column as the template writes it: "Mã đơn vị (code)".</summary>
    public static string HeaderOf(UnitColumn column) => $"{column.Header} ({column.Field})";

    /// <summary>The column a header names: by its API field (in brackets or alone) or its Vietnamese words; null if none.</summary>
    public static UnitColumn? ColumnFor(string? header)
    {
        var text = (header ?? "").Trim().Normalize();
        if (text.Length == 0)
        {
            return null;
        }

        var open = text.LastIndexOf('(');
        var inBrackets = open >= 0 && text.EndsWith(')') ? text[(open + 1)..^1].Trim() : null;
        var words = open >= 0 ? text[..open].Trim() : text;
        return Columns.FirstOrDefault(c =>
            string.Equals(c.Field, inBrackets ?? text, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(c.Header, words, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Column letters of a 0-based column number: 0 → A, 26 → AA.</summary>
    public static string Letters(int column)
    {
        var letters = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + ((n - 1) % 26)) + letters;
        }

        return letters;
    }

    /// <summary>The template: the header row and one example row on "Đơn vị", what each column means on "Hướng dẫn".</summary>
    public static byte[] Template()
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = document.AddWorkbookPart();
            var styles = workbookPart.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = Styles();

            var units = workbookPart.AddNewPart<WorksheetPart>();
            units.Worksheet = new Worksheet(
                new Columns(Columns.Select((c, i) => new Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = c.Field == "emails" ? 60 : 30, CustomWidth = true, Style = TextStyle })),
                new SheetData(
                    TextRow(1, BoldStyle, Columns.Select(HeaderOf)),
                    TextRow(2, TextStyle, Columns.Select(c => c.Example))));

            var notes = workbookPart.AddNewPart<WorksheetPart>();
            notes.Worksheet = new Worksheet(
                new Columns(new Column { Min = 1, Max = 1, Width = 32, CustomWidth = true }, new Column { Min = 2, Max = 2, Width = 110, CustomWidth = true }),
                new SheetData(
                    new[]
                    {
                        TextRow(1, BoldStyle, ["HƯỚNG DẪN ĐIỀN DANH SÁCH ĐƠN VỊ"]),
                        TextRow(2, 0, ["Điền mỗi đơn vị một dòng trên trang \"Đơn vị\", bắt đầu từ dòng 2 (thay dòng ví dụ). Không đổi tên các cột ở dòng 1."]),
                        TextRow(3, 0, ["Có thể lưu dưới dạng Excel (.xlsx) hoặc CSV UTF-8 (dấu phẩy hoặc dấu chấm phẩy). Không dùng công thức và macro."]),
                        TextRow(4, 0, ["Khi tải tệp lên, hệ thống cho xem trước đơn vị nào được thêm, sửa, ngừng và lỗi ở từng ô; chỉ khi bấm xác nhận mới ghi, và ghi tất cả hoặc không ghi gì."]),
                        TextRow(6, BoldStyle, ["Cột", "Ý nghĩa"]),
                    }.Concat(Columns.Select((c, i) => TextRow((uint)(7 + i), 0, [HeaderOf(c), c.Note])))));

            workbookPart.Workbook = new Workbook(new Sheets(
                new Sheet { Name = SheetName, SheetId = 1, Id = workbookPart.GetIdOfPart(units) },
                new Sheet { Name = NotesSheetName, SheetId = 2, Id = workbookPart.GetIdOfPart(notes) }));
        }

        return stream.ToArray();
    }

    private const uint BoldStyle = 1;

    /// <summary>Text format ("@"): Excel keeps what is typed (a date stays 2025-07-01, not a serial number).</summary>
    private const uint TextStyle = 2;

    private static Row TextRow(uint row, uint style, IEnumerable<string> values) =>
        new(values.Select((v, i) => new Cell(new InlineString(new Text(v) { Space = SpaceProcessingModeValues.Preserve }))
        {
            CellReference = Letters(i) + row.ToString(CultureInfo.InvariantCulture),
            DataType = CellValues.InlineString,
            StyleIndex = style == 0 ? null : style,
        })) { RowIndex = row };

    private static Stylesheet Styles() => new(
        new Fonts(new Font(new FontSize { Val = 11 }, new FontName { Val = "Times New Roman" }), new Font(new Bold(), new FontSize { Val = 11 }, new FontName { Val = "Times New Roman" })) { Count = 2 },
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
        new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder())) { Count = 1 },
        new CellFormats(
            new CellFormat { FontId = 0, FillId = 0, BorderId = 0 },
            new CellFormat { FontId = 1, FillId = 0, BorderId = 0, ApplyFont = true, NumberFormatId = 49, ApplyNumberFormat = true },
            new CellFormat { FontId = 0, FillId = 0, BorderId = 0, NumberFormatId = 49, ApplyNumberFormat = true }) { Count = 3 });
}
