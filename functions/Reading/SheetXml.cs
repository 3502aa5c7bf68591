using System.Text;
using System.Xml;

namespace DanVan.Reading;

/// <summary>Where a workbook's parts are: its sheets in order (Part null for one that is no worksheet) and its shared strings.</summary>
public sealed record WorkbookParts(IReadOnlyList<WorkbookParts.Sheet> Sheets, string? SharedStrings)
{
    public sealed record Sheet(string Name, string? Part);

    /// <summary>The sheet called <paramref name="name"/>, else the first; null when there is none.</summary>
    public Sheet? Choose(string name) => Sheets.FirstOrDefault(s => s.Name == name) ?? Sheets.FirstOrDefault();

    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelNs = "http://schemas.openxmlformats.org/package/2006/relationships";

    /// <summary>The workbook part named by the package relationships, its sheets and its shared strings part; null when there is no workbook.</summary>
    public static WorkbookParts? Find(BoundedPackage package)
    {
        var workbook = Relationships(package, "_rels/.rels", "").FirstOrDefault(r => r.Type.EndsWith("/officeDocument", StringComparison.Ordinal)).Target;
        if (workbook is null || !package.Has(workbook))
        {
            return null;
        }

        var sheets = new List<(string Name, string Id)>();
        using (var reader = package.OpenXml(workbook)!)
        {
            while (package.Read(reader))
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "sheet" && reader.NamespaceURI == MainNs)
                {
                    sheets.Add((reader.GetAttribute("name") ?? "", reader.GetAttribute("id", RelNs) ?? ""));
                }
            }
        }

        var folder = workbook.Contains('/') ? workbook[..(workbook.LastIndexOf('/') + 1)] : "";
        var rels = Relationships(package, $"{folder}_rels/{workbook[folder.Length..]}.rels", folder);
        var worksheets = rels.Where(r => r.Type.EndsWith("/worksheet", StringComparison.Ordinal) && r.Target is not null && package.Has(r.Target))
            .GroupBy(r => r.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Target, StringComparer.Ordinal);
        var shared = rels.FirstOrDefault(r => r.Type.EndsWith("/sharedStrings", StringComparison.Ordinal)).Target;
        return new WorkbookParts(sheets.Select(s => new Sheet(s.Name, worksheets.GetValueOrDefault(s.Id))).ToList(), shared is not null && package.Has(shared) ? shared : null);
    }

    /// <summary>The relationships of a part: id, type and target resolved against <paramref name="folder"/>.</summary>
    private static List<(string Id, string Type, string? Target)> Relationships(BoundedPackage package, string relsPart, string folder)
    {
        var list = new List<(string, string, string?)>();
        using var reader = package.OpenXml(relsPart);
        while (reader is not null && package.Read(reader))
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship" && reader.NamespaceURI == PackageRelNs
                && reader.GetAttribute("TargetMode") != "External")
            {
                list.Add((reader.GetAttribute("Id") ?? "", reader.GetAttribute("Type") ?? "", Resolve(folder, reader.GetAttribute("Target"))));
            }
        }

        return list;
    }

    private static string? Resolve(string folder, string? target)
    {
        if (target is null)
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var segment in (target.StartsWith('/') ? target : folder + target).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (segment != ".")
            {
                parts.Add(segment);
            }
        }

        return Uri.UnescapeDataString(string.Join('/', parts));
    }
}

/// <summary>
/// A worksheet and its shared strings read as a stream of rows and cells with an <see cref="XmlReader"/> over a
/// <see cref="BoundedPackage"/>: linear in the part, a cell's text runs joined in one builder bounded as it grows.
/// </summary>
public static class SheetXml
{
    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    /// <summary>Excel's own number of columns: a row is held whole, so no more cells than this.</summary>
    public const int MaxCellsPerRow = 16_384;

    /// <summary>One cell as written: reference, type, value, inline text (all its runs), and whether it has a formula.</summary>
    public sealed record Cell(string? Reference, string? Type, string? Value, string? Inline, bool Formula);

    public sealed record Row(int? Index, IReadOnlyList<Cell> Cells);

