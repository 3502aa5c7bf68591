using DanVan.Compilation;

namespace DanVan.Tests.Compilation;

public sealed class PlanSectionsTests
{
    private static Dictionary<int, IReadOnlyList<string>> Sort(params string[] paragraphs) =>
        PlanSections.Sort(paragraphs.Select(p => new ReportParagraph(p, false))).ToDictionary(s => s.Section, s => s.Paragraphs);

    [Fact]
    public void The_plan_has_nine_content_sections_numbered_one_to_nine()
    {
        Assert.Equal(Enumerable.Range(1, 9), PlanSections.All.Select(s => s.Number));
        Assert.All(PlanSections.All, s => Assert.NotEmpty(s.Keywords));
    }

    [Fact]
    public void Numbered_headings_open_their_section_and_text_before_any_heading_is_other_content()
    {
        var sorted = Sort("Mở đầu báo cáo.", "1. Quán triệt", "Nội dung một.", "3) Phong trào", "Nội dung ba.", "1.1. Chi tiết nhỏ vẫn thuộc mục trước.");

        Assert.Equal(["Mở đầu báo cáo."], sorted[PlanSections.Other]);
        Assert.Equal(["1. Quán triệt", "Nội dung một."], sorted[1]);
        Assert.Equal(["3) Phong trào", "Nội dung ba.", "1.1. Chi tiết nhỏ vẫn thuộc mục trước."], sorted[3]);
    }

    [Fact]
    public void A_short_unnumbered_heading_with_a_sections_keywords_opens_that_section_but_a_sentence_does_not()
    {
        var sorted = Sort("Công tác Cải Cách Hành Chính", "Đã rà soát 120 thủ tục.", "Công tác tuyên truyền được chú trọng trong kỳ.");

        Assert.Equal(["Công tác Cải Cách Hành Chính", "Đã rà soát 120 thủ tục.", "Công tác tuyên truyền được chú trọng trong kỳ."], sorted[4]);
        Assert.False(sorted.ContainsKey(2));
    }

    [Fact]
    public void A_roman_numeral_heading_or_a_number_outside_the_plan_closes_the_section()
    {
        var sorted = Sort("8. Tiếp công dân", "Tiếp 15 lượt.", "III. PHƯƠNG HƯỚNG NHIỆM VỤ", "Tiếp tục thực hiện.", "12. Mục riêng của đơn vị", "Nội dung riêng.");

        Assert.Equal(["8. Tiếp công dân", "Tiếp 15 lượt."], sorted[8]);
        Assert.Equal(["III. PHƯƠNG HƯỚNG NHIỆM VỤ", "Tiếp tục thực hiện.", "12. Mục riêng của đơn vị", "Nội dung riêng."], sorted[PlanSections.Other]);
    }

    [Fact]
    public void Other_content_comes_after_the_numbered_sections()
    {
        var order = PlanSections.Sort([new("Lời mở đầu.", false), new("9. Mặt trận", true), new("Phối hợp giám sát.", false)]).Select(s => s.Section);
        Assert.Equal([9, PlanSections.Other], order);
    }
}
