using System.Globalization;
using System.Text;
using System.Xml;
using DanVan.Reading;

namespace DanVan.Compilation;

/// <summary>
/// One paragraph of a unit's report, and whether its style marks it as a heading; from a DOCX also its own style,
/// automatic numbering (<c>w:numPr</c>), outline level, whether all its text is bold, and the table row it sits in
/// (paragraphs of one row share a number; 0 outside tables). <see cref="ReportTree"/> reads the structure from these.
/// </summary>
public sealed record ReportParagraph(string Text, bool IsHeadingStyle)
{
    public string? Style { get; init; }
    public int? NumId { get; init; }
    public int NumLevel { get; init; }
    public int? OutlineLevel { get; init; }
    public bool Bold { get; init; }
    public int TableRow { get; init; }

    /// <summary>A DanVan mark on the paragraph (a bookmark starting "dv"), as the outline template puts on its headings.</summary>
    public string? Mark { get; init; }
}

/// <summary>What could be read from a unit's file for the draft report; a DOCX's styles and numbering definitions in <see cref="Format"/>.</summary>
public sealed record ReportReading(IReadOnlyList<ReportParagraph>? Paragraphs, string? Problem)
{
    public DocxFormat? Format { get; init; }

    public static ReportReading Failed(string problem) => new(null, problem);
}

/// <summary>
/// Reads the text of a unit's DOCX report; any other format, a DOCX that will not open, or one that
/// goes over a bound of <see cref="ReportLimits"/> is a note, never a failure. The main document part
/// is streamed through a counting stream into an <see cref="XmlReader"/> (no DTD, no external
/// resolution) and only paragraph text is kept: no DOM is built, so memory stays at the XML reader's
/// buffers plus the text collected, whatever the file inflates to.
/// </summary>
public static class ReportText
{
    /// <summary>DOCX larger than this is not read into memory for its text (it still goes into the bundle).</summary>
    public const long MaxDocxBytes = 20L * 1024 * 1024;

    private const string WordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    private const string StrictWordNamespace = "http://purl.oclc.org/ooxml/wordprocessingml/main";
    private const string RelationshipsNamespace = "http://schemas.openxmlformats.org/package/2006/relationships";
    private const string OfficeDocumentType = "/officeDocument";


    public static bool IsDocx(string fileName) => string.Equals(Path.GetExtension(fileName), ".docx", StringComparison.OrdinalIgnoreCase);

    public static string NotDocx(string fileName) =>
        $"tệp {Format(fileName)} không phải DOCX nên không trích được nội dung; xem tệp gốc trong thư mục BaoCao";

    public static string TooLarge(string fileName) =>
        $"tệp {Format(fileName)} lớn hơn {MaxDocxBytes / (1024 * 1024)} MB nên không trích nội dung; xem tệp gốc trong thư mục BaoCao";

    /// <summary>The note for a file that went over a bound while being read; <paramref name="reason"/> says which.</summary>
    public static string OverLimit(string fileName, string reason) =>
        $"tệp {Format(fileName)} quá lớn ({reason}) nên không đọc được nội dung; xem tệp gốc trong thư mục BaoCao";

    /// <summary>The paragraphs of the body, in order, within <see cref="ReportLimits.Default"/>; a corrupt or oversized file gives a problem note instead.</summary>
    public static ReportReading Read(Stream docx, string fileName, CancellationToken ct = default) => Read(docx, fileName, ReportLimits.Default, ct);

    /// <summary>
    /// The paragraphs of the body, in order, within <paramref name="limits"/>. <paramref name="docx"/> must be seekable.
    /// The read runs on a thread of its own (<see cref="BoundedRun"/>): past <see cref="ReportLimits.MaxTime"/> the caller
    /// gets the note at once.
    /// </summary>
    public static ReportReading Read(Stream docx, string fileName, ReportLimits limits, CancellationToken ct = default) =>
        BoundedRun.Run(token => ReadHere(docx, fileName, limits, token), limits.MaxTime, () => ReportReading.Failed(OverLimit(fileName, ReadBudget.TooSlow(limits.MaxTime))), ct);

