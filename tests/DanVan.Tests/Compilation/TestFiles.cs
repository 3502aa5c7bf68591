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
