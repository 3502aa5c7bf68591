using System.IO.Compression;
using System.Text;
using DanVan.Tests.Support;
using DanVan.Uploads;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using W = DocumentFormat.OpenXml.Wordprocessing;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace DanVan.Tests.Uploads;

/// <summary>
/// A DOCX or XLSX is judged by what its parts say, not by their names (issue 26): <c>[Content_Types].xml</c>
/// declares the main part with the kind's content type, and the main part is XML of the kind's root.
/// </summary>
public sealed class PackagePartsTests
{
    private static readonly FileType Docx = FileTypes.ByName("a.docx")!;
    private static readonly FileType Xlsx = FileTypes.ByName("a.xlsx")!;

    private const string WordMain = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
    private const string SheetMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";

    private static Task<SniffResult> CheckAsync(FileType type, byte[] file) =>
        FileTypes.CheckPackageAsync(type, file.Length, (offset, count, _) =>
        {
            var start = (int)Math.Min(offset, file.Length);
            return Task.FromResult<ReadOnlyMemory<byte>>(file.AsMemory(start, Math.Min(count, file.Length - start)));
        });

    [Fact]
    public async Task A_zip64_package_with_an_empty_content_types_part_and_a_fake_document_is_no_docx()
    {
        // The finding: both names present, in ZIP64 records that hide the first entry from the head sniff.
        var fake = new HandZip(zip64: true).Add("[Content_Types].xml", "").Add("word/document.xml", "<w:document/>").Build();
        var real = new HandZip(zip64: true).Add("[Content_Types].xml", Samples.DocxContentTypes).Add("word/document.xml", Samples.DocumentXml()).Build();

        Assert.Equal(SniffResult.Matches, FileTypes.Sniff(Docx, fake));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, fake));
        Assert.Equal(SniffResult.Matches, await CheckAsync(Docx, real));
    }

    public static TheoryData<string> FakeDocuments => new()
    {
        "content types that declare nothing",
        "content types that are not XML",
        "content types in another namespace",
        "content types declaring the main part as a spreadsheet",
        "content types declaring the main part twice",
        "content types whose default for xml is a spreadsheet's",
        "a main part that is empty",
        "a main part that is not XML",
        "a main part whose root is not w:document",
        "a main part in no namespace",
        "a w:document without a body",
        "a w:document that is an empty element",
        "a main part with a DTD",
        "a main part that is a workbook",
    };

    [Theory]
    [MemberData(nameof(FakeDocuments))]
    public async Task A_docx_whose_parts_are_not_a_word_document_is_refused(string fake)
    {
        var w = Samples.WordNamespace;
        var (types, document) = fake switch
        {
            "content types that declare nothing" => ("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>", Samples.DocumentXml()),
            "content types that are not XML" => ($"{WordMain} /word/document.xml", Samples.DocumentXml()),
            "content types in another namespace" => (Samples.DocxContentTypes.Replace("package/2006/content-types", "package/2006/other", StringComparison.Ordinal), Samples.DocumentXml()),
            "content types declaring the main part as a spreadsheet" => (Samples.ContentTypesXml(SheetMain, "word/document.xml"), Samples.DocumentXml()),
            "content types declaring the main part twice" => (Samples.DocxContentTypes.Replace("</Types>", $"<Override PartName=\"/word/document.xml\" ContentType=\"{SheetMain}\"/></Types>", StringComparison.Ordinal), Samples.DocumentXml()),
            "content types whose default for xml is a spreadsheet's" => ($"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"{SheetMain}\"/></Types>", Samples.DocumentXml()),
            "a main part that is empty" => (Samples.DocxContentTypes, ""),
            "a main part that is not XML" => (Samples.DocxContentTypes, "Báo cáo công tác dân vận"),
            "a main part whose root is not w:document" => (Samples.DocxContentTypes, $"<w:body xmlns:w=\"{w}\"><w:p/></w:body>"),
            "a main part in no namespace" => (Samples.DocxContentTypes, "<document><body><p/></body></document>"),
            "a w:document without a body" => (Samples.DocxContentTypes, $"<w:document xmlns:w=\"{w}\"><w:background/></w:document>"),
            "a w:document that is an empty element" => (Samples.DocxContentTypes, $"<w:document xmlns:w=\"{w}\"/>"),
            "a main part with a DTD" => (Samples.DocxContentTypes, $"<!DOCTYPE w:document [<!ENTITY a \"a\">]><w:document xmlns:w=\"{w}\"><w:body/></w:document>"),
            "a main part that is a workbook" => (Samples.DocxContentTypes, Samples.WorkbookXml),
            _ => throw new ArgumentException(fake),
        };

        var zip = new HandZip().Add("[Content_Types].xml", types).Add("word/document.xml", document).Build();

        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, zip));
    }

    /// <summary>The Open XML SDK declares the main part by the <c>Default</c> for <c>.xml</c>, not by an <c>Override</c>.</summary>
    [Fact]
    public async Task Documents_and_workbooks_written_by_the_Open_XML_SDK_pass_as_their_own_kind_and_strict_namespaces_pass_too()
    {
        var docx = WordDocument();
        var xlsx = Workbook();
        var strict = new HandZip()
            .Add("[Content_Types].xml", Samples.DocxContentTypes)
            .Add("word/document.xml", "<w:document xmlns:w=\"http://purl.oclc.org/ooxml/wordprocessingml/main\"><w:background/><w:body><w:p/></w:body></w:document>")
            .Build();

        Assert.Equal(SniffResult.Matches, await CheckAsync(Docx, docx));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Xlsx, docx));
        Assert.Equal(SniffResult.Matches, await CheckAsync(Xlsx, xlsx));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, xlsx));
        Assert.Equal(SniffResult.Matches, await CheckAsync(Docx, strict));
    }

    [Fact]
    public async Task A_main_part_that_inflates_past_what_is_read_is_judged_by_its_start()
    {
        // A real document's body can be megabytes: only its start is read, and its root and body are there.
        var paragraphs = string.Concat(Enumerable.Repeat("<w:p><w:r><w:t>Báo cáo công tác dân vận năm 2026</w:t></w:r></w:p>", 20_000));
        var large = $"<w:document xmlns:w=\"{Samples.WordNamespace}\"><w:body>{paragraphs}</w:body></w:document>";
        var docx = Deflated(("[Content_Types].xml", Samples.DocxContentTypes), ("word/document.xml", large));
        // The body comes only after more than what is read.
        var late = Deflated(("[Content_Types].xml", Samples.DocxContentTypes), ("word/document.xml", $"<w:document xmlns:w=\"{Samples.WordNamespace}\"><w:background>{paragraphs}</w:background><w:body/></w:document>"));

        Assert.True(large.Length > 10 * OoxmlParts.MainPartPrefixBytes);
        Assert.Equal(SniffResult.Matches, await CheckAsync(Docx, docx));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, late));
    }

    [Fact]
    public async Task The_empty_content_types_docx_of_the_finding_is_refused_at_upload_and_leaves_nothing()
    {
        await using var bed = await UploadBed.StartAsync();
        var fake = new HandZip(zip64: true).Add("[Content_Types].xml", "").Add("word/document.xml", "<w:document/>").Build();

        var raw = await bed.SendAsync(UploadBed.Raw(fake, "Báo cáo.docx", bed.UnitToken));
        var multipart = await bed.SendAsync(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(fake, "Báo cáo.docx")));
        var real = await bed.SendAsync(UploadBed.Raw(Samples.Docx(), "Báo cáo.docx", bed.UnitToken));

        Assert.Equal((415, "file_type_mismatch"), (raw.Status, raw.Code));
        Assert.Equal((415, "file_type_mismatch"), (multipart.Status, multipart.Code));
        Assert.Equal(201, real.Status);
        Assert.Single(await bed.CommittedBlobsAsync());
    }

    private static byte[] Deflated(params (string Name, string Text)[] entries)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in entries)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }
        }

        return stream.ToArray();
    }

    private static byte[] WordDocument()
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            main.Document = new W.Document(new W.Body(new W.Paragraph(new W.Run(new W.Text("Báo cáo công tác dân vận")))));
        }

        return stream.ToArray();
    }

    private static byte[] Workbook()
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new S.Workbook();
            var sheet = workbook.AddNewPart<WorksheetPart>();
            sheet.Worksheet = new S.Worksheet(new S.SheetData());
            workbook.Workbook.AppendChild(new S.Sheets(new S.Sheet { Id = workbook.GetIdOfPart(sheet), SheetId = 1, Name = "Trang 1" }));
        }

        return stream.ToArray();
    }
}
