using DanVan.Uploads;

namespace DanVan.Tests.Uploads;

public sealed class FileTypesTests
{
    private static SniffResult Sniff(string fileName, byte[] content) => FileTypes.Sniff(FileTypes.ByName(fileName)!, content);

    [Fact]
    public void Every_accepted_format_is_recognised_by_its_bytes()
    {
        Assert.Equal(SniffResult.Matches, Sniff("a.pdf", Samples.Pdf()));
        Assert.Equal(SniffResult.Matches, Sniff("a.doc", Samples.Doc()));
        Assert.Equal(SniffResult.Matches, Sniff("a.xls", Samples.Doc()));
        Assert.Equal(SniffResult.Matches, Sniff("a.docx", Samples.Docx()));
        Assert.Equal(SniffResult.Matches, Sniff("a.xlsx", Samples.Xlsx()));
        Assert.Equal(SniffResult.Matches, Sniff("a.odt", Samples.Odt()));
        Assert.Equal(SniffResult.Matches, Sniff("a.ods", Samples.Ods()));
    }

    [Fact]
    public void A_content_that_is_not_what_the_extension_says_is_a_mismatch()
    {
        Assert.Equal(SniffResult.Mismatch, Sniff("a.pdf", Samples.PlainZip()));
        Assert.Equal(SniffResult.Mismatch, Sniff("a.pdf", Samples.Docx()));
        Assert.Equal(SniffResult.Mismatch, Sniff("a.docx", Samples.PlainZip()));
        Assert.Equal(SniffResult.Mismatch, Sniff("a.docx", Samples.Xlsx()));
        Assert.Equal(SniffResult.Mismatch, Sniff("a.xlsx", Samples.Docx()));
        Assert.Equal(SniffResult.Mismatch, Sniff("a.docx", Samples.Odt()));
        Assert.Equal(SniffResult.Mismatch, Sniff("a.odt", Samples.Ods()));
        Assert.Equal(SniffResult.Mismatch, Sniff("a.doc", Samples.Pdf()));
        Assert.Equal(SniffResult.Mismatch, Sniff("a.xls", "PK\u0003\u0004"u8.ToArray()));
    }

    [Theory]
    [InlineData("a.txt")]
    [InlineData("a.zip")]
    [InlineData("a.exe")]
    [InlineData("a.docm")]
    [InlineData("pdf")]
    public void Other_extensions_are_not_report_formats(string fileName) =>
        Assert.Null(FileTypes.ByName(fileName));

    [Fact]
    public void The_extension_is_matched_case_insensitively_and_gives_the_served_content_type()
    {
        Assert.Equal("application/pdf", FileTypes.ByName("BÁO CÁO.PDF")!.ContentType);
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", FileTypes.ByName("x.Docx")!.ContentType);
    }
}
