using System.Buffers.Binary;
using System.IO.Compression;
using DanVan.Compilation;
using DocumentFormat.OpenXml.Packaging;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.Tests.Compilation;

/// <summary>Reading a unit's DOCX for its text: what a normal report gives, and each bound a hostile one meets.</summary>
public sealed class ReportTextTests
{
    /// <summary>Small limits, so each bound is met by a small file; each test raises the one it is not about out of the way.</summary>
    private static readonly ReportLimits Small = new(
        MaxEntries: 50,
        MaxDirectoryBytes: 64 * 1024,
        MaxInflatedBytes: 1024 * 1024,
        MaxTokenBytes: 16 * 1024,
        MaxDepth: 64,
        MaxNames: 200,
        MaxParagraphs: 1_000,
        MaxTextChars: 100_000,
        MaxTime: TimeSpan.FromMinutes(1));

    private static ReportReading Read(byte[] docx, ReportLimits? limits = null) =>
        ReportText.Read(new MemoryStream(docx), "bao-cao.docx", limits ?? Small);

    private static void AssertOverLimit(ReportReading reading, string reason)
    {
        Assert.Null(reading.Paragraphs);
        Assert.StartsWith("tệp \"bao-cao.docx\" quá lớn (", reading.Problem);
        Assert.Contains(reason, reading.Problem);
        Assert.EndsWith("nên không đọc được nội dung; xem tệp gốc trong thư mục BaoCao", reading.Problem);
    }

