using System.Globalization;
using System.Text;
using System.Text.Json;
using DanVan.Domain;
using DanVan.Reading;

namespace DanVan.Registry;

/// <summary>One row of an import file: where it is (sheet row, each field's cell) and what it says.</summary>
public sealed record ImportRow(int Line, UnitRecord Record, IReadOnlyDictionary<string, string> Cells, IReadOnlyList<Violation> Errors)
{
    /// <summary>Where a field is, as a person finds it: "C5" in a sheet or CSV, the field name in JSON.</summary>
    public string CellOf(string field) => Cells.TryGetValue(field, out var cell) ? cell : field;
}

/// <summary>An import file read: its format (xlsx, csv, json) and its rows, in order.</summary>
public sealed record ParsedImport(string Format, IReadOnlyList<ImportRow> Rows);

/// <summary>
/// Reads a registry file the way Sở Nội vụ keeps it: an Excel workbook (.xlsx, the first sheet, read by header),
/// a CSV (UTF-8 with or without BOM, ',' or ';' as Excel writes it in a Vietnamese locale) or the API's JSON array.
/// Bounded: the file's bytes (the caller's cap), the workbook's parts inflated, a cell's characters, the rows, the
/// time (the workbook is read on a thread of its own); a workbook with macros (VBA or an Excel 4.0 macro sheet),
/// and a cell with a formula, are refused (what is imported is what the person sees in the cell).
/// A file that cannot be read at all throws a <see cref="DomainException"/>; a bad cell is an error of its row.
/// </summary>
public static class UnitFileReader
{
    public const int MaxRows = 5000;
    private const int MaxSharedStrings = 300_000;
    internal const int MaxCellChars = 32_767;

    public static readonly TimeSpan MaxReadTime = TimeSpan.FromSeconds(10);

    public static ParsedImport Read(byte[] body, string? contentType)
    {
        var type = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (body.Length >= 4 && body[0] == 'P' && body[1] == 'K' && body[2] == 3 && body[3] == 4)
        {
            return new ParsedImport("xlsx", ReadWorkbook(body));
        }

        if (type is "application/json" || (type.Length == 0 && FirstNonSpace(body) == '['))
        {
            return new ParsedImport("json", ReadJson(body));
        }

        if (type is "text/csv" or "text/plain" or "application/csv" or "application/vnd.ms-excel" or "")
        {
            return new ParsedImport("csv", ReadCsv(body));
        }

        throw Unreadable(RefusalCodes.UnsupportedImportFormat, "Chỉ nhận tệp Excel (.xlsx), CSV (UTF-8) hoặc JSON.");
    }

