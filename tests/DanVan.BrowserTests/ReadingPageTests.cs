using DanVan.BrowserTests.Support;
using DanVan.Tests.Support;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Playwright;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.BrowserTests;

/// <summary>The dashboard shows how a unit's report was read — its headings as a tree and where each paragraph went — before compiling.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReadingPageTests(BrowserApp app)
{
    private static byte[] Report(params string[] lines)
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, DocumentFormat.OpenXml.WordprocessingDocumentType.Document))
        {
            doc.AddMainDocumentPart().Document = new W.Document(new W.Body(lines.Select(l => new W.Paragraph(new W.Run(new W.Text(l))))));
        }

        return stream.ToArray();
    }

    [Fact]
    public async Task The_dashboard_shows_a_units_report_as_a_tree_with_where_each_paragraph_went()
    {
        var period = SamplePlan.Current(SuiteClock.Now);
        await app.PutUnitAsync("so-cong-thuong-rd", "Sở Công Thương (mẫu)");
        using var content = new ByteArrayContent(Report(
            "BÁO CÁO", "Kết quả thực hiện Chỉ thị số 33/CT-TTg", "Kính gửi: Sở Nội vụ",
            "III. Đánh giá chung", "1. Ưu điểm", "Lãnh đạo Sở quan tâm chỉ đạo sát sao.",
            "2. Hạn chế, nguyên nhân", "Kinh phí còn hạn hẹp.", "3. Hoạt động khác", "Tổ chức giải bóng đá giao hữu."));
        content.Headers.ContentType = new("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/periods/{period.Id}/reports?unit=so-cong-thuong-rd") { Content = content };
        request.Headers.Add("X-File-Name", Uri.EscapeDataString("Báo cáo.docx"));
        (await app.Admin.SendAsync(request)).EnsureSuccessStatusCode();

        await using var session = await PageSession.OpenAsync(app);
        var page = session.Page;
        await page.GotoAsync("api/dashboard#token=" + BrowserApp.AdminToken);
        await page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).SelectOptionAsync(period.Id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Xem cách đọc báo cáo của Sở Công Thương (mẫu)" }).ClickAsync();

        await Assertions.Expect(page.Locator("#reading-title")).ToHaveTextAsync("Cách DanVan đọc báo cáo: Sở Công Thương (mẫu)");
        await Assertions.Expect(page.Locator("#reading-facts")).ToContainTextAsync("2 đoạn đã xếp vào đề cương, 1 đoạn cần xem lại");
        var lines = page.Locator("#reading-lines li");
        await Assertions.Expect(lines.Filter(new() { HasText = "Lãnh đạo Sở quan tâm" })).ToContainTextAsync("→ III.1. Ưu điểm");
        await Assertions.Expect(lines.Filter(new() { HasText = "Kinh phí còn hạn hẹp." })).ToContainTextAsync("→ III.2. Hạn chế, nguyên nhân");
        await Assertions.Expect(lines.Filter(new() { HasText = "Tổ chức giải bóng đá" })).ToContainTextAsync("Cần xem lại");
        await Assertions.Expect(lines.Filter(new() { HasText = "3. Hoạt động khác" })).ToContainTextAsync("↳ Cần xem lại");
        await Assertions.Expect(lines.Filter(new() { HasText = "Kính gửi" })).ToContainTextAsync("không phải nội dung");
        await session.ScreenshotAsync("dashboard-reading.png");
        Assert.DoesNotContain(session.ConsoleErrors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }
}
