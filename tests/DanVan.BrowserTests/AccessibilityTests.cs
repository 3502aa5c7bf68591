using Deque.AxeCore.Playwright;
using DanVan.BrowserTests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DanVan.BrowserTests;

/// <summary>
/// axe-core's WCAG 2 A/AA rules on both pages as a person first sees them (labels, contrast,
/// landmarks, language), at desktop and phone width; and the pages work from the keyboard alone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserApp app, ITestOutputHelper output)
{
    public static TheoryData<string, bool> Pages => new()
    {
        { "upload", false },
        { "upload", true },
        { "dashboard", false },
        { "dashboard", true },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_page_has_no_wcag_a_or_aa_violations(string page, bool phone)
    {
        // Its own unit, so the page has a row or a period to show whichever test ran first.
        var unitToken = await UnitTokenAsync();
        var token = page == "upload" ? unitToken : BrowserApp.AdminToken;
        await using var session = await PageSession.OpenAsync(app, phone);
        await session.Page.GotoAsync($"api/{page}#token={token}");
        await Assertions.Expect(session.Page.Locator(page == "upload" ? "#unit" : "#board")).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.Locator(page == "upload" ? "#periods li" : "#rows tr").First).ToBeVisibleAsync();

        var result = await session.Page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });

        foreach (var violation in result.Violations)
        {
            output.WriteLine($"{violation.Id} ({violation.Impact}): {violation.Help} — {string.Join(" | ", violation.Nodes.Select(n => n.Html))}");
        }

        Assert.NotEmpty(result.Passes);
        Assert.Empty(result.Violations.Select(v => v.Id));
    }

    [Fact]
    public async Task The_upload_page_can_be_used_from_the_keyboard_alone()
    {
        var token = await UnitTokenAsync();
        await using var session = await PageSession.OpenAsync(app);
        await session.Page.GotoAsync("api/upload");

        await session.Page.Keyboard.TypeAsync(token);
        await session.Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(session.Page.Locator("#unit-name")).Not.ToBeEmptyAsync();

        var focused = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            await session.Page.Keyboard.PressAsync("Tab");
            focused.Add(await session.Page.EvaluateAsync<string>("document.activeElement.id || document.activeElement.textContent.trim()"));
        }

        output.WriteLine("Tab order: " + string.Join(" → ", focused));
        var order = new[] { "logout", "period-0", "file", "note", "send" }.Select(id => focused.IndexOf(id)).ToList();
        Assert.All(order, index => Assert.True(index >= 0, "Every control is reachable with Tab: " + string.Join(", ", focused)));
        Assert.Equal(order.OrderBy(i => i), order);
    }

    private async Task<string> UnitTokenAsync()
    {
        var code = "so-ke-hoach-a" + Guid.NewGuid().ToString("N")[..6];
        await app.PutUnitAsync(code, "Sở Kế hoạch và Đầu tư (mẫu)");
        return await app.IssueTokenAsync(code);
    }
}
