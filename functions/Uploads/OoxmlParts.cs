using System.Xml;
using DanVan.Reading;

namespace DanVan.Uploads;

/// <summary>
/// What makes a ZIP a DOCX or an XLSX beyond its entry names, read from the stored file by a few bounded
/// ranged reads: <c>[Content_Types].xml</c> declares the kind's main part with the kind's content type, and
/// the main part is XML whose root is the kind's (<c>w:document</c> holding a <c>w:body</c>; <c>workbook</c>
/// holding <c>sheets</c>). A package with an empty <c>[Content_Types].xml</c> or a main part that is not the
/// kind's XML is no report, whatever its entries are called. Only the start of the main part is read.
/// </summary>
public static class OoxmlParts
{
    /// <summary>One OOXML kind: its main part, that part's content type, the namespaces of its root (transitional, strict), the root and the child it must hold.</summary>
    public sealed record Kind(string MainPart, string MainContentType, IReadOnlyList<string> Namespaces, string Root, string Child);

    public static readonly Kind Document = new(
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        ["http://schemas.openxmlformats.org/wordprocessingml/2006/main", "http://purl.oclc.org/ooxml/wordprocessingml/main"],
        "document",
        "body");

    public static readonly Kind Workbook = new(
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        ["http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main"],
        "workbook",
        "sheets");

    private const string ContentTypesPart = "[Content_Types].xml";
    private const string ContentTypesNamespace = "http://schemas.openxmlformats.org/package/2006/content-types";

    /// <summary>A real <c>[Content_Types].xml</c> is a few KB; past this (packed or unpacked) it is not read.</summary>
    public const int MaxContentTypesBytes = 256 * 1024;

    /// <summary>How much of the main part is read (packed, and unpacked): its root and first children are near its start.</summary>
    public const int MainPartPrefixBytes = 64 * 1024;

    /// <summary>Whether the package's content types and main part are those of <paramref name="kind"/>.</summary>
    public static async Task<bool> CheckAsync(Kind kind, IReadOnlyList<ZipEntryInfo> entries, long length, ReadRange read, CancellationToken ct = default)
    {
        if (Find(entries, ContentTypesPart) is not { CompressedSize: <= MaxContentTypesBytes, UncompressedSize: <= MaxContentTypesBytes } types
            || Find(entries, kind.MainPart) is not { } main)
        {
            return false;
        }

        var typesXml = await ZipEntries.ReadPrefixAsync(types, MaxContentTypesBytes, length, read, ct);
        if (typesXml is null || typesXml.Length != types.UncompressedSize || !DeclaresMainPart(typesXml, kind))
        {
            return false;
        }

        var mainXml = await ZipEntries.ReadPrefixAsync(main, MainPartPrefixBytes, length, read, ct);
        return mainXml is not null && HasRoot(mainXml, kind);
    }

    private static ZipEntryInfo? Find(IReadOnlyList<ZipEntryInfo> entries, string name) =>
        entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The content type the document gives the main part is the kind's: its <c>Override</c> when there is one, else the
    /// <c>Default</c> for its extension (OPC, ECMA-376 part 2 §10.1.2.4); two of either for the part is no answer.
    /// </summary>
    private static bool DeclaresMainPart(byte[] xml, Kind kind)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xml, writable: false), Settings);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "Types" || reader.NamespaceURI != ContentTypesNamespace)
            {
                return false;
            }

            var extension = Path.GetExtension(kind.MainPart).TrimStart('.');
            var overrides = new List<string?>();
            var defaults = new List<string?>();
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Depth != 1 || reader.NamespaceURI != ContentTypesNamespace)
                {
                    continue;
                }

                if (reader.LocalName == "Override" && string.Equals(reader.GetAttribute("PartName"), "/" + kind.MainPart, StringComparison.OrdinalIgnoreCase))
                {
                    overrides.Add(reader.GetAttribute("ContentType")?.Trim());
                }
                else if (reader.LocalName == "Default" && string.Equals(reader.GetAttribute("Extension"), extension, StringComparison.OrdinalIgnoreCase))
                {
                    defaults.Add(reader.GetAttribute("ContentType")?.Trim());
                }
            }

            var declared = overrides.Count > 0 ? overrides : defaults;
            return declared is [var only] && only == kind.MainContentType;
        }
        catch (XmlException)
        {
            return false;
        }
    }

    /// <summary>The main part's root is the kind's, in one of its namespaces, and holds the kind's child (read from the part's start only).</summary>
    private static bool HasRoot(byte[] xmlStart, Kind kind)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xmlStart, writable: false), Settings);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != kind.Root || !kind.Namespaces.Contains(reader.NamespaceURI) || reader.IsEmptyElement)
            {
                return false;
            }

            var ns = reader.NamespaceURI;
            reader.Read();
            while (!reader.EOF && reader.Depth >= 1)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1)
                {
                    if (reader.LocalName == kind.Child && reader.NamespaceURI == ns)
                    {
                        return true;
                    }

                    reader.Skip();
                }
                else
                {
                    reader.Read();
                }
            }

            return false;
        }
        catch (XmlException)
        {
            // Not XML, or the read start of the part ended before the child.
            return false;
        }
    }

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        MaxCharactersInDocument = MaxContentTypesBytes * 2L,
    };
}
