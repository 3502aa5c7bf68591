using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Tests.Figures;
using DanVan.Tests.Support;

namespace DanVan.Tests.Compilation.Corpus;

/// <summary>The draft Sở Nội vụ receives when units of the corpus report and one of them entered its figures.</summary>
public sealed class OutlinedDraftTests
{
    private const string PeriodId = "2026-H1";

    [Fact]
    public async Task The_draft_follows_the_outline_with_the_figures_first_then_each_units_text_and_lists_what_it_could_not_place()
    {
        var vn = TimeSpan.FromHours(7);
        var bed = await FiguresBed.StartAsync(new DateTimeOffset(2026, 5, 10, 9, 0, 0, vn));
        await using var app = bed.App;
        var reports = new[] { ReportCorpus.CommonShape(), ReportCorpus.AutomaticNumbering(), ReportCorpus.NoHeadings(), ReportCorpus.ShortShape() };
        var codes = new[] { "so-tai-chinh", "so-y-te", "ban-dan-toc", "ubnd-tam-duong" };
        var seeder = new SubmissionSeeder(app);
        for (var i = 0; i < reports.Length; i++)
        {
            var token = await bed.UnitAsync(codes[i], reports[i].Unit);
            await seeder.SeedAsync(PeriodId, codes[i], $"Báo cáo {reports[i].Unit}.docx", reports[i].Docx(), new DateTimeOffset(2026, 5, 12, 8, 0, 0, vn));
            if (i == 0)
            {
                Assert.Equal(201, (await bed.EnterAsync(PeriodId, token, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 2, ["QT_LUOT_NGUOI"] = 86, ["DVK_MO_HINH"] = 1, ["VHCS_KE_HOACH"] = true })).Status);
            }
        }

        app.Clock.Advance(TimeSpan.FromDays(6));
        await app.Get<Compiler>().CompileAsync(app.Get<PeriodCatalog>().Get(PeriodId), "admin");
        var bundle = await Bundle.DownloadLatestAsync(app, PeriodId);
        var draft = bundle[BundleWriter.DraftEntry];
        if (Environment.GetEnvironmentVariable("DANVAN_DRAFT_OUT") is { Length: > 0 } path)
        {
            await File.WriteAllBytesAsync(path, draft);
        }

        Assert.Empty(TestFiles.ValidationErrors(draft, isDocx: true));
        var paragraphs = TestFiles.DocxParagraphs(draft);
        int At(string start) => paragraphs.FindIndex(p => p.StartsWith(start, StringComparison.Ordinal));

        var parts = new[] { "I. CÔNG TÁC LÃNH ĐẠO", "II. KẾT QUẢ THỰC HIỆN", "III. ĐÁNH GIÁ CHUNG", "IV. PHƯƠNG HƯỚNG", "V. KIẾN NGHỊ", DraftOutline.ReviewHeading, DraftReport.AppendixHeading }.Select(At).ToList();
        Assert.Equal(parts.Order(), parts);
        Assert.DoesNotContain(-1, parts);

        // Content 1: the figures' sentences first, then the unit's own words, led by its name.
        var one = At("1. Phổ biến, quán triệt");
        Assert.StartsWith("Số liệu tổng hợp từ 1/4 cơ quan, đơn vị", paragraphs[one + 1]);
        Assert.StartsWith("Các cơ quan, đơn vị đã tổ chức 2 cuộc hội nghị", paragraphs[one + 2]);
        Assert.StartsWith("Sở Tài chính: Sở tổ chức 02 hội nghị quán triệt", paragraphs[one + 3]);

        // Strengths and limitations under III, in the units' order; the short shape's difficulties with them.
        var limits = At("2. Hạn chế, nguyên nhân");
        Assert.InRange(limits, parts[2], parts[3]);
        var after = paragraphs.Skip(limits + 1).Take(4).ToList();
        Assert.StartsWith("Ban Dân tộc: Khó khăn: địa bàn rộng", after[0]);
        Assert.StartsWith("Sở Tài chính: Một số phòng chưa chủ động", after[1]);
        Assert.StartsWith("Sở Y tế: Tình trạng quá tải", after[2]);
        Assert.StartsWith("UBND huyện Tam Dương: Kinh phí cho công tác tuyên truyền", after[3]);

        // Recommendations grouped by whom they ask.
        var province = At("1. Kiến nghị với UBND tỉnh");
        var department = At("2. Kiến nghị với Sở Nội vụ");
        Assert.InRange(province, parts[4], department);
        Assert.StartsWith("Ban Dân tộc: Kiến nghị UBND tỉnh bổ sung kinh phí", paragraphs[province + 1]);
        Assert.StartsWith("Sở Tài chính: Đề nghị UBND tỉnh bố trí kinh phí", paragraphs[province + 2]);
        Assert.StartsWith("UBND huyện Tam Dương: Đề nghị Sở Nội vụ mở lớp", paragraphs[department + 1]);

        // Never guessed: what could not be placed is listed with its unit and heading; title lines are nowhere.
        Assert.Equal(
            $"- Ban Dân tộc (mục \u201c{ReportFiling.NoHeading}\u201d): Thăm hỏi, tặng quà 85 người có uy tín trong đồng bào dân tộc thiểu số nhân dịp Tết Nguyên đán.",
            paragraphs[parts[5] + 1]);
        Assert.Equal(parts[6], parts[5] + 2);
        Assert.DoesNotContain(paragraphs, p => p.Contains("báo cáo kết quả thực hiện 6 tháng đầu năm 2026 như sau"));
    }
}
