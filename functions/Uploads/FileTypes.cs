using System.Text;
using DanVan.Reading;

namespace DanVan.Uploads;

/// <summary>One accepted report format: its extension and the Content-Type DanVan stores and serves.</summary>
public sealed record FileType(string Extension, string ContentType, FileFamily Family);

public enum FileFamily
{
    Pdf,

    /// <summary>OLE compound file: .doc, .xls.</summary>
    Cfb,

    /// <summary>Office Open XML package: .docx, .xlsx.</summary>
    Ooxml,

    /// <summary>OpenDocument package: .odt, .ods.</summary>
    Odf,
}

/// <summary>What the leading bytes say about a report file.</summary>
public enum SniffResult
{
    Matches,

    /// <summary>The bytes are not the format the extension claims.</summary>
    Mismatch,
}

/// <summary>
/// The report formats DanVan accepts, judged by extension and by the file's leading bytes: both must
/// agree. A renamed ZIP is not a PDF, and a ZIP is only a .docx when it is an OOXML word-processing package.
/// </summary>
public static class FileTypes
{
    public static readonly IReadOnlyList<FileType> All =
    [
        new("pdf", "application/pdf", FileFamily.Pdf),
        new("doc", "application/msword", FileFamily.Cfb),
        new("xls", "application/vnd.ms-excel", FileFamily.Cfb),
        new("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", FileFamily.Ooxml),
        new("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", FileFamily.Ooxml),
        new("odt", "application/vnd.oasis.opendocument.text", FileFamily.Odf),
        new("ods", "application/vnd.oasis.opendocument.spreadsheet", FileFamily.Odf),
    ];

    /// <summary>The file type of a (sanitized) file name, or null when its extension is not a report format.</summary>
    public static FileType? ByName(string fileName)
    {
        var extension = FileNames.Extension(fileName);
        return All.FirstOrDefault(t => t.Extension == extension);
    }

    private static ReadOnlySpan<byte> CfbSignature => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private static ReadOnlySpan<byte> ZipSignature => "PK\x03\x04"u8;

    /// <summary>Whether <paramref name="head"/> (the first block of the file) is of type <paramref name="type"/>.</summary>
    public static SniffResult Sniff(FileType type, ReadOnlySpan<byte> head) => type.Family switch
    {
        FileFamily.Pdf => IsPdf(head),
        FileFamily.Cfb => head.StartsWith(CfbSignature) ? SniffResult.Matches : SniffResult.Mismatch,
        FileFamily.Ooxml => IsOoxml(type, head),
        FileFamily.Odf => IsOdf(type, head),
        _ => SniffResult.Mismatch,
    };

    /// <summary>Readers accept the header anywhere in the first 1024 bytes (ISO 32000 implementation note).</summary>
    private static SniffResult IsPdf(ReadOnlySpan<byte> head) =>
        head[..Math.Min(head.Length, 1024)].IndexOf("%PDF-"u8) >= 0 ? SniffResult.Matches : SniffResult.Mismatch;

    /// <summary>
    /// An OOXML package is a ZIP with a <c>[Content_Types].xml</c> part. When that part is the first
    /// entry (as Office and LibreOffice write it) it is inflated and must declare the main part of the
    /// claimed kind (a .docx whose content types say spreadsheet is refused); otherwise its entry name
    /// in the first block is the evidence.
    /// </summary>
    private static SniffResult IsOoxml(FileType type, ReadOnlySpan<byte> head)
    {
        if (!head.StartsWith(ZipSignature) || head.IndexOf("[Content_Types].xml"u8) < 0)
        {
            return SniffResult.Mismatch;
        }

        if (FirstEntry(head) is not { Name: "[Content_Types].xml" } entry || ReadEntryText(head, entry, 256 * 1024) is not { } contentTypes)
        {
            return SniffResult.Matches;
        }

        return contentTypes.Contains(OoxmlMainPart(type).MainContentType, StringComparison.Ordinal) ? SniffResult.Matches : SniffResult.Mismatch;
    }

    /// <summary>The OOXML kind of a type: its main part where Office and LibreOffice write it, that part's content type and root.</summary>
    private static OoxmlParts.Kind OoxmlMainPart(FileType type) => type.Extension == "docx" ? OoxmlParts.Document : OoxmlParts.Workbook;

