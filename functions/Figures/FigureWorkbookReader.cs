using System.IO.Compression;
using System.Xml;
using DanVan.Domain;

namespace DanVan.Figures;

/// <summary>What a filled-in template says: whose and which it is, and the cells of its entry sheet.</summary>
public sealed record TemplateReading(string PeriodId, string UnitCode, int DefinitionsVersion, IReadOnlyDictionary<string, RawFigure> Cells)
{
    public RawFigure this[string reference] => Cells.TryGetValue(reference, out var cell) ? cell : RawFigure.Empty;
}

/// <summary>
/// Reads a workbook a unit sent back, within fixed limits (parts, bytes inflated, strings), with a plain XML
/// reader over the ZIP: no part is loaded whole and nothing in the file is run. A workbook with macros, or with
/// a formula in any cell, is refused: figures must be the figures typed, not something computed on the unit's machine.
/// </summary>
public static class FigureWorkbookReader
{
    public const long MaxBytes = 2L * 1024 * 1024;
    private const int MaxEntries = 200;
    private const long MaxInflatedBytes = 32L * 1024 * 1024;
    private const int MaxSharedStrings = 100_000;
    private const int MaxCells = 200_000;

    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelNs = "http://schemas.openxmlformats.org/package/2006/relationships";

    public static TemplateReading Read(byte[] workbook)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(workbook, writable: false), ZipArchiveMode.Read);
            return Read(zip);
        }
        catch (InvalidDataException)
        {
            throw FiguresProblems.InvalidWorkbook("tệp không phải là một bảng tính XLSX đọc được");
        }
        catch (XmlException)
        {
            throw FiguresProblems.InvalidWorkbook("nội dung bảng tính bị hỏng");
        }
    }

    private static TemplateReading Read(ZipArchive zip)
    {
        if (zip.Entries.Count > MaxEntries)
        {
            throw FiguresProblems.InvalidWorkbook($"bảng tính có hơn {MaxEntries} phần");
        }

        var budget = new Budget();
        var contentTypes = zip.GetEntry("[Content_Types].xml") ?? throw FiguresProblems.InvalidWorkbook("thiếu [Content_Types].xml");
        var types = ReadAll(contentTypes, budget);
        if (types.Contains("macroEnabled", StringComparison.OrdinalIgnoreCase) || types.Contains("vbaProject", StringComparison.OrdinalIgnoreCase)
            || zip.Entries.Any(e => e.FullName.Contains("vbaProject", StringComparison.OrdinalIgnoreCase) || e.FullName.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)))
        {
            throw FiguresProblems.WorkbookHasMacros();
        }

        var workbook = zip.GetEntry("xl/workbook.xml") ?? throw FiguresProblems.InvalidWorkbook("thiếu xl/workbook.xml");
        var sheets = SheetIds(workbook, budget);
        var rels = Relationships(zip.GetEntry("xl/_rels/workbook.xml.rels") ?? throw FiguresProblems.InvalidWorkbook("thiếu xl/_rels/workbook.xml.rels"), budget);

        // Every worksheet is scanned for formulas, not only the two DanVan reads.
        var sheetCells = new Dictionary<string, Dictionary<string, (string? Type, string? Value, string? Inline)>>(StringComparer.Ordinal);
        foreach (var (name, id) in sheets)
        {
            if (!rels.TryGetValue(id, out var rel) || !rel.Type.EndsWith("/worksheet", StringComparison.Ordinal))
            {
                continue;
            }

            var entry = zip.GetEntry(PartName(rel.Target)) ?? throw FiguresProblems.InvalidWorkbook($"thiếu trang tính \"{name}\"");
            sheetCells[name] = Cells(entry, budget);
        }

        if (!sheetCells.TryGetValue(FigureTemplate.IdentitySheetName, out var identity) || Text(identity, "A1") != FigureTemplate.Marker
            || !sheetCells.TryGetValue(FigureTemplate.SheetName, out var entrySheet))
        {
            throw FiguresProblems.NotATemplate();
        }

        var shared = rels.Values.Where(r => r.Type.EndsWith("/sharedStrings", StringComparison.Ordinal)).Select(r => zip.GetEntry(PartName(r.Target))).FirstOrDefault() is { } sharedEntry
            ? SharedStrings(sharedEntry, budget)
            : [];

        var cells = entrySheet.ToDictionary(kv => kv.Key, kv => ToFigure(kv.Value, shared), StringComparer.Ordinal);
        if (!int.TryParse(Text(identity, "B4"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
        {
            throw FiguresProblems.NotATemplate();
        }

        return new TemplateReading(Text(identity, "B2") ?? "", Text(identity, "B3") ?? "", version, cells);
    }

    private static string? Text(Dictionary<string, (string? Type, string? Value, string? Inline)> sheet, string reference) =>
        sheet.TryGetValue(reference, out var c) ? c.Inline ?? c.Value : null;

    private static RawFigure ToFigure((string? Type, string? Value, string? Inline) cell, IReadOnlyList<string> shared) => cell.Type switch
    {
        null or "n" => decimal.TryParse(cell.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) ? new RawFigure(n, null, null) : new RawFigure(null, null, cell.Value),
        "b" => new RawFigure(null, cell.Value == "1", null),
        "s" => int.TryParse(cell.Value, out var i) && i >= 0 && i < shared.Count ? new RawFigure(null, null, shared[i]) : RawFigure.Empty,
        "inlineStr" => new RawFigure(null, null, cell.Inline),
        _ => new RawFigure(null, null, cell.Value ?? "#"),
    };

    private static string PartName(string target) => target.StartsWith('/') ? target.TrimStart('/') : "xl/" + target;

    private static List<(string Name, string Id)> SheetIds(ZipArchiveEntry entry, Budget budget)
    {
        var list = new List<(string, string)>();
        using var reader = Open(entry, budget);
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "sheet" && reader.NamespaceURI == MainNs)
            {
                list.Add((reader.GetAttribute("name") ?? "", reader.GetAttribute("id", RelNs) ?? ""));
            }
        }

        return list;
    }

    private static Dictionary<string, (string Type, string Target)> Relationships(ZipArchiveEntry entry, Budget budget)
    {
        var map = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        using var reader = Open(entry, budget);
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship" && reader.NamespaceURI == PackageRelNs)
            {
                map[reader.GetAttribute("Id") ?? ""] = (reader.GetAttribute("Type") ?? "", reader.GetAttribute("Target") ?? "");
            }
        }

        return map;
    }

    private static Dictionary<string, (string? Type, string? Value, string? Inline)> Cells(ZipArchiveEntry entry, Budget budget)
    {
        var cells = new Dictionary<string, (string?, string?, string?)>(StringComparer.Ordinal);
        using var reader = Open(entry, budget);
        string? reference = null, type = null, value = null, inline = null;
        reader.Read();
        while (!reader.EOF)
        {
            // ReadElementContentAsString leaves the reader on the next node already: no Read() after it.
            if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == MainNs)
            {
                if (reader.LocalName == "f")
                {
                    throw FiguresProblems.WorkbookHasFormulas();
                }

                if (reader.LocalName == "c")
                {
                    (reference, type, value, inline) = (reader.GetAttribute("r"), reader.GetAttribute("t"), null, null);
                    if (reader.IsEmptyElement)
                    {
                        Add();
                    }
                }
                else if (reader.LocalName == "v" && reference is not null)
                {
                    value = reader.ReadElementContentAsString();
                    continue;
                }
                else if (reader.LocalName == "t" && reference is not null)
                {
                    inline = (inline ?? "") + reader.ReadElementContentAsString();
                    continue;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "c" && reader.NamespaceURI == MainNs)
            {
                Add();
            }

            reader.Read();
        }

        return cells;

        void Add()
        {
            if (reference is not null)
            {
                if (cells.Count >= MaxCells)
                {
                    throw FiguresProblems.InvalidWorkbook($"bảng tính có hơn {MaxCells} ô");
                }

                cells[reference] = (type, value, inline);
            }

            reference = null;
        }
    }

    private static List<string> SharedStrings(ZipArchiveEntry entry, Budget budget)
    {
        var strings = new List<string>();
        using var reader = Open(entry, budget);
        string? current = null;
        reader.Read();
        while (!reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == MainNs && reader.LocalName == "si")
            {
                current = "";
                if (reader.IsEmptyElement)
                {
                    Add("");
                    current = null;
                }
            }
            else if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == MainNs && reader.LocalName == "t" && current is not null)
            {
                current += reader.ReadElementContentAsString();
                continue;
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "si" && current is not null)
            {
                Add(current);
                current = null;
            }

            reader.Read();
        }

        return strings;

        void Add(string text)
        {
            if (strings.Count >= MaxSharedStrings)
            {
                throw FiguresProblems.InvalidWorkbook($"bảng tính có hơn {MaxSharedStrings} chuỗi");
            }

            strings.Add(text);
        }
    }

    private static string ReadAll(ZipArchiveEntry entry, Budget budget)
    {
        using var reader = new StreamReader(new CountingStream(entry.Open(), budget));
        var text = reader.ReadToEnd();
        return text;
    }

    private static XmlReader Open(ZipArchiveEntry entry, Budget budget) => XmlReader.Create(
        new CountingStream(entry.Open(), budget),
        new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = false, CloseInput = true });

    private sealed class Budget
    {
        private long inflated;

        public void Count(int bytes)
        {
            inflated += bytes;
            if (inflated > MaxInflatedBytes)
            {
                throw FiguresProblems.InvalidWorkbook($"nội dung giải nén lớn hơn {MaxInflatedBytes / (1024 * 1024)} MB");
            }
        }
    }

    /// <summary>Counts every byte inflated from the package against the one budget of this reading.</summary>
    private sealed class CountingStream(Stream inner, Budget budget) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            budget.Count(n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
