using System.Globalization;
using System.Net.Http.Json;
using DanVan.BrowserTests.Support;
using DanVan.Tests.Support;
using Microsoft.Playwright;

namespace DanVan.BrowserTests;

/// <summary>
/// Sở Nội vụ's decisions in the pages, against the real worker at the suites' instant: the dashboard's actions
/// (each confirmed) and filter, and what the unit then sees on its upload page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DecisionPageTests(BrowserApp app)
{
    /// <summary>The day after a period's last on-time day plus <paramref name="days"/>, as the date input takes it.</summary>
    private static string DayAfterDeadline(DateTimeOffset deadline, int days) =>
        deadline.ToOffset(SuiteClock.VietnamOffset).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string VietnamDate(string isoDay) => DateOnly.ParseExact(isoDay, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_dashboard_returns_a_report_with_a_reason_extends_a_deadline_and_exempts_a_unit_each_after_confirmation()
    {
        var period = SamplePlan.Current(SuiteClock.Now);
        await app.PutUnitAsync("so-tu-phap-dq", "Sở Tư pháp (mẫu)");
        await app.PutUnitAsync("so-xay-dung-dq", "Sở Xây dựng (mẫu)");
        await app.UploadAsync(period.Id, "so-tu-phap-dq");
        await using var session = await PageSession.OpenAsync(app);
        var page = session.Page;
        string? question = null;
        var answer = false;
        page.Dialog += async (_, dialog) =>
        {
            question = dialog.Message;
            await (answer ? dialog.AcceptAsync() : dialog.DismissAsync());
        };
        await page.GotoAsync("api/dashboard#token=" + BrowserApp.AdminToken);
        await page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).SelectOptionAsync(period.Id);
        var submitted = page.Locator("tr[data-unit=so-tu-phap-dq]");
        var missing = page.Locator("tr[data-unit=so-xay-dung-dq]");
        await Assertions.Expect(submitted).ToContainTextAsync("Chờ xem xét");

        // "Cần xem xét" keeps the units whose latest version awaits a decision.
        await page.GetByLabel("Hiển thị", new() { Exact = true }).SelectOptionAsync("review");
        await Assertions.Expect(submitted).ToBeVisibleAsync();
        await Assertions.Expect(missing).ToHaveCountAsync(0);
        await page.GetByLabel("Hiển thị", new() { Exact = true }).SelectOptionAsync("all");

        // Returning asks first; dismissed, nothing changes.
        await submitted.GetByRole(AriaRole.Button, new() { Name = "Quyết định về Sở Tư pháp (mẫu)" }).ClickAsync();
        await Assertions.Expect(page.Locator("#decision-title")).ToHaveTextAsync("Quyết định về Sở Tư pháp (mẫu)");
        await page.GetByLabel("Lý do", new() { Exact = false }).FillAsync("Thiếu biểu số liệu kèm theo.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Trả lại…", Exact = true }).ClickAsync();
        await Assertions.Expect(submitted).ToContainTextAsync("Chờ xem xét");
        Assert.Contains("Trả lại phiên bản 1 của Sở Tư pháp (mẫu)?", question);

        answer = true;
        await page.GetByRole(AriaRole.Button, new() { Name = "Trả lại…", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#decision-message")).ToContainTextAsync("Đã ghi quyết định về Sở Tư pháp (mẫu). Đã xếp hàng gửi thư cho đơn vị.");
        await Assertions.Expect(submitted).ToContainTextAsync("Trả lại");
        await Assertions.Expect(submitted).ToContainTextAsync("Lý do: Thiếu biểu số liệu kèm theo.");
        await page.GetByLabel("Hiển thị", new() { Exact = true }).SelectOptionAsync("review");
        await Assertions.Expect(submitted).ToHaveCountAsync(0);
        await page.GetByLabel("Hiển thị", new() { Exact = true }).SelectOptionAsync("all");

        // An extension for the unit that has not submitted: its row says until when.
        var until = DayAfterDeadline(period.Deadline, 10);
        await missing.GetByRole(AriaRole.Button, new() { Name = "Quyết định về Sở Xây dựng (mẫu)" }).ClickAsync();
        await Assertions.Expect(page.Locator("#decision-title")).ToHaveTextAsync("Quyết định về Sở Xây dựng (mẫu)");
        await page.GetByLabel("Gia hạn đến hết ngày", new() { Exact = true }).FillAsync(until);
        await page.GetByLabel("Lý do", new() { Exact = false }).FillAsync("Đơn vị mới sáp nhập.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Gia hạn…", Exact = true }).ClickAsync();
        await Assertions.Expect(missing).ToContainTextAsync($"gia hạn đến hết ngày {VietnamDate(until)}");
        Assert.Contains($"đến hết ngày {VietnamDate(until)}", question);

        // Then exempt it: listed as exempt, not missing.
        await page.GetByLabel("Lý do", new() { Exact = false }).FillAsync("Không phải nộp kỳ này: báo cáo chung với Sở Tài chính.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Miễn nộp kỳ này…", Exact = true }).ClickAsync();
        await Assertions.Expect(missing.Locator(".badge")).ToContainTextAsync("Miễn nộp kỳ này");
        await Assertions.Expect(page.Locator("[data-figure=exempt]")).Not.ToHaveTextAsync("0");
        await session.ScreenshotAsync("dashboard-decisions.png");
        Assert.DoesNotContain(session.ConsoleErrors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_unit_sees_why_its_report_was_returned_and_its_extended_deadline()
    {
        var period = SamplePlan.Current(SuiteClock.Now);
        await app.PutUnitAsync("so-cong-thuong-dq", "Sở Công Thương (mẫu)");
        var token = await app.IssueTokenAsync("so-cong-thuong-dq");
        await app.UploadAsync(period.Id, "so-cong-thuong-dq");
        var until = DayAfterDeadline(period.Deadline, 7);
        (await app.Admin.PostAsJsonAsync($"api/periods/{period.Id}/decisions/so-cong-thuong-dq/review", new { version = 1, decision = "returned", reason = "Báo cáo chưa có chữ ký số của thủ trưởng." })).EnsureSuccessStatusCode();
        (await app.Admin.PutAsJsonAsync($"api/periods/{period.Id}/decisions/so-cong-thuong-dq/extension", new { deadline = until, reason = "Chờ ký số." })).EnsureSuccessStatusCode();
        await using var session = await PageSession.OpenAsync(app);

        await session.Page.GotoAsync("api/upload#token=" + token);

        var item = session.Page.Locator($"li[data-period='{period.Id}']");
        await Assertions.Expect(item).ToContainTextAsync($"gia hạn đến hết ngày {VietnamDate(until)}");
        await Assertions.Expect(item.Locator("[data-review]")).ToContainTextAsync("Trả lại — cần nộp lại");
        await Assertions.Expect(item.Locator("[data-return-reason]")).ToContainTextAsync("Lý do trả lại: Báo cáo chưa có chữ ký số của thủ trưởng.");
        await Assertions.Expect(session.Page.Locator($"input[name=period][value='{period.Id}'] + label")).ToContainTextAsync($"gia hạn đến hết ngày {VietnamDate(until)}");
        await session.ScreenshotAsync("upload-returned.png");
        Assert.Empty(session.ConsoleErrors);
    }
}