    private static char FirstNonSpace(byte[] body) => (char)(body.FirstOrDefault(b => b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)));

    internal static DomainException Unreadable(RefusalCode code, string detail) => new(code, detail, title: "Không đọc được tệp danh sách đơn vị");

    private static List<ImportRow> ReadJson(byte[] body)
    {
        List<UnitRecord?>? records;
        try
        {
            records = JsonSerializer.Deserialize<List<UnitRecord?>>(Domain.Json.WithoutBom(body), Domain.Json.Options);
        }
        catch (JsonException ex)
        {
            throw Unreadable(RefusalCodes.InvalidJson, $"Không đọc được JSON (dòng {ex.LineNumber + 1}, vị trí {ex.Path ?? "$"}).");
        }

        if (records is { Count: > MaxRows })
        {
            throw TooManyRows();
        }

        var fields = UnitSheet.Columns.ToDictionary(c => c.Field, c => c.Field);
        return (records ?? []).Select((r, i) => r is null
            ? new ImportRow(i + 1, new UnitRecord(null, null, null, null, null, null, null), fields, [new Violation(i, "", "missing_row", "Dòng trống.")])
            : new ImportRow(i + 1, r, fields, [])).ToList();
    }

    internal static DomainException TooManyRows() =>
        Unreadable(RefusalCodes.TooManyRows, $"Tệp có quá {MaxRows.ToString("N0", VietnamTime.Culture)} dòng đơn vị.");

    private static List<ImportRow> ReadCsv(byte[] body) =>
        RowsOf(UnitCsv.Records(body).Select((cells, i) => (Line: i + 1, Cells: cells.Select(c => new SheetCell(c, false)).ToList())).ToList());

    // --- XLSX --------------------------------------------------------------------------------------------------

    /// <summary>
    /// The first sheet (or the one named <see cref="UnitSheet.SheetName"/>) streamed through the one bounded package reader:
    /// nothing is loaded whole, a cell's text and each shared string are gathered in one builder and bounded as they grow,
    /// and the read runs on a thread of its own that the request waits for at most <see cref="MaxReadTime"/>.
    /// </summary>
    private static List<ImportRow> ReadWorkbook(byte[] body) =>
        BoundedRun.Run(token => ReadWorkbookHere(body, token), MaxReadTime,
            () => throw Unreadable(RefusalCodes.InvalidXlsx, $"Tệp Excel quá lớn ({ReadBudget.TooSlow(MaxReadTime)})."), CancellationToken.None);

    private static List<ImportRow> ReadWorkbookHere(byte[] body, CancellationToken ct)
    {
        try
        {
            using var package = BoundedPackage.Open(new MemoryStream(body, writable: false), PackageLimits.Workbook, new ReadBudget(MaxReadTime, ct));
            if (package.HasMacros())
            {
                throw Unreadable(RefusalCodes.MacrosNotAllowed, "Tệp Excel có macro: vui lòng lưu lại dạng .xlsx không có macro.");
            }

            var workbook = WorkbookParts.Find(package) ?? throw Unreadable(RefusalCodes.InvalidXlsx, "Tệp Excel không có bảng tính.");
            var sheet = workbook.Choose(UnitSheet.SheetName) ?? throw Unreadable(RefusalCodes.InvalidXlsx, "Tệp Excel không có trang tính nào.");
            if (sheet.Part is not { } part)
            {
                throw Unreadable(RefusalCodes.InvalidXlsx, "Không đọc được trang tính đầu tiên của tệp Excel.");
            }

            var shared = workbook.SharedStrings is { } sharedPart ? SheetXml.SharedStrings(package, sharedPart, MaxSharedStrings, MaxCellChars) : [];
            var lines = new List<(int Line, List<SheetCell> Cells)>();
            foreach (var row in SheetXml.Rows(package, part, MaxCellChars))
            {
                if (lines.Count > MaxRows)
                {
                    throw TooManyRows();
                }

                var cells = new List<SheetCell>();
                foreach (var cell in row.Cells)
                {
                    var column = cell.Reference is { } reference ? ColumnOf(reference) : cells.Count;
                    if (column > 50)
                    {
                        continue;
                    }

                    while (cells.Count < column)
                    {
                        cells.Add(new SheetCell("", false));
                    }

                    cells.Add(ValueOf(cell, shared));
                }

                lines.Add((row.Index ?? lines.Count + 1, cells));
            }

            return RowsOf(lines);
        }
        catch (ReadLimitException ex)
        {
            throw Unreadable(RefusalCodes.InvalidXlsx, $"Tệp Excel quá lớn ({ex.Reason}).");
        }
        catch (Exception ex) when (ex is InvalidDataException or System.Xml.XmlException or IOException or FormatException)
        {
            throw Unreadable(RefusalCodes.InvalidXlsx, "Tệp không phải là tệp Excel (.xlsx) hợp lệ hoặc quá lớn.");
        }
    }

    private sealed record SheetCell(string Text, bool Formula, double? Number = null);

    private static SheetCell ValueOf(SheetXml.Cell cell, List<string> shared)
    {
        var raw = cell.Value ?? "";
        if (cell.Type == "s")
        {
            return new SheetCell(int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < shared.Count ? shared[i] : "", cell.Formula);
        }

        if (cell.Type == "inlineStr")
        {
            return new SheetCell(cell.Inline ?? "", cell.Formula);
        }

        if (cell.Type is null or "n" && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return new SheetCell(raw, cell.Formula, number);
        }

        return new SheetCell(raw, cell.Formula);
    }

    private static int ColumnOf(string reference)
    {
        var column = 0;
        foreach (var c in reference)
        {
            if (c is < 'A' or > 'Z')
            {
                break;
            }

            column = column * 26 + (c - 'A' + 1);
            if (column > 1000)
            {
                break;
            }
        }

        return column - 1;
    }

    // --- rows from cells ---------------------------------------------------------------------------------------

    /// <summary>The first non-empty line is the header; each following non-empty line is one unit.</summary>
    private static List<ImportRow> RowsOf(List<(int Line, List<SheetCell> Cells)> lines)
    {
        var nonEmpty = lines.Where(l => l.Cells.Any(c => c.Text.Trim().Length > 0)).ToList();
        if (nonEmpty.Count == 0)
        {
            return [];
        }

        var header = nonEmpty[0];
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Cells.Count; i++)
        {
            if (UnitSheet.ColumnFor(header.Cells[i].Text) is { } column && !columns.ContainsKey(column.Field))
            {
                columns[column.Field] = i;
            }
        }

        var missing = UnitSheet.Columns.Where(c => c.Field is "code" or "name" or "group" or "activeFrom" && !columns.ContainsKey(c.Field)).ToList();
        if (missing.Count > 0)
        {
            throw Unreadable(RefusalCodes.MissingColumns,
                $"Dòng tiêu đề (dòng {header.Line}) thiếu cột: {string.Join(", ", missing.Select(UnitSheet.HeaderOf))}. Hãy dùng tệp mẫu.");
        }

        var rows = new List<ImportRow>();
        foreach (var (line, cells) in nonEmpty.Skip(1))
        {
            var index = rows.Count;
            var errors = new List<Violation>();
            var where = columns.ToDictionary(c => c.Key, c => UnitSheet.Letters(c.Value) + line.ToString(CultureInfo.InvariantCulture));
            string? Get(string field)
            {
                if (!columns.TryGetValue(field, out var i) || i >= cells.Count)
                {
                    return null;
                }

                var cell = cells[i];
                if (cell.Formula)
                {
                    errors.Add(new Violation(index, field, "formula_not_allowed", $"Ô {where[field]} có công thức: vui lòng nhập giá trị (dán dạng giá trị)."));
                    return null;
                }

                if (field is "activeFrom" or "activeTo" && cell.Number is { } serial)
                {
                    return SerialDate(serial);
                }

                var text = cell.Text.Trim();
                return text.Length == 0 ? null : text;
            }

            var record = new UnitRecord(
                Get("code"),
                Get("name"),
                Get("group"),
                SplitEmails(Get("emails")),
                Get("headEmail"),
                NormalizeDate(Get("activeFrom")),
                NormalizeDate(Get("activeTo")));
            rows.Add(new ImportRow(line, record, where, errors));
        }

        return rows;
    }

    private static List<string> SplitEmails(string? text) =>
        (text ?? "").Split([';', ',', '\n', '\r', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>A date typed as dd/MM/yyyy (as people write it in Vietnam) becomes yyyy-MM-dd; anything else is left for the rules to judge.</summary>
    private static string? NormalizeDate(string? text) =>
        text is not null && DateOnly.TryParseExact(text, ["d/M/yyyy", "dd/MM/yyyy", "d-M-yyyy", "yyyy-M-d"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : text;

    /// <summary>A date Excel stored as its serial number (a date cell not formatted as text).</summary>
    private static string SerialDate(double serial) =>
        serial is >= 1 and < 2958466 && Math.Abs(serial - Math.Floor(serial)) < 1e-9
            ? DateOnly.FromDateTime(DateTime.FromOADate(serial)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : serial.ToString(CultureInfo.InvariantCulture);
}