    /// <summary>How much of the start of a file <see cref="CheckPackageAsync"/> reads to look at an ODF package's first entry again.</summary>
    private const int PackageHeadBytes = 4096;

    /// <summary>
    /// The full check of an OOXML or ODF package, from the stored file (for the other formats the leading
    /// bytes are all there is to check: Matches). <see cref="Sniff"/> sees only the first block of a
    /// streamed upload, where the name <c>[Content_Types].xml</c> may belong to any entry or to none, and
    /// a first entry with ZIP64 sizes cannot be followed. This reads the ZIP's central directory from the
    /// end of the file (<see cref="ZipDirectory"/>: a few ranged reads, bounded) and requires:
    /// <list type="bullet">
    /// <item>DOCX/XLSX: <c>[Content_Types].xml</c> declaring the kind's main part (<c>word/document.xml</c>,
    /// <c>xl/workbook.xml</c>) with its content type, and that part XML of the kind's root (<see cref="OoxmlParts"/>);</item>
    /// <item>ODT/ODS: <c>mimetype</c> as the first entry, stored, at the start of the file, whose content is
    /// the kind's media type (read again from the first bytes);</item>
    /// <item>both: no two entries with the same name (OPC compares part names ignoring ASCII case), which
    /// readers would resolve differently.</item>
    /// </list>
    /// </summary>
    public static async Task<SniffResult> CheckPackageAsync(FileType type, long length, ReadRange read, CancellationToken ct = default)
    {
        if (type.Family is not (FileFamily.Ooxml or FileFamily.Odf))
        {
            return SniffResult.Matches;
        }

        var entries = await ZipDirectory.ReadAsync(length, read, ct);
        if (entries is null || entries.DistinctBy(e => e.Name, StringComparer.OrdinalIgnoreCase).Count() != entries.Count)
        {
            return SniffResult.Mismatch;
        }

        if (type.Family == FileFamily.Ooxml)
        {
            return await OoxmlParts.CheckAsync(OoxmlMainPart(type), entries, length, read, ct) ? SniffResult.Matches : SniffResult.Mismatch;
        }

        if (entries[0] is not { Name: "mimetype", Method: 0, LocalHeaderOffset: 0 })
        {
            return SniffResult.Mismatch;
        }

        var head = await read(0, (int)Math.Min(length, PackageHeadBytes), ct);
        return IsOdf(type, head.Span);
    }

    /// <summary>An OpenDocument package starts with an uncompressed <c>mimetype</c> entry naming its kind.</summary>
    private static SniffResult IsOdf(FileType type, ReadOnlySpan<byte> head)
    {
        if (!head.StartsWith(ZipSignature) || FirstEntry(head) is not { Name: "mimetype", Method: 0 } entry)
        {
            return SniffResult.Mismatch;
        }

        var mimetype = ReadEntryText(head, entry, 256);
        return string.Equals(mimetype?.Trim(), type.ContentType, StringComparison.Ordinal) ? SniffResult.Matches : SniffResult.Mismatch;
    }

    /// <summary>The first local file header of a ZIP, if it fits in <paramref name="head"/> and its sizes are in it.</summary>
    private static ZipLocalHeader? FirstEntry(ReadOnlySpan<byte> head) =>
        ZipEntries.Header(head) is { CompressedSize: <= int.MaxValue } header ? header : null;

    /// <summary>The entry's text when it is stored or deflated and its data lies in <paramref name="head"/>.</summary>
    private static string? ReadEntryText(ReadOnlySpan<byte> head, ZipLocalHeader entry, int maxChars)
    {
        if (entry.DataOffset > head.Length)
        {
            return null;
        }

        var available = head.Length - entry.DataOffset;
        var length = (int)Math.Min(entry.SizeInDescriptor ? available : Math.Min(entry.CompressedSize, available), 1024 * 1024);
        var data = head.Slice(entry.DataOffset, length);
        if (entry.Method == 0)
        {
            return entry.SizeInDescriptor ? null : Encoding.UTF8.GetString(data[..Math.Min(data.Length, maxChars)]);
        }

        return entry.Method == 8 && ZipEntries.Inflate(data, maxChars) is { } text ? Encoding.UTF8.GetString(text) : null;
    }
}
