namespace DanVan.Domain;

/// <summary>One content item of section II ("Nội dung thực hiện") of Kế hoạch 158/KH-UBND.</summary>
public sealed record PlanSection(int Number, string Heading);

/// <summary>
/// The nine content items of the plan's section II, as the figures' template and workbook label their sections.
/// Where a unit's text goes is the outline's business (<c>Outline.ReportOutline</c>, <c>Compilation.ReportFiling</c>).
/// </summary>
public static class PlanSections
{
    public const int Other = 0;

    public static readonly IReadOnlyList<PlanSection> All =
    [
        new(1, "Phổ biến, quán triệt Chỉ thị số 33/CT-TTg và Chỉ thị số 09-CT/TU"),
        new(2, "Tuyên truyền, giáo dục nâng cao nhận thức về công tác dân vận; dân vận vùng đồng bào dân tộc thiểu số, tôn giáo"),
        new(3, "Phong trào thi đua \"Dân vận khéo\" và thực hiện văn hóa công sở"),
        new(4, "Cải cách hành chính nhà nước"),
        new(5, "Đổi mới quản lý, điều hành; cải cách thủ tục hành chính; dân chủ ở cơ sở; chuyển đổi số"),
        new(6, "Chính sách an sinh xã hội, người có công, nông thôn mới, giảm nghèo"),
        new(7, "Văn hóa công vụ, đạo đức công vụ, kiểm tra công vụ"),
        new(8, "Tiếp công dân, giải quyết khiếu nại, tố cáo; bảo đảm quyền tiếp cận thông tin"),
        new(9, "Phối hợp với Mặt trận Tổ quốc và các tổ chức chính trị - xã hội trong giám sát, phản biện xã hội"),
    ];
}
