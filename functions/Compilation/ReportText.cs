using System.Text;
using System.Xml;
using DanVan.Reading;

namespace DanVan.Compilation;

/// <summary>One paragraph of a unit's report, and whether its style marks it as a heading.</summary>
public sealed record ReportParagraph(string Text, bool IsHeadingStyle);

/// <summary>What could be read from a unit's file for the draft report.</summary>
public sealed record ReportReading(IReadOnlyList<ReportParagraph>? Paragraphs, string? Problem)
{
    public static ReportReading Failed(string problem) => new(null, problem);
}

/// <summary>
/// How much reading one unit's DOCX for its text may cost. A unit's file is hostile until read: its
/// ZIP entries' declared sizes can lie, so every bound counts what is actually inflated and parsed.
/// </summary>
/// <param name="MaxEntries">ZIP entries the package may declare (a DOCX has a few dozen).</param>
/// <param name="MaxDirectoryBytes">Bytes of the ZIP's central directory, as it lies in the file (what the ZIP reader loads whole).</param>
/// <param name="MaxInflatedBytes">Bytes inflated from the package's parts (<c>_rels/.rels</c> and the main document), counted as they are read.</param>
/// <param name="MaxTokenBytes">Bytes between two markup delimiters (<c>&lt;</c>, <c>&gt;</c>): the XML reader holds one name, attribute or text node whole.</param>
/// <param name="MaxDepth">Element nesting.</param>
/// <param name="MaxNames">Distinct names (elements, attributes, prefixes, namespaces) the XML reader keeps in its name table.</param>
/// <param name="MaxParagraphs">Paragraphs (<c>w:p</c>), empty ones included.</param>
/// <param name="MaxTextChars">Characters of text collected.</param>
/// <param name="MaxTime">Wall-clock time spent on the file; the read runs on its own thread and the caller never waits longer.</param>
public sealed record ReportLimits(
    int MaxEntries,
    long MaxDirectoryBytes,
    long MaxInflatedBytes,
    int MaxTokenBytes,
    int MaxDepth,
    int MaxNames,
    int MaxParagraphs,
    int MaxTextChars,
    TimeSpan MaxTime)
{
    /// <summary>Pages of a PDF read for their text.</summary>
    public int MaxPages { get; init; } = 2_000;

    /// <summary>
    /// Bytes a page's text may be drawn from: its content streams decoded, plus each form it draws (<c>Do</c>) as many
    /// times as it draws it. PdfPig holds a page's operators and letters at a few hundred bytes per byte of content,
    /// so this bounds a page's memory; a dense page of a real report is some tens of kilobytes.
    /// </summary>
    public long MaxPageContentBytes { get; init; } = 256 * 1024;

    /// <summary>Bytes any one PDF stream (a font, a map, an object stream) may decode to; object streams together may hold this much.</summary>
    public long MaxStreamDecodedBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>The bounds of the ZIP package and its XML, for <see cref="BoundedPackage"/>.</summary>
    public PackageLimits Package => new(MaxEntries, MaxDirectoryBytes, MaxInflatedBytes, MaxTokenBytes, MaxDepth, MaxNames);

    /// <summary>Far above any real report (a 100-page report is a few MB of XML and a few hundred thousand characters); the draft takes at most 20,000 characters per unit and section anyway.</summary>
    public static readonly ReportLimits Default = new(
        MaxEntries: 10_000,
        MaxDirectoryBytes: 2 * 1024 * 1024,
        MaxInflatedBytes: 64L * 1024 * 1024,
        MaxTokenBytes: 1024 * 1024,
        MaxDepth: 256,
        MaxNames: 10_000,
        MaxParagraphs: 100_000,
        MaxTextChars: 2_000_000,
        MaxTime: TimeSpan.FromSeconds(10));
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
                : new ReportReading(paragraphs, null);
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

    /// <summary>
    /// Every paragraph of the body in document order (an outer paragraph before one nested in it, and its
    /// text including the nested one's, as the OpenXml SDK's <c>Descendants</c> gives them), with the
    /// heading flag from its own <c>w:pPr/w:pStyle</c>; empty paragraphs dropped. Null when there is no body.
    /// </summary>
    private static List<ReportParagraph>? ReadBody(BoundedPackage package, string main, ReportLimits limits, ReadBudget budget)
    {
        var found = new List<(StringBuilder Text, bool Heading)?>();
        var open = new Stack<(int Index, int Depth, StringBuilder Text)>();
        var headings = new HashSet<int>();
        var sawBody = false;
        var textDepth = -1;

        var paragraphCount = budget.Allow(limits.MaxParagraphs, max => $"hơn {ReadBudget.Count(max)} đoạn văn");
        var characters = budget.Allow(limits.MaxTextChars, max => $"văn bản dài hơn {ReadBudget.Count(max)} ký tự");
        using (var reader = package.OpenXml(main)!)
        {
            while (package.Read(reader))
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element when IsWord(reader):
                        switch (reader.LocalName)
                        {
                            case "body":
                                sawBody = true;
                                break;
                            case "p":
                                paragraphCount.Spend(1);
                                found.Add(null);
                                if (!reader.IsEmptyElement)
                                {
                                    open.Push((found.Count - 1, reader.Depth, new StringBuilder()));
                                }

                                break;
                            case "t" when open.Count > 0 && !reader.IsEmptyElement:
                                textDepth = reader.Depth;
                                break;
                            case "pStyle" when open.TryPeek(out var p) && reader.Depth == p.Depth + 2 && IsHeadingStyle(reader.GetAttribute("val", reader.NamespaceURI)):
                                // w:p/w:pPr/w:pStyle: the paragraph's own style, not one of a paragraph nested in it.
                                headings.Add(p.Index);
                                break;
                        }

                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace when textDepth >= 0:
                        var value = reader.Value;

                        // Held once by each paragraph it is part of (a paragraph nested in another's text is in both).
                        characters.Spend((long)value.Length * open.Count);
                        foreach (var p in open)
                        {
                            p.Text.Append(value);
                        }

                        break;
                    case XmlNodeType.EndElement when IsWord(reader):
                        if (reader.LocalName == "t" && reader.Depth == textDepth)
                        {
                            textDepth = -1;
                        }
                        else if (reader.LocalName == "p" && open.TryPeek(out var closed) && closed.Depth == reader.Depth)
                        {
                            open.Pop();
                            found[closed.Index] = (closed.Text, headings.Contains(closed.Index));
                        }

                        break;
                }
            }
        }

        return sawBody
            ? found.Where(p => p is not null).Select(p => new ReportParagraph(p!.Value.Text.ToString(), p.Value.Heading)).Where(p => p.Text.Trim().Length > 0).ToList()
            : null;
    }

    private static bool IsWord(XmlReader reader) => reader.NamespaceURI is WordNamespace or StrictWordNamespace;

    private static bool IsHeadingStyle(string? style) =>
        style is not null && (style.StartsWith("Heading", StringComparison.OrdinalIgnoreCase) || style.StartsWith("Title", StringComparison.OrdinalIgnoreCase));

    private static string Format(string fileName) => $"\"{fileName}\"";
}
