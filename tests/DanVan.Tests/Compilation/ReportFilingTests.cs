using DanVan.Compilation;
using DanVan.Outline;
using DanVan.Tests.Compilation.Corpus;

namespace DanVan.Tests.Compilation;

public sealed class ReportFilingTests
{
    private static readonly ReportOutline Outline = OutlineService.Sample("H1");

    private static List<FiledLine> File(params string[] lines) =>
        ReportFiling.File(Outline, ReportTree.Read(lines.Select(l => new ReportParagraph(l, false)).ToList())).ToList();

    private static FiledLine Text(List<FiledLine> filed, string text) => filed.Single(f => !f.Line.Heading && f.Line.Text == text);

    [Fact]
    public void A_number_means_a_content_only_inside_part_II_and_a_headings_words_decide_under_its_parent()
    {
        var filed = File(
            "II. Kết quả thực hiện", "1. Phổ biến, quán triệt", "Đã quán triệt.",
            "III. Đánh giá chung", "1. Ưu điểm", "Lãnh đạo Sở quan tâm chỉ đạo sát sao.", "2. Khó khăn, vướng mắc", "Thiếu kinh phí.",
            "3. Đề xuất, kiến nghị", "Đề nghị Sở Nội vụ mở lớp tập huấn.");

        Assert.Equal(("II", "1"), (Text(filed, "Đã quán triệt.").Part, Text(filed, "Đã quán triệt.").Content));
        var strength = Text(filed, "Lãnh đạo Sở quan tâm chỉ đạo sát sao.");
        Assert.Equal(("III", "uu-diem", "1. Ưu điểm"), (strength.Part, strength.Content, strength.Heading));
        Assert.Equal(("III", "han-che"), (Text(filed, "Thiếu kinh phí.").Part, Text(filed, "Thiếu kinh phí.").Content));
        var request = Text(filed, "Đề nghị Sở Nội vụ mở lớp tập huấn.");
        Assert.Equal(("V", "so-noi-vu"), (request.Part, request.Content));
    }

    [Fact]
    public void Text_under_a_heading_that_names_no_content_goes_to_review_with_its_heading_never_into_a_guessed_content()
    {
        var filed = File("II. Kết quả thực hiện", "3. Các hoạt động khác của đơn vị", "Tổ chức giải bóng đá giao hữu.", "IV. Phương hướng", "Tiếp tục thực hiện.");

        var other = Text(filed, "Tổ chức giải bóng đá giao hữu.");
        Assert.Equal((FilingOutcome.Review, "II", null, "3. Các hoạt động khác của đơn vị"), (other.Outcome, other.Part, other.Content, other.Heading));
        Assert.Equal("IV", Text(filed, "Tiếp tục thực hiện.").Part);
    }

    [Fact]
    public void The_title_block_and_the_signature_block_are_not_content()
    {
        var filed = File(
            "SỞ TÀI CHÍNH", "Số: 12/BC-STC", "BÁO CÁO", "Kết quả thực hiện Chỉ thị số 33/CT-TTg 6 tháng đầu năm 2026", "Kính gửi: Sở Nội vụ",
            "Thực hiện Kế hoạch số 158/KH-UBND, Sở Tài chính báo cáo như sau:", "I. Công tác lãnh đạo, chỉ đạo", "Ban hành kế hoạch.",
            "Nơi nhận:", "- Như trên;", "GIÁM ĐỐC", "Nguyễn Văn An");

        Assert.Equal(6, filed.Count(f => f.Line.Role == LineRole.TitleBlock));
        Assert.Equal(4, filed.Count(f => f.Line.Role == LineRole.Signature));
        Assert.Equal([("I", "Ban hành kế hoạch.")], filed.Where(f => f.Outcome == FilingOutcome.Placed).Select(f => (f.Part!, f.Line.Text)));
    }

    [Fact]
    public void Words_automatic_numbering_is_read_from_the_numbering_part_and_shown_as_the_headings_number()
    {
        var docx = ReportCorpus.AutomaticNumbering().Docx();
        var reading = ReportText.Read(new MemoryStream(docx), "bao-cao.docx");

        var headings = ReportTree.Read(reading.Paragraphs!, reading.Format).Where(l => l.Heading).Select(l => l.Original).ToList();

        Assert.Equal(
            ["I. Công tác lãnh đạo, chỉ đạo", "II. Kết quả thực hiện", "1. Tuyên truyền, giáo dục nâng cao nhận thức", "2. Đổi mới quản lý, điều hành; chuyển đổi số",
             "3. Chính sách an sinh xã hội, người có công", "III. Đánh giá chung", "1. Ưu điểm", "2. Hạn chế, nguyên nhân", "IV. Phương hướng, nhiệm vụ", "V. Kiến nghị, đề xuất"],
            headings);
        Assert.Contains(reading.Paragraphs!, p => p.NumId == 1 && p.Style == "u1" && p.Text == "Kết quả thực hiện");
    }
}
