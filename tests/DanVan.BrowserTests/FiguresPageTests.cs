using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using DanVan.BrowserTests.Support;
using DanVan.Tests.Support;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace DanVan.BrowserTests;

/// <summary>Figures on the two pages in headless Chromium against the real worker: entered by a unit, totalled on the dashboard.</summary>
[Collection(BrowserCollection.Name)]
public sealed class FiguresPageTests(BrowserApp app)
{
    [Fact]
    public async Task A_unit_enters_figures_on_the_upload_page_and_the_dashboard_shows_the_total()
    {
        var sample = await File.ReadAllTextAsync(Path.Combine(Azurite.RepositoryRoot, "functions", "SampleData", "indicators.sample.json"));
        foreach (var report in new[] { "H1", "Y" })
        {
            using var put = await app.Admin.PutAsync($"api/indicators/{report}", new StringContent(sample, System.Text.Encoding.UTF8, "application/json"));
            put.EnsureSuccessStatusCode();
        }

        await app.PutUnitAsync("so-van-hoa-fig", "Sở Văn hóa, Thể thao và Du lịch");
        var token = await app.IssueTokenAsync("so-van-hoa-fig");
        var period = SamplePlan.Current(SuiteClock.Now);
        await using var session = await PageSession.OpenAsync(app);
        var page = session.Page;

        await page.GotoAsync("api/upload#token=" + token);

        await Assertions.Expect(page.Locator("#figures-period")).ToHaveValueAsync(period.Id);
        await Assertions.Expect(page.Locator("fieldset[data-section='1'] legend")).ToContainTextAsync("Mục 1. Phổ biến, quán triệt Chỉ thị số 33/CT-TTg");
        await page.GetByLabel("Số cuộc hội nghị, buổi phổ biến, quán triệt", new() { Exact = false }).FillAsync("128");
        var people = page.Locator("#fig-QT_LUOT_NGUOI");
        await people.FillAsync("9450");
        await people.BlurAsync();
        await Assertions.Expect(people).ToHaveValueAsync("9.450");

        // A negative figure is caught before anything is sent.
        var citizens = page.Locator("#fig-TCD_LUOT");
        await citizens.FillAsync("-3");
        await citizens.BlurAsync();
        await Assertions.Expect(page.Locator("#fig-TCD_LUOT-error")).ToHaveTextAsync("Không được là số âm.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Lưu số liệu" }).ClickAsync();
        await Assertions.Expect(page.Locator("#figures-message")).ToContainTextAsync("Chưa có gì được gửi");
        await Assertions.Expect(page.Locator("#figures-result")).ToBeHiddenAsync();

        await citizens.FillAsync("40");
        await page.Locator("#fig-VHCS_KE_HOACH").SelectOptionAsync("true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Lưu số liệu" }).ClickAsync();

        var result = page.Locator("#figures-result");
        await Assertions.Expect(result).ToContainTextAsync("Đã lưu số liệu (lần nhập số 1)");
        await Assertions.Expect(result.Locator("[data-field=figures-status]")).ToHaveTextAsync("Thiếu số liệu");
        await session.ScreenshotAsync("upload-figures.png");
        await ExpectAccessibleAsync(page);
        Assert.Empty(session.ConsoleErrors);

        // What the dashboard must show is what the API totals (other browser tests may have entered figures too).
        var totals = await app.Admin.GetFromJsonAsync<JsonElement>($"api/periods/{period.Id}/figures");
        decimal Total(string code) => totals.GetProperty("indicators").EnumerateArray().Single(i => i.GetProperty("code").GetString() == code).GetProperty("total").GetDecimal();
        Assert.True(Total("QT_SO_CUOC") >= 128);
        var vi = CultureInfo.GetCultureInfo("vi-VN");

        await page.GotoAsync("api/dashboard#token=" + BrowserApp.AdminToken);
        await page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).SelectOptionAsync(period.Id);

        var row = page.Locator("#figures-table tr[data-code=QT_LUOT_NGUOI]");
        await Assertions.Expect(row.Locator("td[data-label='Toàn tỉnh']")).ToHaveTextAsync(Total("QT_LUOT_NGUOI").ToString("#,0.##", vi));
        await Assertions.Expect(page.Locator("#figures-table tr[data-code=QT_SO_CUOC] td[data-label='Toàn tỉnh']")).ToHaveTextAsync(Total("QT_SO_CUOC").ToString("#,0.##", vi));
        await Assertions.Expect(page.Locator("#figures-table tr[data-code=QT_SO_CUOC] td[data-group='Sở, ban, ngành']")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#figures-incomplete")).ToContainTextAsync("Sở Văn hóa, Thể thao và Du lịch");
        await Assertions.Expect(page.Locator("#rows tr[data-unit=so-van-hoa-fig] [data-figures=incomplete]")).ToHaveTextAsync("Thiếu số liệu");
        await session.ScreenshotAsync("dashboard-figures.png");
        await ExpectAccessibleAsync(page);
        Assert.Empty(session.OffOriginRequests(app.BaseAddress));
    }

    /// <summary>The figures' form and totals keep the pages free of WCAG 2.1 A/AA violations (axe-core).</summary>
    private static async Task ExpectAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        Assert.True(result.Violations.Length == 0, string.Join("\n", result.Violations.Select(v => $"{v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Select(n => n.Html))}")));
    }
}