    private static ReportReading ReadHere(Stream docx, string fileName, ReportLimits limits, CancellationToken ct)
    {
        var budget = new ReadBudget(limits.MaxTime, ct);
        try
        {
            using var package = BoundedPackage.Open(docx, limits.Package, budget);
            var main = MainPart(package);
            var paragraphs = main is null ? null : ReadBody(package, main, limits, budget);
            return paragraphs is null
                ? ReportReading.Failed($"tệp {Format(fileName)} không có nội dung văn bản")
                : new ReportReading(paragraphs, null) { Format = ReadFormat(package, main!) };
        }
        catch (ReadLimitException ex)
        {
            return ReportReading.Failed(OverLimit(fileName, ex.Reason));
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // A unit's broken file must never stop the compilation: the draft says it could not be read.
            return ReportReading.Failed($"tệp {Format(fileName)} bị lỗi, không đọc được nội dung ({ex.GetType().Name}); xem tệp gốc trong thư mục BaoCao");
        }
    }

    /// <summary>The main document part named by the package relationships (<c>_rels/.rels</c>), or null when there is none.</summary>
    private static string? MainPart(BoundedPackage package)
    {
        using var reader = package.OpenXml("_rels/.rels") ?? throw new InvalidDataException("No package relationships.");
        while (package.Read(reader))
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship" && reader.NamespaceURI == RelationshipsNamespace
                && reader.GetAttribute("Type") is { } type && type.EndsWith(OfficeDocumentType, StringComparison.Ordinal)
                && reader.GetAttribute("Target") is { } target)
            {
                var name = Uri.UnescapeDataString(target).TrimStart('/');
                return package.Has(name) ? name : null;
            }
        }

        return null;
    }

    /// <summary>The styles and numbering parts the main part's relationships name, read within the same budget.</summary>
    private static DocxFormat ReadFormat(BoundedPackage package, string main)
    {
        var slash = main.LastIndexOf('/');
        var folder = slash >= 0 ? main[..(slash + 1)] : "";
        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var rels = package.OpenXml($"{folder}_rels/{main[(slash + 1)..]}.rels"))
        {
            while (rels is not null && package.Read(rels))
            {
                if (rels.NodeType == XmlNodeType.Element && rels.LocalName == "Relationship" && rels.GetAttribute("Type") is { } type && rels.GetAttribute("Target") is { } target
                    && type[(type.LastIndexOf('/') + 1)..] is "styles" or "numbering" && rels.GetAttribute("TargetMode") != "External")
                {
                    targets.TryAdd(type[(type.LastIndexOf('/') + 1)..], target.StartsWith('/') ? target.TrimStart('/') : folder + target);
                }
            }
        }

        DocxFormat.Builder format = new();
        foreach (var (kind, name) in targets)
        {
            using var reader = package.OpenXml(Uri.UnescapeDataString(name));
            if (reader is not null)
            {
                format.Read(reader, kind, package.CheckDepth);
            }
        }

        return format.Build();
    }

    /// <summary>
    /// Every paragraph of the body in document order (an outer paragraph before one nested in it, and its
    /// text including the nested one's, as the OpenXml SDK's <c>Descendants</c> gives them), with the
    /// heading flag from its own <c>w:pPr/w:pStyle</c>, its numbering, outline level, bold and table row;
    /// empty paragraphs dropped. Null when there is no body.
    /// </summary>
    private static List<ReportParagraph>? ReadBody(BoundedPackage package, string main, ReportLimits limits, ReadBudget budget)
    {
        var found = new List<OpenParagraph?>();
        var open = new Stack<OpenParagraph>();
        var rows = new Stack<int>();
        var rowCount = 0;
        var sawBody = false;
        var textDepth = -1;
        var runDepth = -1;
        var runBold = false;

        var paragraphCount = budget.Allow(limits.MaxParagraphs, max => $"hơn {ReadBudget.Count(max)} đoạn văn");
        var characters = budget.Allow(limits.MaxTextChars, max => $"văn bản dài hơn {ReadBudget.Count(max)} ký tự");
        using (var reader = package.OpenXml(main)!)
        {
            while (package.Read(reader))
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element when IsWord(reader):
                        // w:p/w:pPr/…: the paragraph's own properties, not those of a paragraph nested in it.
                        var own = open.TryPeek(out var p) ? reader.Depth - p.Depth : -1;
                        switch (reader.LocalName)
                        {
                            case "body":
                                sawBody = true;
                                break;
                            case "tr" when !reader.IsEmptyElement:
                                rows.Push(++rowCount);
                                break;
                            case "p":
                                paragraphCount.Spend(1);
                                found.Add(null);
                                if (!reader.IsEmptyElement)
                                {
                                    open.Push(new OpenParagraph(found.Count - 1, reader.Depth, rows.TryPeek(out var row) ? row : 0));
                                }

                                break;
                            case "r" when own > 0:
                                (runDepth, runBold) = (reader.Depth, false);
                                break;
                            case "b" when runDepth >= 0 && reader.Depth == runDepth + 2:
                                runBold = IsOn(reader.GetAttribute("val", reader.NamespaceURI));
                                break;
                            case "t" when open.Count > 0 && !reader.IsEmptyElement:
                                textDepth = reader.Depth;
                                break;
                            case "pStyle" when own == 2:
                                p!.Style = reader.GetAttribute("val", reader.NamespaceURI);
                                break;
                            case "outlineLvl" when own == 2:
                                p!.OutlineLevel = Number(reader.GetAttribute("val", reader.NamespaceURI));
                                break;
                            case "numId" when own == 3:
                                p!.NumId = Number(reader.GetAttribute("val", reader.NamespaceURI));
                                break;
                            case "ilvl" when own == 3:
                                p!.NumLevel = Number(reader.GetAttribute("val", reader.NamespaceURI)) ?? 0;
                                break;
                            case "bookmarkStart" when own == 1 && p!.Mark is null && reader.GetAttribute("name", reader.NamespaceURI) is { } mark && mark.StartsWith("dv", StringComparison.Ordinal):
                                p.Mark = mark.Length > 60 ? mark[..60] : mark;
                                break;
                        }

                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace when textDepth >= 0:
                        var value = reader.Value;

                        // Held once by each paragraph it is part of (a paragraph nested in another's text is in both).
                        characters.Spend((long)value.Length * open.Count);
                        foreach (var o in open)
                        {
                            o.Text.Append(value);
                        }

                        if (open.TryPeek(out var top) && !string.IsNullOrWhiteSpace(value))
                        {
                            top.Plain |= !runBold;
                        }

                        break;
                    case XmlNodeType.EndElement when IsWord(reader):
                        if (reader.LocalName == "t" && reader.Depth == textDepth)
                        {
                            textDepth = -1;
                        }
                        else if (reader.LocalName == "r" && reader.Depth == runDepth)
                        {
                            (runDepth, runBold) = (-1, false);
                        }
                        else if (reader.LocalName == "tr" && rows.Count > 0)
                        {
                            rows.Pop();
                        }
                        else if (reader.LocalName == "p" && open.TryPeek(out var closed) && closed.Depth == reader.Depth)
                        {
                            open.Pop();
                            found[closed.Index] = closed;
                        }

                        break;
                }
            }
        }

        return sawBody
            ? found.Where(p => p is not null).Select(p => p!.ToParagraph()).Where(p => p.Text.Trim().Length > 0).ToList()
            : null;
    }

    /// <summary>A paragraph being read: its text so far and the properties seen.</summary>
    private sealed class OpenParagraph(int index, int depth, int tableRow)
    {
        public int Index => index;
        public int Depth => depth;
        public StringBuilder Text { get; } = new();
        public string? Style { get; set; }
        public int? NumId { get; set; }
        public int NumLevel { get; set; }
        public int? OutlineLevel { get; set; }
        public string? Mark { get; set; }

        /// <summary>Some text of the paragraph is in a run that is not bold.</summary>
        public bool Plain { get; set; }

        public ReportParagraph ToParagraph() => new(Text.ToString(), IsHeadingStyle(Style))
        {
            Style = Style,
            NumId = NumId,
            NumLevel = NumLevel,
            OutlineLevel = OutlineLevel,
            Bold = !Plain,
            TableRow = tableRow,
            Mark = Mark,
        };
    }

    /// <summary>An on/off property: absent value, "1", "true" or "on" is on.</summary>
    internal static bool IsOn(string? value) => value is null or "1" or "true" or "on";

    internal static int? Number(string? value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static bool IsWord(XmlReader reader) => reader.NamespaceURI is WordNamespace or StrictWordNamespace;

    private static bool IsHeadingStyle(string? style) =>
        style is not null && (style.StartsWith("Heading", StringComparison.OrdinalIgnoreCase) || style.StartsWith("Title", StringComparison.OrdinalIgnoreCase));

    private static string Format(string fileName) => $"\"{fileName}\"";
}
