using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.Tests.Compilation;

/// <summary>Report files made in the test, never checked-in binaries.</summary>
public static class TestFiles
{
    /// <summary>A DOCX with one paragraph per line.</summary>
    public static byte[] Docx(params string[] paragraphs)
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            main.Document = new W.Document(new W.Body(paragraphs.Select(p => new W.Paragraph(new W.Run(new W.Text(p))))));
        }

        return stream.ToArray();
    }

    /// <summary>The smallest PDF a reader accepts: a catalog, a page tree and one empty page.</summary>
    public static byte[] Pdf() => Encoding.ASCII.GetBytes(
        "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n" +
        "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");

    public static byte[] Xlsx(string text)
    {
        using var stream = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = doc.AddWorkbookPart();
            var sheet = workbook.AddNewPart<WorksheetPart>();
            sheet.Worksheet = new S.Worksheet(new S.SheetData(new S.Row(new S.Cell(new S.InlineString(new S.Text(text))) { DataType = S.CellValues.InlineString, CellReference = "A1" }) { RowIndex = 1 }));
            workbook.Workbook = new S.Workbook(new S.Sheets(new S.Sheet { Name = "Sheet1", SheetId = 1, Id = workbook.GetIdOfPart(sheet) }));
        }

        return stream.ToArray();
    }

    /// <summary>
    /// A DOCX built by hand, entry by entry: <c>[Content_Types].xml</c>, <c>_rels/.rels</c> and a
    /// <c>word/document.xml</c> whose body <paramref name="writeBody"/> writes (raw WordprocessingML).
    /// Deflated at the smallest size, so repetitive content makes a small file that inflates a lot.
    /// </summary>
    public static byte[] RawDocx(Action<TextWriter> writeBody)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, "[Content_Types].xml", w => w.Write(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" +
                "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>" +
                "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"));
            Write(zip, "_rels/.rels", w => w.Write(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"));
            Write(zip, "word/document.xml", w =>
            {
                w.Write("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>");
                writeBody(w);
                w.Write("</w:body></w:document>");
            });
        }

        return stream.ToArray();

        static void Write(ZipArchive zip, string name, Action<TextWriter> content)
        {
            using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.SmallestSize).Open(), new UTF8Encoding(false), 64 * 1024);
            content(writer);
        }
    }

    /// <summary>
    /// A DOCX bomb: small on disk, its <c>word/document.xml</c> inflating to at least <paramref name="inflatedBytes"/>
    /// of paragraphs of repeated Vietnamese text.
    /// </summary>
    public static byte[] BombDocx(long inflatedBytes)
    {
        const string Paragraph = "<w:p><w:r><w:t>";
        const string Sentence = "Nội dung lặp lại rất nhiều lần để tệp phình to khi giải nén. ";
        const string End = "</w:t></w:r></w:p>";
        var text = string.Concat(Enumerable.Repeat(Sentence, 16));
        var perParagraph = Encoding.UTF8.GetByteCount(Paragraph + text + End);
        return RawDocx(w =>
        {
            for (long written = 0; written < inflatedBytes; written += perParagraph)
            {
                w.Write(Paragraph);
                w.Write(text);
                w.Write(End);
            }
        });
    }

    /// <summary>Starts like a ZIP (as a DOCX does) but is cut off: no reader can open it.</summary>
    public static byte[] CorruptDocx() => [.. Docx("Nội dung sẽ bị cắt.").Take(300)];

    /// <summary>The paragraphs of a DOCX, in order.</summary>
    public static List<string> DocxParagraphs(byte[] docx)
    {
        using var doc = WordprocessingDocument.Open(new MemoryStream(docx), false);
        return doc.MainDocumentPart!.Document!.Body!.Descendants<W.Paragraph>()
            .Select(p => string.Concat(p.Descendants<W.Text>().Select(t => t.Text)))
            .ToList();
    }

    /// <summary>Each row of the first sheet as cell reference → text.</summary>
    public static Dictionary<uint, Dictionary<string, string>> XlsxRows(byte[] xlsx)
    {
        using var doc = SpreadsheetDocument.Open(new MemoryStream(xlsx), false);
        var sheet = doc.WorkbookPart!.WorksheetParts.First().Worksheet!;
        return sheet.Descendants<S.Row>().ToDictionary(
            r => r.RowIndex!.Value,
            r => r.Elements<S.Cell>().ToDictionary(c => new string(c.CellReference!.Value!.TakeWhile(char.IsLetter).ToArray()), c => c.InlineString?.InnerText ?? c.CellValue?.Text ?? ""));
    }

    /// <summary>Schema problems the OpenXml SDK's validator finds (Office 2019 rules), as readable lines.</summary>
    public static List<string> ValidationErrors(byte[] package, bool isDocx)
    {
        using OpenXmlPackage doc = isDocx
            ? WordprocessingDocument.Open(new MemoryStream(package), false)
            : SpreadsheetDocument.Open(new MemoryStream(package), false);
        return new OpenXmlValidator(FileFormatVersions.Office2019).Validate(doc)
            .Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}")
            .ToList();
    }
}
