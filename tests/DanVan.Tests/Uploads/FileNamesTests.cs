using System.Text;
using DanVan.Uploads;

namespace DanVan.Tests.Uploads;

public sealed class FileNamesTests
{
    [Fact]
    public void A_Vietnamese_name_keeps_its_diacritics_in_NFC()
    {
        var decomposed = "Báo cáo 6 tháng - Sở Nội vụ.docx".Normalize(NormalizationForm.FormD);

        var name = FileNames.Sanitize(decomposed);

        Assert.Equal("Báo cáo 6 tháng - Sở Nội vụ.docx", name);
        Assert.True(name!.IsNormalized(NormalizationForm.FormC));
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("..\\..\\Windows\\system32\\báo cáo.pdf", "báo cáo.pdf")]
    [InlineData("C:\\Users\\vanthu\\Desktop\\bc.xlsx", "bc.xlsx")]
    [InlineData("C:bc.xlsx", "bc.xlsx")]
    [InlineData("/var/tmp/x/../bc.odt", "bc.odt")]
    public void Path_parts_and_drive_letters_are_dropped(string sent, string expected) =>
        Assert.Equal(expected, FileNames.Sanitize(sent));

    [Fact]
    public void Control_characters_are_dropped_and_reserved_characters_replaced()
    {
        Assert.Equal("báo cáo.pdf", FileNames.Sanitize("báo\u0000 \u0007cáo\u200B.pdf"));
        Assert.Equal("a_b_c.pdf", FileNames.Sanitize("a?b*c.pdf"));
        Assert.Equal("bc 2026.pdf", FileNames.Sanitize("bc\r\n2026.pdf"));
    }

    [Theory]
    [InlineData("CON.pdf", "_CON.pdf")]
    [InlineData("nul.docx", "_nul.docx")]
    [InlineData("com1.tar.pdf", "_com1.tar.pdf")]
    [InlineData("LPT9", "_LPT9")]
    [InlineData("console.pdf", "console.pdf")]
    public void Reserved_device_names_are_defused(string sent, string expected) =>
        Assert.Equal(expected, FileNames.Sanitize(sent));

    [Theory]
    [InlineData("báo cáo.pdf. . .", "báo cáo.pdf")]
    [InlineData("  báo cáo.pdf  ", "báo cáo.pdf")]
    [InlineData("...hidden.pdf", "hidden.pdf")]
    public void Trailing_dots_and_spaces_are_trimmed(string sent, string expected) =>
        Assert.Equal(expected, FileNames.Sanitize(sent));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("../..")]
    [InlineData("dir/")]
    [InlineData("\u0001\u0002")]
    public void A_name_with_nothing_usable_left_is_refused(string? sent) =>
        Assert.Null(FileNames.Sanitize(sent));

    [Fact]
    public void A_long_name_is_capped_and_keeps_its_extension()
    {
        var name = FileNames.Sanitize(string.Concat(Enumerable.Repeat("Báo cáo tổng hợp ", 30)) + ".docx");

        Assert.NotNull(name);
        Assert.True(name!.Length <= FileNames.MaxLength, $"{name.Length} characters");
        Assert.EndsWith(".docx", name);
        Assert.StartsWith("Báo cáo tổng hợp", name);
    }

    [Fact]
    public void Truncation_never_splits_a_letter_from_its_diacritic()
    {
        // 'ệ' written as e + two combining marks stays one letter after NFC; an emoji is a surrogate pair.
        var name = FileNames.Sanitize(new string('a', 143) + "😀😀😀😀" + ".pdf");

        Assert.NotNull(name);
        Assert.True(name!.Length <= FileNames.MaxLength);
        Assert.False(char.IsHighSurrogate(name[^5]), "a surrogate half was left behind");
    }

    [Fact]
    public void The_header_name_is_decoded_from_percent_encoded_UTF8()
    {
        Assert.Equal("Báo cáo.pdf", FileNames.DecodeHeader(Uri.EscapeDataString("Báo cáo.pdf")));
        Assert.Equal("plain.pdf", FileNames.DecodeHeader("plain.pdf"));
    }

    [Theory]
    [InlineData("B%C3%A")]
    [InlineData("B%ZZo.pdf")]
    [InlineData("B%C3o.pdf")]
    [InlineData("Báo.pdf")]
    public void An_undecodable_header_name_is_refused(string header) =>
        Assert.Null(FileNames.DecodeHeader(header));

    [Theory]
    [InlineData("bc.PDF", "pdf")]
    [InlineData("bc.tar.docx", "docx")]
    [InlineData("bc", "")]
    [InlineData(".pdf", "")]
    public void The_extension_is_lowercase_without_its_dot(string name, string expected) =>
        Assert.Equal(expected, FileNames.Extension(name));
}
