using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

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
/// <param name="MaxTime">Wall-clock time spent on the file.</param>
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

    /// <summary>The paragraphs of the body, in order, within <paramref name="limits"/>. <paramref name="docx"/> must be seekable.</summary>
    public static ReportReading Read(Stream docx, string fileName, ReportLimits limits, CancellationToken ct = default)
    {
        var budget = new ReadBudget(limits, ct);
        try
        {
            CheckDirectory(docx, limits);
            using var package = new ZipArchive(docx, ZipArchiveMode.Read, leaveOpen: true);
            var main = MainPart(package, budget);
            var paragraphs = main is null ? null : ReadBody(main, budget);
            return paragraphs is null
                ? ReportReading.Failed($"tệp {Format(fileName)} không có nội dung văn bản")
                : new ReportReading(paragraphs, null) { Format = ReadFormat(package, main!, budget) };
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

    /// <summary>
    /// Checks the end-of-central-directory record before the ZIP reader loads the directory: the number
    /// of entries it declares, and the bytes from the directory's start to that record (what the reader
    /// actually walks, whatever the count says). ZIP64 is refused: a DOCX under 20 MB never needs it.
    /// </summary>
    private static void CheckDirectory(Stream docx, ReportLimits limits)
    {
        const int RecordSize = 22;
        var tail = (int)Math.Min(docx.Length, RecordSize + ushort.MaxValue);
        var bytes = new byte[tail];
        docx.Position = docx.Length - tail;
        docx.ReadExactly(bytes);
        docx.Position = 0;

        var at = bytes.AsSpan().LastIndexOf("PK\u0005\u0006"u8);
        if (at < 0 || at + RecordSize > tail)
        {
            throw new InvalidDataException("No end of central directory record.");
        }

        var record = bytes.AsSpan(at);
        var entries = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        var directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        var recordOffset = docx.Length - tail + at;
        if (entries == ushort.MaxValue || directoryOffset == uint.MaxValue)
        {
            throw new ReadLimitException("tệp nén dạng ZIP64");
        }

        if (entries > limits.MaxEntries)
        {
            throw new ReadLimitException($"hơn {limits.MaxEntries.ToString("N0", VietnamCulture)} mục trong tệp nén");
        }

        if (directoryOffset > recordOffset || recordOffset - directoryOffset > limits.MaxDirectoryBytes)
        {
            throw new ReadLimitException($"danh mục tệp nén lớn hơn {Megabytes(limits.MaxDirectoryBytes)}");
        }
    }

    /// <summary>The main document part named by the package relationships (<c>_rels/.rels</c>), or null when there is none.</summary>
    private static ZipArchiveEntry? MainPart(ZipArchive package, ReadBudget budget)
    {
        var rels = Entry(package, "_rels/.rels") ?? throw new InvalidDataException("No package relationships.");
        string? target = null;
        using (var stream = new BudgetedStream(rels.Open(), budget))
        using (var reader = budget.XmlReader(stream))
        {
            while (target is null && reader.Read())
            {
                budget.CheckDepth(reader.Depth);
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship" && reader.NamespaceURI == RelationshipsNamespace
                    && reader.GetAttribute("Type") is { } type && type.EndsWith(OfficeDocumentType, StringComparison.Ordinal))
                {
                    target = reader.GetAttribute("Target");
                }
            }
        }

        return target is null ? null : Entry(package, Uri.UnescapeDataString(target).TrimStart('/'));
    }

    /// <summary>An entry by part name; part names compare without regard to case (OPC).</summary>
    private static ZipArchiveEntry? Entry(ZipArchive package, string name) =>
        package.GetEntry(name) ?? package.Entries.FirstOrDefault(e => string.Equals(e.FullName, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The styles and numbering parts the main part's relationships name, read within the same budget.</summary>
    private static DocxFormat ReadFormat(ZipArchive package, ZipArchiveEntry main, ReadBudget budget)
    {
        var folder = main.FullName.Contains('/') ? main.FullName[..(main.FullName.LastIndexOf('/') + 1)] : "";
        var rels = Entry(package, $"{folder}_rels/{main.Name}.rels");
        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (rels is not null)
        {
            using var stream = new BudgetedStream(rels.Open(), budget);
            using var reader = budget.XmlReader(stream);
            while (reader.Read())
            {
                budget.CheckDepth(reader.Depth);
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship" && reader.GetAttribute("Type") is { } type && reader.GetAttribute("Target") is { } target
                    && type[(type.LastIndexOf('/') + 1)..] is "styles" or "numbering" && reader.GetAttribute("TargetMode") != "External")
                {
                    targets.TryAdd(type[(type.LastIndexOf('/') + 1)..], target.StartsWith('/') ? target.TrimStart('/') : folder + target);
                }
            }
        }

        DocxFormat.Builder format = new();
        foreach (var (kind, name) in targets)
        {
            if (Entry(package, Uri.UnescapeDataString(name)) is not { } part)
            {
                continue;
            }

            using var stream = new BudgetedStream(part.Open(), budget);
            using var reader = budget.XmlReader(stream);
            format.Read(reader, kind, budget.CheckDepth);
        }

        return format.Build();
    }

    /// <summary>
    /// Every paragraph of the body in document order (an outer paragraph before one nested in it, and its
    /// text including the nested one's, as the OpenXml SDK's <c>Descendants</c> gives them), with the
    /// heading flag from its own <c>w:pPr/w:pStyle</c>, its numbering, outline level, bold and table row;
    /// empty paragraphs dropped. Null when there is no body.
    /// </summary>
    private static List<ReportParagraph>? ReadBody(ZipArchiveEntry main, ReadBudget budget)
    {
        var found = new List<OpenParagraph?>();
        var open = new Stack<OpenParagraph>();
        var rows = new Stack<int>();
        var rowCount = 0;
        var sawBody = false;
        var textDepth = -1;
        var runDepth = -1;
        var runBold = false;

        using (var stream = new BudgetedStream(main.Open(), budget))
        using (var reader = budget.XmlReader(stream))
        {
            while (reader.Read())
            {
                budget.CheckDepth(reader.Depth);
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
                                budget.CountParagraph();
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
                        budget.CountText(value.Length);
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

    private static CultureInfo VietnamCulture => Domain.VietnamTime.Culture;

    private static string Megabytes(long bytes) => $"{(bytes / (1024.0 * 1024)).ToString("0.#", VietnamCulture)} MB";

    /// <summary>A bound of <see cref="ReportLimits"/> was reached; <see cref="Reason"/> says which, in Vietnamese.</summary>
    private sealed class ReadLimitException(string reason) : Exception(reason)
    {
        public string Reason { get; } = reason;
    }

    /// <summary>What reading one file has spent so far, against its limits; the time is checked at every read and count.</summary>
    private sealed class ReadBudget(ReportLimits limits, CancellationToken ct)
    {
        private readonly long started = Stopwatch.GetTimestamp();
        private long inflated;
        private int paragraphs;
        private long characters;

        public ReportLimits Limits => limits;

        /// <summary>No DTD, no external resolution, comments and processing instructions skipped, names counted.</summary>
        public XmlReader XmlReader(Stream stream) => System.Xml.XmlReader.Create(stream, new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            CloseInput = false,
            NameTable = new CountedNameTable(limits.MaxNames),
        });

        /// <summary>Bytes actually inflated from any part of the file.</summary>
        public void CountInflated(int bytes)
        {
            CheckTime();
            inflated += bytes;
            if (inflated > limits.MaxInflatedBytes)
            {
                throw new ReadLimitException($"nội dung giải nén lớn hơn {Megabytes(limits.MaxInflatedBytes)}");
            }
        }

        public void CountParagraph()
        {
            if (++paragraphs > limits.MaxParagraphs)
            {
                throw new ReadLimitException($"hơn {limits.MaxParagraphs.ToString("N0", VietnamCulture)} đoạn văn");
            }
        }

        public void CountText(int chars)
        {
            characters += chars;
            if (characters > limits.MaxTextChars)
            {
                throw new ReadLimitException($"văn bản dài hơn {limits.MaxTextChars.ToString("N0", VietnamCulture)} ký tự");
            }
        }

        public void CheckDepth(int depth)
        {
            if (depth > limits.MaxDepth)
            {
                throw new ReadLimitException($"các thành phần lồng nhau quá {limits.MaxDepth.ToString(VietnamCulture)} cấp");
            }
        }

        private void CheckTime()
        {
            ct.ThrowIfCancellationRequested();
            if (Stopwatch.GetElapsedTime(started) > limits.MaxTime)
            {
                throw new ReadLimitException($"đọc quá {limits.MaxTime.TotalSeconds.ToString("0.#", VietnamCulture)} giây");
            }
        }
    }

    /// <summary>The XML reader's name table, refusing more than a number of distinct names (each is kept for the whole read).</summary>
    private sealed class CountedNameTable(int maxNames) : NameTable
    {
        private int count;

        public override string Add(string key) => Get(key) ?? Counted(base.Add(key));

        public override string Add(char[] key, int start, int len) => Get(key, start, len) ?? Counted(base.Add(key, start, len));

        private string Counted(string name) =>
            ++count > maxNames ? throw new ReadLimitException($"hơn {maxNames.ToString("N0", VietnamCulture)} tên thành phần XML khác nhau") : name;
    }

    /// <summary>
    /// A read-only pass-through over an inflating stream that charges every byte to the budget and
    /// refuses a run of more than <see cref="ReportLimits.MaxTokenBytes"/> without a <c>&lt;</c> (no
    /// name, attribute value or text node can hold one, so the XML reader never holds more than that
    /// whole); inside a CDATA section, which can, the run goes on to its end. Comments and processing
    /// instructions are skipped by the reader without being held.
    /// </summary>
    private sealed class BudgetedStream(Stream inner, ReadBudget budget) : Stream
    {
        private static readonly byte[] CdataStart = "<![CDATA["u8.ToArray();

        private long run;
        private int startMatched;
        private int closingBrackets;
        private bool inCdata;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            budget.CountInflated(read);
            foreach (var b in buffer[..read])
            {
                Scan(b);
            }

            if (run > budget.Limits.MaxTokenBytes)
            {
                throw new ReadLimitException($"một thành phần XML lớn hơn {Megabytes(budget.Limits.MaxTokenBytes)}");
            }

            return read;
        }

        /// <summary>One byte: a <c>&lt;</c> outside CDATA ends the run; "&lt;![CDATA[" and "]]&gt;" are followed across reads.</summary>
        private void Scan(byte b)
        {
            run++;
            if (inCdata)
            {
                if (b == (byte)']')
                {
                    closingBrackets = Math.Min(closingBrackets + 1, 2);
                }
                else
                {
                    inCdata = !(b == (byte)'>' && closingBrackets == 2);
                    closingBrackets = 0;
                }

                return;
            }

            if (b == (byte)'<')
            {
                run = 1;
                startMatched = 1;
            }
            else if (startMatched > 0 && b == CdataStart[startMatched])
            {
                if (++startMatched == CdataStart.Length)
                {
                    inCdata = true;
                    startMatched = 0;
                }
            }
            else
            {
                startMatched = 0;
            }
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
