using DanVan.Reading;

namespace DanVan.Compilation;

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

    /// <summary>
    /// Indirect objects a PDF may hold, counted in its bytes before PdfPig opens it: opening, PdfPig keeps an entry for
    /// each (and, without a usable cross-reference table, searches the whole file for them), some hundreds of bytes each.
    /// A report of some hundred pages has a few thousand.
    /// </summary>
    public int MaxObjects { get; init; } = 200_000;

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