    /// <summary>The rows of a worksheet in order, each once it is read whole.</summary>
    public static IEnumerable<Row> Rows(BoundedPackage package, string part, int maxCellChars)
    {
        using var reader = package.OpenXml(part) ?? throw new InvalidDataException("No worksheet part.");
        var cells = new List<Cell>();
        int? index = null;
        string? reference = null, type = null;
        var formula = false;
        var value = new Text(maxCellChars);
        var inline = new Text(maxCellChars);
        Text? target = null;
        var inRow = false;
        while (package.Read(reader))
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element when reader.NamespaceURI == MainNs:
                    switch (reader.LocalName)
                    {
                        case "row":
                            (inRow, index) = (true, int.TryParse(reader.GetAttribute("r"), out var r) ? r : null);
                            cells.Clear();
                            if (reader.IsEmptyElement)
                            {
                                inRow = false;
                                yield return new Row(index, []);
                            }

                            break;
                        case "c" when inRow:
                            (reference, type, formula, target) = (reader.GetAttribute("r"), reader.GetAttribute("t"), false, null);
                            value.Clear();
                            inline.Clear();
                            if (reader.IsEmptyElement)
                            {
                                AddCell();
                            }

                            break;
                        case "f":
                            formula = true;
                            break;
                        case "v":
                            target = Begin(value, reader.IsEmptyElement);
                            break;
                        case "t" when inRow:
                            target = Begin(inline, reader.IsEmptyElement);
                            break;
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace when target is not null:
                    target.Append(reader.Value);
                    break;
                case XmlNodeType.EndElement when reader.NamespaceURI == MainNs:
                    switch (reader.LocalName)
                    {
                        case "v" or "t":
                            target = null;
                            break;
                        case "c" when inRow:
                            AddCell();
                            break;
                        case "row" when inRow:
                            inRow = false;
                            yield return new Row(index, cells.ToList());
                            break;
                    }

                    break;
            }
        }

        void AddCell()
        {
            if (cells.Count >= MaxCellsPerRow)
            {
                throw new ReadLimitException($"một dòng có hơn {ReadBudget.Count(MaxCellsPerRow)} ô");
            }

            cells.Add(new Cell(reference, type, value.Value, inline.Value, formula));
            target = null;
        }
    }

    /// <summary>The shared strings, each the text of all its runs; at most <paramref name="maxStrings"/>.</summary>
    public static List<string> SharedStrings(BoundedPackage package, string part, int maxStrings, int maxChars)
    {
        var strings = new List<string>();
        using var reader = package.OpenXml(part);
        var current = new Text(maxChars);
        Text? target = null;
        var inItem = false;
        while (reader is not null && package.Read(reader))
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element when reader.NamespaceURI == MainNs && reader.LocalName == "si":
                    current.Clear();
                    inItem = !reader.IsEmptyElement;
                    if (!inItem)
                    {
                        Add();
                    }

                    break;
                case XmlNodeType.Element when inItem && reader.NamespaceURI == MainNs && reader.LocalName == "t":
                    target = Begin(current, reader.IsEmptyElement);
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace when target is not null:
                    target.Append(reader.Value);
                    break;
                case XmlNodeType.EndElement when reader.NamespaceURI == MainNs && reader.LocalName == "t":
                    target = null;
                    break;
                case XmlNodeType.EndElement when inItem && reader.NamespaceURI == MainNs && reader.LocalName == "si":
                    inItem = false;
                    Add();
                    break;
            }
        }

        return strings;

        void Add()
        {
            if (strings.Count >= maxStrings)
            {
                throw new ReadLimitException($"hơn {ReadBudget.Count(maxStrings)} chuỗi dùng chung");
            }

            strings.Add(current.Value ?? "");
        }
    }

    /// <summary>A <c>v</c> or <c>t</c> element opens: its text is there (empty when the element is), and what follows goes into it unless it is empty.</summary>
    private static Text? Begin(Text text, bool empty)
    {
        text.Start();
        return empty ? null : text;
    }

    /// <summary>Text gathered from runs: one builder, refused past its bound as it grows.</summary>
    public sealed class Text(int maxChars)
    {
        private readonly StringBuilder text = new();
        private bool started;

        public string? Value => started ? text.ToString() : null;

        public void Start() => started = true;

        public void Append(string run)
        {
            if (text.Length + run.Length > maxChars)
            {
                throw new ReadLimitException($"một ô dài hơn {ReadBudget.Count(maxChars)} ký tự");
            }

            text.Append(run);
        }

        public void Clear()
        {
            text.Clear();
            started = false;
        }
    }
}
