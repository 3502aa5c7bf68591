using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DanVan.Compilation;

/// <summary>One content item of section II ("Nội dung thực hiện") of Kế hoạch 158/KH-UBND.</summary>
public sealed record PlanSection(int Number, string Heading, IReadOnlyList<string> Keywords);

/// <summary>A unit's paragraphs that fall under one plan section (0 = "Nội dung khác").</summary>
public sealed record SectionText(int Section, IReadOnlyList<string> Paragraphs);

/// <summary>
/// The nine content items of the plan's section II, and how a unit's report text is sorted under
/// them: a numbered heading "1." … "9." opens that section; a short heading-like paragraph that
/// names a section's keywords opens it too; a Roman-numeral heading ("III. …") closes it. Text
/// before any section heading, or under one that matches none, goes to "Nội dung khác".
/// </summary>
public static partial class PlanSections
{
    public const int Other = 0;

    public const string OtherHeading = "Nội dung khác";

    public static readonly IReadOnlyList<PlanSection> All =
    [
        new(1, "Phổ biến, quán triệt Chỉ thị số 33/CT-TTg và Chỉ thị số 09-CT/TU", ["quán triệt", "phổ biến"]),
        new(2, "Tuyên truyền, giáo dục nâng cao nhận thức về công tác dân vận; dân vận vùng đồng bào dân tộc thiểu số, tôn giáo", ["tuyên truyền", "dân tộc thiểu số"]),
        new(3, "Phong trào thi đua \"Dân vận khéo\" và thực hiện văn hóa công sở", ["thi đua", "dân vận khéo", "văn hóa công sở"]),
        new(4, "Cải cách hành chính nhà nước", ["cải cách hành chính"]),
        new(5, "Đổi mới quản lý, điều hành; cải cách thủ tục hành chính; dân chủ ở cơ sở; chuyển đổi số", ["quản lý, điều hành", "thủ tục hành chính", "chuyển đổi số", "dân chủ ở cơ sở"]),
        new(6, "Chính sách an sinh xã hội, người có công, nông thôn mới, giảm nghèo", ["an sinh", "người có công", "nông thôn mới", "giảm nghèo"]),
        new(7, "Văn hóa công vụ, đạo đức công vụ, kiểm tra công vụ", ["văn hóa công vụ", "đạo đức công vụ", "công vụ"]),
        new(8, "Tiếp công dân, giải quyết khiếu nại, tố cáo; bảo đảm quyền tiếp cận thông tin", ["tiếp công dân", "khiếu nại", "tiếp cận thông tin"]),
        new(9, "Phối hợp với Mặt trận Tổ quốc và các tổ chức chính trị - xã hội trong giám sát, phản biện xã hội", ["mặt trận", "phản biện xã hội", "giám sát"]),
    ];

    /// <summary>A paragraph this short, not ending a sentence, may be a heading even without a number.</summary>
    private const int MaxHeadingLength = 120;

    [GeneratedRegex(@"^\s*(\d{1,2})\s*[\.\)]\s*(?!\d)")]
    private static partial Regex NumberedHeading();

    [GeneratedRegex(@"^\s*[IVX]{1,5}\s*[\.\)]\s")]
    private static partial Regex RomanHeading();

    /// <summary>Sorts a report's paragraphs under the plan's sections, keeping their order within each.</summary>
    public static IReadOnlyList<SectionText> Sort(IEnumerable<ReportParagraph> paragraphs)
    {
        var sections = new Dictionary<int, List<string>>();
        var current = Other;
        foreach (var p in paragraphs)
        {
            var text = p.Text.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (HeadingSection(text, p.IsHeadingStyle) is { } opened)
            {
                current = opened;
            }

            if (!sections.TryGetValue(current, out var list))
            {
                sections[current] = list = [];
            }

            list.Add(text);
        }

        return sections.OrderBy(s => s.Key == Other ? int.MaxValue : s.Key).Select(s => new SectionText(s.Key, s.Value)).ToList();
    }

    /// <summary>The section a heading opens, <see cref="Other"/> for one that closes sections, or null for body text.</summary>
    private static int? HeadingSection(string text, bool isHeadingStyle)
    {
        var numbered = NumberedHeading().Match(text);
        if (numbered.Success)
        {
            var n = int.Parse(numbered.Groups[1].Value, CultureInfo.InvariantCulture);
            return n is >= 1 and <= 9 ? n : Other;
        }

        if (RomanHeading().IsMatch(text))
        {
            return Other;
        }

        if (!isHeadingStyle && (text.Length > MaxHeadingLength || text.EndsWith('.')))
        {
            return null;
        }

        var folded = Fold(text);
        var match = All.FirstOrDefault(s => s.Keywords.Any(k => folded.Contains(Fold(k), StringComparison.Ordinal)));
        return match?.Number ?? (isHeadingStyle ? Other : null);
    }

    /// <summary>Lower case, NFC, so "Tuyên Truyền" and "tuyên truyền" (composed or not) compare equal.</summary>
    private static string Fold(string text) => text.Normalize(NormalizationForm.FormC).ToLower(Domain.VietnamTime.Culture);
}
