using DanVan.Compilation;
using DanVan.Tests.Support;

namespace DanVan.Tests.Reading;

/// <summary>What of a unit's PDF is refused before PdfPig parses it, and how the draft's note names the bound.</summary>
public sealed class PdfBoundsTests
{
    private static string? Problem(byte[] pdf) => PdfReportText.Read(new MemoryStream(pdf), "bao-cao.pdf").Problem;

    [Fact]
    public void A_page_whose_content_inflates_past_a_streams_bound_is_not_parsed_and_the_note_says_why()
    {
        Assert.Equal(
            "tệp \"bao-cao.pdf\" quá lớn (một luồng dữ liệu giải nén lớn hơn 8 MB) nên không đọc được nội dung; xem tệp gốc trong thư mục BaoCao",
            Problem(HostileFiles.PdfContentBomb(40L * 1024 * 1024)));
    }

    [Fact]
    public void A_page_whose_content_is_over_the_page_bound_is_refused_compressed_or_not()
    {
        var limit = ReportLimits.Default.MaxPageContentBytes;
        var compressed = HostileFiles.PdfContentBomb(2 * limit);
        var uncompressed = HostileFiles.PdfWithUncompressedContent((int)(2 * limit / 26));

        Assert.Contains("quá lớn (nội dung một trang lớn hơn 256 KB)", Problem(compressed));
        Assert.Contains("quá lớn (nội dung một trang lớn hơn 256 KB)", Problem(uncompressed));
        Assert.Null(Problem(HostileFiles.PdfWithUncompressedContent(1_000)));
    }

    [Fact]
    public void A_form_drawn_many_times_counts_each_time_it_is_drawn()
    {
        Assert.Null(Problem(HostileFiles.PdfDrawingOneForm(draws: 3, formOperators: 100)));
        Assert.Contains("quá lớn (nội dung một trang lớn hơn 256 KB)", Problem(HostileFiles.PdfDrawingOneForm(draws: 20_000, formOperators: 100)));
    }

    [Fact]
    public void An_object_stream_that_inflates_past_the_bound_or_declares_millions_of_objects_is_refused()
    {
        Assert.Contains("quá lớn (một luồng dữ liệu giải nén lớn hơn 8 MB)", Problem(HostileFiles.PdfObjectStreamBomb(40L * 1024 * 1024)));
        Assert.Contains("quá lớn (một luồng đối tượng khai báo hơn 100.000 đối tượng)", Problem(HostileFiles.PdfObjectStreamBomb(1024, declaredObjects: 50_000_000)));
    }

    [Fact]
    public void A_pdf_of_more_objects_than_the_bound_is_not_opened()
    {
        var pdf = HostileFiles.PdfWithoutCrossReferences(5_000);

        Assert.Null(Problem(pdf));
        Assert.Equal(
            "tệp \"bao-cao.pdf\" quá lớn (hơn 1.000 đối tượng) nên không đọc được nội dung; xem tệp gốc trong thư mục BaoCao",
            PdfReportText.Read(new MemoryStream(pdf), "bao-cao.pdf", ReportLimits.Default with { MaxObjects = 1_000 }).Problem);
    }

    [Fact]
    public void Opening_a_pdf_is_within_the_read_time()
    {
        // No cross-reference table: PdfPig's open searches the file. The open is part of the read the time bounds.
        Assert.Equal(
            "tệp \"bao-cao.pdf\" quá lớn (đọc quá 0 giây) nên không đọc được nội dung; xem tệp gốc trong thư mục BaoCao",
            PdfReportText.Read(new MemoryStream(HostileFiles.PdfWithoutCrossReferences(40_000)), "bao-cao.pdf", ReportLimits.Default with { MaxTime = TimeSpan.Zero }).Problem);
    }

    [Fact]
    public void A_small_object_stream_holding_the_page_is_read()
    {
        // The same layout within the bounds: the page is found through the cross-reference stream and has no text.
        Assert.Contains("bản quét, không có lớp chữ", Problem(HostileFiles.PdfObjectStreamBomb(1024)));
    }
}
