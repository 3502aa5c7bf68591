using System.IO.Compression;
using System.Xml;

namespace DanVan.Reading;

/// <summary>
/// How much reading one ZIP package (DOCX, XLSX) may cost. Its entries' declared sizes can lie, so every
/// bound counts what is actually read.
/// </summary>
/// <param name="MaxEntries">ZIP entries the package may declare.</param>
/// <param name="MaxDirectoryBytes">Bytes of the central directory, as it lies in the file (what the ZIP reader loads whole).</param>
/// <param name="MaxInflatedBytes">Bytes inflated from all parts read, counted as they are read.</param>
/// <param name="MaxTokenBytes">Bytes between two markup delimiters (<c>&lt;</c>): the XML reader holds one name, attribute or text node whole.</param>
/// <param name="MaxDepth">Element nesting.</param>
/// <param name="MaxNames">Distinct names (elements, attributes, prefixes, namespaces) the XML reader keeps in its name table.</param>
public sealed record PackageLimits(int MaxEntries, long MaxDirectoryBytes, long MaxInflatedBytes, int MaxTokenBytes, int MaxDepth, int MaxNames)
{
    /// <summary>Whether a ZIP64 package is read (an upload's package check follows one; a package read whole never needs it).</summary>
    public bool AllowZip64 { get; init; }

    /// <summary>
    /// An uploaded report package, whose directory and first parts are checked from the stored blob (<see cref="ZipDirectory"/>,
    /// <see cref="ZipEntries"/>): a few ranged reads, nothing inflated past a prefix (<c>[Content_Types].xml</c>, up to
    /// 256 KB, and the main part's first 64 KB); any report an office suite writes.
    /// </summary>
    public static readonly PackageLimits Upload = new(
        MaxEntries: 20_000,
        MaxDirectoryBytes: 4 * 1024 * 1024,
        MaxInflatedBytes: 320 * 1024,
        MaxTokenBytes: 256 * 1024,
        MaxDepth: 64,
        MaxNames: 2_000)
    {
        AllowZip64 = true,
    };

    /// <summary>A workbook a unit fills in (the units import, figures): far above DanVan's templates and a registry of 5,000 rows.</summary>
    public static readonly PackageLimits Workbook = new(
        MaxEntries: 200,
        MaxDirectoryBytes: 256 * 1024,
        MaxInflatedBytes: 32L * 1024 * 1024,
        MaxTokenBytes: 256 * 1024,
        MaxDepth: 64,
        MaxNames: 2_000);
}

/// <summary>
/// The one bounded reader of a unit's ZIP package, limits per use: the central directory is checked by
/// <see cref="ZipDirectory"/> before the ZIP reader loads it (entries, directory bytes; ZIP64 refused: no report or
/// workbook DanVan reads whole needs it), every part is read through a stream that charges each inflated byte to one allowance and
/// refuses a markup token longer than the bound, and its XML reader has no DTD, no resolver and a counted name
/// table. Nothing is loaded whole: the readers above it stream.
/// </summary>
public sealed class BoundedPackage : IDisposable
{
    private readonly ZipArchive zip;
    private readonly Dictionary<string, ZipArchiveEntry> parts;