    [Fact]
    public void A_normal_docx_gives_its_non_empty_paragraphs_in_order_with_heading_styles_and_nested_text()
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, DocumentFormat.OpenXml.WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            main.Document = new W.Document(new W.Body(
                new W.Paragraph(new W.ParagraphProperties(new W.ParagraphStyleId { Val = "Heading1" }), new W.Run(new W.Text("Công tác tuyên truyền"))),
                new W.Paragraph(new W.Run(new W.Text("Đã tổ chức "), new W.Text("3 hội nghị."))),
                new W.Paragraph(),
                new W.Table(new W.TableRow(new W.TableCell(new W.Paragraph(new W.Run(new W.Text("Ô trong bảng")))))),
                new W.Paragraph(new W.ParagraphProperties(new W.ParagraphStyleId { Val = "Normal" }), new W.Run(new W.Text("  Thân bài  ") { Space = DocumentFormat.OpenXml.SpaceProcessingModeValues.Preserve }))));
        }

        var reading = ReportText.Read(new MemoryStream(stream.ToArray()), "bao-cao.docx");

        Assert.Null(reading.Problem);
        Assert.Equal(
            [
                new ReportParagraph("Công tác tuyên truyền", true) { Style = "Heading1" },
                new ReportParagraph("Đã tổ chức 3 hội nghị.", false),
                new ReportParagraph("Ô trong bảng", false) { TableRow = 1 },
                new ReportParagraph("  Thân bài  ", false) { Style = "Normal" },
            ],
            reading.Paragraphs);
    }

    [Fact]
    public void A_paragraph_nested_in_another_is_read_after_it_and_its_text_is_part_of_the_outer_one_as_in_the_openxml_sdk()
    {
        var docx = TestFiles.RawDocx(w => w.Write(
            "<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:t>Ngoài </w:t></w:r>" +
            "<w:r><w:txbxContent><w:p><w:r><w:t>trong</w:t></w:r></w:p></w:txbxContent></w:r></w:p>"));

        var reading = Read(docx);

        Assert.Equal([new ReportParagraph("Ngoài trong", true) { Style = "Title" }, new ReportParagraph("trong", false)], reading.Paragraphs);
    }

    [Fact]
    public void A_package_without_a_body_or_a_main_part_says_there_is_no_text_and_a_cut_off_one_is_broken()
    {
        Assert.Equal("tệp \"bao-cao.docx\" không có nội dung văn bản", Read(WithoutBody(TestFiles.Docx("Nội dung"))).Problem);
        Assert.Contains("\"bao-cao.docx\" bị lỗi", Read(TestFiles.CorruptDocx()).Problem);
    }

    [Fact]
    public void Text_beyond_the_character_bound_is_refused()
    {
        AssertOverLimit(Read(TestFiles.BombDocx(300 * 1024), Small with { MaxTextChars = 50_000 }), "văn bản dài hơn 50.000 ký tự");
    }

    [Fact]
    public void Bytes_inflated_beyond_the_bound_are_refused_whatever_the_text()
    {
        // Empty runs: markup, no text; counted as inflated, not as text.
        var docx = TestFiles.RawDocx(w =>
        {
            w.Write("<w:p>");
            for (var i = 0; i < 200_000; i++)
            {
                w.Write("<w:r></w:r>");
            }

            w.Write("</w:p>");
        });

        AssertOverLimit(Read(docx), "nội dung giải nén lớn hơn 1 MB");
    }

    [Fact]
    public void A_declared_size_that_lies_does_not_let_more_than_the_bound_be_inflated()
    {
        // The directory says word/document.xml inflates to 1 KB; it inflates to 3 MB.
        var docx = TestFiles.BombDocx(3 * 1024 * 1024);
        var patched = PatchDeclaredSize(docx, "word/document.xml", 1024);

        var reading = Read(patched, Small with { MaxTextChars = int.MaxValue });

        Assert.Null(reading.Paragraphs);
        Assert.NotNull(reading.Problem);
    }

    [Fact]
    public void Paragraphs_beyond_the_count_bound_are_refused_even_when_empty()
    {
        var docx = TestFiles.RawDocx(w =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                w.Write("<w:p/>");
            }
        });

        AssertOverLimit(Read(docx), "hơn 1.000 đoạn văn");
    }

    [Fact]
    public void A_package_declaring_too_many_entries_is_refused_before_its_directory_is_loaded()
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < 60; i++)
            {
                zip.CreateEntry($"x/{i}.xml");
            }
        }

        AssertOverLimit(Read(stream.ToArray()), "hơn 50 mục trong tệp nén");
    }

    [Fact]
    public void A_single_huge_xml_token_is_refused_before_the_reader_holds_it()
    {
        var docx = TestFiles.RawDocx(w => w.Write($"<w:p><w:r><w:t>{new string('a', 100_000)}</w:t></w:r></w:p>"));

        AssertOverLimit(Read(docx), "một thành phần XML lớn hơn");
    }

    [Fact]
    public void Deep_nesting_and_many_distinct_names_are_refused()
    {
        var deep = TestFiles.RawDocx(w => w.Write(string.Concat(Enumerable.Repeat("<w:sdt>", 100)) + string.Concat(Enumerable.Repeat("</w:sdt>", 100))));
        AssertOverLimit(Read(deep), "lồng nhau quá 64 cấp");

        var names = TestFiles.RawDocx(w => w.Write(string.Concat(Enumerable.Range(0, 300).Select(i => $"<w:x{i}/>"))));
        AssertOverLimit(Read(names), "hơn 200 tên thành phần XML khác nhau");
    }

    [Fact]
    public void Reading_past_the_deadline_is_refused()
    {
        AssertOverLimit(Read(TestFiles.BombDocx(64 * 1024), Small with { MaxTime = TimeSpan.Zero }), "đọc quá 0 giây");
    }

    [Fact]
    public void A_cancelled_compilation_stops_the_read_rather_than_noting_the_file()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => ReportText.Read(new MemoryStream(TestFiles.BombDocx(64 * 1024)), "bao-cao.docx", Small, cancelled.Token));
    }

    /// <summary>The package with a main document that has no body.</summary>
    private static byte[] WithoutBody(byte[] docx)
    {
        using var stream = new MemoryStream();
        stream.Write(docx);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            zip.GetEntry("word/document.xml")!.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("word/document.xml").Open());
            writer.Write("<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"/>");
        }

        return stream.ToArray();
    }

    /// <summary>Rewrites the uncompressed size an entry declares, in its local header and in the central directory.</summary>
    private static byte[] PatchDeclaredSize(byte[] zip, string name, uint size)
    {
        var bytes = zip.ToArray();
        var span = bytes.AsSpan();
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 46 < span.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(span[i..]);
            if (signature == 0x04034b50 && span.Slice(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span[(i + 22)..], size);
            }
            else if (signature == 0x02014b50 && span.Slice(i + 46, Math.Min(nameBytes.Length, span.Length - i - 46)).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span[(i + 24)..], size);
            }
        }

        return bytes;
    }
}