    private BoundedPackage(ZipArchive zip, PackageLimits limits, ReadBudget budget)
    {
        this.zip = zip;
        Limits = limits;
        Budget = budget;
        Inflated = budget.Allow(limits.MaxInflatedBytes, max => $"nội dung giải nén lớn hơn {ReadBudget.Megabytes(max)}");
        parts = new Dictionary<string, ZipArchiveEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in zip.Entries)
        {
            parts.TryAdd(entry.FullName, entry);
        }
    }

    public PackageLimits Limits { get; }

    public ReadBudget Budget { get; }

    /// <summary>Bytes inflated from every part read so far.</summary>
    public Allowance Inflated { get; }

    public IEnumerable<string> PartNames => parts.Keys;

    /// <summary>
    /// Opens <paramref name="seekable"/> (left open) as a package within <paramref name="limits"/>. Throws
    /// <see cref="ReadLimitException"/> for a directory over the bounds, <see cref="InvalidDataException"/> for no ZIP.
    /// </summary>
    public static BoundedPackage Open(Stream seekable, PackageLimits limits, ReadBudget budget)
    {
        // Ranged reads of a seekable stream complete at once; this runs on the read's own thread (BoundedRun).
        var listing = ZipDirectory.ListAsync(seekable.Length, ZipDirectory.Ranges(seekable), limits, budget.Token).GetAwaiter().GetResult();
        if (listing.Entries is null)
        {
            throw listing.Refusal is { } reason ? new ReadLimitException(reason) : new InvalidDataException("No well-formed ZIP central directory.");
        }

        seekable.Position = 0;
        budget.CheckTime();
        return new BoundedPackage(new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen: true), limits, budget);
    }

    public bool Has(string name) => parts.ContainsKey(name);

    /// <summary>A part by name (OPC part names compare without regard to case), streamed and charged to the budget; null when absent.</summary>
    public Stream? OpenPart(string name) => parts.TryGetValue(name.TrimStart('/'), out var entry) ? new BudgetedStream(entry.Open(), this) : null;

    /// <summary>A part as XML: no DTD, no external resolution, comments and processing instructions skipped, names counted.</summary>
    public XmlReader? OpenXml(string name) => OpenPart(name) is { } stream ? XmlReader.Create(stream, new XmlReaderSettings
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
        NameTable = new CountedNameTable(Limits.MaxNames),
    }) : null;

    /// <summary>The next node, its nesting checked against <see cref="PackageLimits.MaxDepth"/>.</summary>
    public bool Read(XmlReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        CheckDepth(reader.Depth);
        return true;
    }

    /// <summary>Throws <see cref="ReadLimitException"/> for XML nested deeper than <see cref="PackageLimits.MaxDepth"/>.</summary>
    public void CheckDepth(int depth)
    {
        if (depth > Limits.MaxDepth)
        {
            throw new ReadLimitException($"các thành phần lồng nhau quá {Limits.MaxDepth.ToString(ReadBudget.Culture)} cấp");
        }
    }

    /// <summary>
    /// Whether the package carries macros in any form Office runs: a VBA project (<c>vbaProject.bin</c>), an Excel 4.0
    /// macro sheet (<c>xl/macrosheets/</c>, <c>xl/intlMacrosheets/</c>), or content types that declare either or a
    /// macro-enabled workbook (a macro sheet may be stored under any part name; its content type says what it is).
    /// </summary>
    public bool HasMacros()
    {
        if (parts.Keys.Any(n => n.EndsWith("vbaProject.bin", StringComparison.OrdinalIgnoreCase) || n.Contains("macrosheets/", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        using var types = OpenXml("[Content_Types].xml");
        while (types is not null && Read(types))
        {
            if (types.NodeType == XmlNodeType.Element && types.GetAttribute("ContentType") is { } type
                && (type.Contains("macroEnabled", StringComparison.OrdinalIgnoreCase) || type.Contains("vbaProject", StringComparison.OrdinalIgnoreCase)
                    || type.Contains("macrosheet", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => zip.Dispose();

    /// <summary>The XML reader's name table, refusing more than a number of distinct names (each is kept for the whole read).</summary>
    private sealed class CountedNameTable(int maxNames) : NameTable
    {
        private int count;

        public override string Add(string key) => Get(key) ?? Counted(base.Add(key));

        public override string Add(char[] key, int start, int len) => Get(key, start, len) ?? Counted(base.Add(key, start, len));

        private string Counted(string name) =>
            ++count > maxNames ? throw new ReadLimitException($"hơn {ReadBudget.Count(maxNames)} tên thành phần XML khác nhau") : name;
    }

    /// <summary>
    /// A read-only pass-through over an inflating stream that charges every byte to the package's allowance and
    /// refuses a run of more than <see cref="PackageLimits.MaxTokenBytes"/> without a <c>&lt;</c> (no name, attribute
    /// value or text node can hold one, so the XML reader never holds more than that whole); inside a CDATA section,
    /// which can, the run goes on to its end.
    /// </summary>
    private sealed class BudgetedStream(Stream inner, BoundedPackage package) : ReadOnlyStream
    {
        private static readonly byte[] CdataStart = "<![CDATA["u8.ToArray();

        private long run;
        private int startMatched;
        private int closingBrackets;
        private bool inCdata;

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            package.Inflated.Spend(read);
            foreach (var b in buffer[..read])
            {
                Scan(b);
            }

            if (run > package.Limits.MaxTokenBytes)
            {
                throw new ReadLimitException($"một thành phần XML lớn hơn {ReadBudget.Megabytes(package.Limits.MaxTokenBytes)}");
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
