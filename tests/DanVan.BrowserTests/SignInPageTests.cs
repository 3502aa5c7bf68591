using System.Net.Http.Json;
using System.Text.Json;
using DanVan.BrowserTests.Support;
using DanVan.Tests.Support;
using Microsoft.Playwright;

namespace DanVan.BrowserTests;

/// <summary>
/// Sở Nội vụ's staff sign in to the dashboard through the real authorization code + PKCE flow of the local sign-in
/// provider (tools/dev-identity), choosing one of the sample staff (functions/SampleData/staff.sample.json); the
/// page's clock and the app's stand at <see cref="SuiteClock.Now"/>, the provider's is the machine's.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SignInPageTests(BrowserApp app)
{
    private const string Officer = "dev-nguyen-thi-binh";
    private const string OfficerName = "Nguyễn Thị Bình";
    private const string Leader = "dev-tran-van-cuong";
    private const string LeaderName = "Trần Văn Cường";
    private const string Viewer = "dev-le-thi-dung";
    private const string ViewerName = "Lê Thị Dung";

    /// <summary>Every button that does something official (review, remind, compile, finalize, the registry).</summary>
    private static readonly string[] ActionButtons =
    [
        "Gửi nhắc nhở…", "Tổng hợp ngay", "Khoá kỳ báo cáo…", "Tiếp nhận…", "Trả lại…", "Gia hạn…", "Miễn nộp kỳ này…",
        "Thêm đơn vị…", "Gửi đường liên kết cho các đơn vị chưa có mã…",
    ];

    [Fact]
    public async Task An_officer_signs_in_with_code_and_pkce_returns_a_report_after_signing_in_again_and_every_record_names_her()
    {
        var period = SamplePlan.Current(SuiteClock.Now);
        const string unit = "so-noi-vu-si";
        await app.PutUnitAsync(unit, "Sở Nội vụ (mẫu, đăng nhập)");
        await app.UploadAsync(period.Id, unit);
        await using var session = await PageSession.OpenAsync(app);
        var page = session.Page;
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();

        await SignInAsync(page, Officer, OfficerName, "Chuyên viên");

        // The code and state are gone from the address bar; the token is in this tab's sessionStorage, never in a URL.
        Assert.Equal(app.BaseAddress + "api/dashboard", page.Url);
        var accessToken = await page.EvaluateAsync<string>("JSON.parse(sessionStorage.getItem('danvan.session')).accessToken");
        Assert.Equal(3, accessToken.Split('.').Length);
        Assert.DoesNotContain(session.Requests, url => url.Contains(accessToken, StringComparison.Ordinal));
        Assert.DoesNotContain(session.Requests, url => url.StartsWith(app.Identity.Issuer, StringComparison.Ordinal) && url.Contains("code_verifier", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#break-glass-banner")).ToBeHiddenAsync();

        // An officer reviews and reminds; extending, exempting and finalizing are a leader's.
        await page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).SelectOptionAsync(period.Id);
        var row = page.Locator($"tr[data-unit={unit}]");
        await Assertions.Expect(row).ToContainTextAsync("Chờ xem xét");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Gửi nhắc nhở…" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Khoá kỳ báo cáo…" })).ToHaveCountAsync(0);
        await row.GetByRole(AriaRole.Button, new() { Name = "Quyết định về Sở Nội vụ (mẫu, đăng nhập)" }).ClickAsync();
        await Assertions.Expect(page.Locator("#decision-title")).ToHaveTextAsync("Quyết định về Sở Nội vụ (mẫu, đăng nhập)");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Trả lại…", Exact = true })).ToBeEnabledAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Gia hạn…", Exact = true })).ToHaveCountAsync(0);

        // The session runs out while she types: the API answers 401, the page keeps what she typed across a new sign-in.
        const string reason = "Thiếu biểu số liệu kèm theo; đề nghị bổ sung.";
        var until = period.Deadline.ToOffset(SuiteClock.VietnamOffset).AddDays(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await page.GetByLabel("Lý do", new() { Exact = false }).FillAsync(reason);
        await page.GetByLabel("Gia hạn đến hết ngày", new() { Exact = true }).FillAsync(until);
        await page.RouteAsync("**/api/periods/*/decisions/*/review", route => route.FulfillAsync(new()
        {
            Status = 401,
            ContentType = "application/problem+json",
            Body = """{"title":"Chưa xác thực","detail":"Phiên đăng nhập đã hết hạn.","status":401,"code":"unauthorized"}""",
        }));
        await page.GetByRole(AriaRole.Button, new() { Name = "Trả lại…", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Phiên đăng nhập đã hết hạn");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập", Exact = true })).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#board")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('danvan.session')"));
        await page.UnrouteAllAsync();

        // Signing in again: the provider still knows her (no choice to make), and the page puts everything back.
        await page.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#who-name")).ToHaveTextAsync(OfficerName);
        await Assertions.Expect(page.Locator("#decision-title")).ToHaveTextAsync("Quyết định về Sở Nội vụ (mẫu, đăng nhập)");
        await Assertions.Expect(page.GetByLabel("Lý do", new() { Exact = false })).ToHaveValueAsync(reason);
        await Assertions.Expect(page.GetByLabel("Gia hạn đến hết ngày", new() { Exact = true })).ToHaveValueAsync(until);
        Assert.Equal(period.Id, await page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).InputValueAsync());
        Assert.Equal(app.BaseAddress + "api/dashboard", page.Url);

        await page.GetByRole(AriaRole.Button, new() { Name = "Trả lại…", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#decision-message")).ToContainTextAsync("Đã xếp hàng gửi thư cho đơn vị.");
        await Assertions.Expect(row).ToContainTextAsync($"Lý do: {reason}");
        await session.ScreenshotAsync("dashboard-signed-in-officer.png");

        // The audit, the decision history and the unit's email each name her (and her stable id), not "admin".
        var audit = await GetJsonAsync($"api/audit?periodId={period.Id}");
        var returned = audit.EnumerateArray().Where(e => e.GetProperty("unitCode").GetString() == unit && Strings(e).Any(s => s.Contains(reason, StringComparison.Ordinal))).ToList();
        Assert.Single(returned);
        Assert.Contains(Strings(returned[0]), s => s.Contains(OfficerName, StringComparison.Ordinal));
        Assert.Contains(Strings(returned[0]), s => s.Contains(Officer, StringComparison.Ordinal));
        Assert.DoesNotContain(Strings(returned[0]), s => s == "admin");
        var decisions = await GetJsonAsync($"api/periods/{period.Id}/decisions/{unit}");
        Assert.Contains(Strings(decisions), s => s.Contains(OfficerName, StringComparison.Ordinal));
        var email = await OutboxEmailAsync($"{unit}@example.org", reason);
        Assert.Contains(OfficerName, email, StringComparison.Ordinal);
        Assert.DoesNotContain(session.ConsoleErrors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Uses the second oldest period, which no other test touches (the oldest is finalized by the break-glass test).</summary>
    [Fact]
    public async Task A_leader_finalizes_a_period_and_the_record_names_him()
    {
        var period = SamplePlan.Listed(SuiteClock.Now)[1];
        await using var session = await PageSession.OpenAsync(app);
        var page = session.Page;
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();

        await SignInAsync(page, Leader, LeaderName, "Lãnh đạo");
        await page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).SelectOptionAsync(period.Id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Khoá kỳ báo cáo…" }).ClickAsync();

        await Assertions.Expect(page.Locator("#action-message")).ToContainTextAsync("Đã khoá", new() { Timeout = 60_000 });
        var audit = await GetJsonAsync($"api/audit?periodId={period.Id}");
        var finalized = audit.EnumerateArray().Where(e => Strings(e).Any(s => s.Contains(LeaderName, StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(finalized);
        Assert.Contains(finalized, e => Strings(e).Any(s => s.Contains("finaliz", StringComparison.OrdinalIgnoreCase)));
        // A leader does not keep the registry: that is an administrator's.
        await Assertions.Expect(page.Locator("#registry-card")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_viewer_sees_no_action_buttons_and_the_api_refuses_her_in_vietnamese()
    {
        var period = SamplePlan.Current(SuiteClock.Now);
        const string unit = "so-van-hoa-si";
        await app.PutUnitAsync(unit, "Sở Văn hoá (mẫu, đăng nhập)");
        await app.UploadAsync(period.Id, unit);
        await using var session = await PageSession.OpenAsync(app);
        var page = session.Page;

        await SignInAsync(page, Viewer, ViewerName, "Xem");
        await page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).SelectOptionAsync(period.Id);
        var row = page.Locator($"tr[data-unit={unit}]");
        await Assertions.Expect(row).ToContainTextAsync("Chờ xem xét");

        // She reads the table, the figures and the compilation; nothing she could not do is offered.
        foreach (var name in ActionButtons)
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true })).ToHaveCountAsync(0);
        }

        await Assertions.Expect(row.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Assertions.Expect(row).ToContainTextAsync("Phiên bản 1");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Tải bản tổng hợp mới nhất" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#registry-card")).ToBeHiddenAsync();
        await session.ScreenshotAsync("dashboard-signed-in-viewer.png");

        // With her own token, the API refuses an officer's act: 403 role_required naming the role, in Vietnamese.
        var refused = await page.EvaluateAsync<JsonElement>(
            """
            async (path) => {
              const r = await fetch(path, { method: 'POST', headers: { Authorization: 'Bearer ' + DanVanSession.token() } });
              return { status: r.status, body: await r.json() };
            }
            """,
            $"periods/{period.Id}/compilations");
        Assert.Equal(403, refused.GetProperty("status").GetInt32());
        var problem = refused.GetProperty("body");
        Assert.Equal("role_required", problem.GetProperty("code").GetString());
        Assert.Equal("Officer", problem.GetProperty("role").GetString());
        Assert.Contains("Chuyên viên", problem.GetProperty("detail").GetString() + problem.GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_person_without_a_role_is_told_in_vietnamese_which_role_is_needed()
    {
        await using var session = await PageSession.OpenAsync(app);
        var page = session.Page;

        await page.GotoAsync("api/dashboard");
        await page.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập", Exact = true }).ClickAsync();
        await page.Locator("button[data-sub='dev-hoang-van-em']").ClickAsync();

        await Assertions.Expect(page.Locator("#who-name")).ToHaveTextAsync("Hoàng Văn Em");
        await Assertions.Expect(page.Locator("#who-role")).ToHaveTextAsync("Chưa được giao vai trò");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("cần vai trò Xem");
        await Assertions.Expect(page.Locator("#board")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task The_break_glass_token_works_with_a_banner_saying_so()
    {
        await using var session = await PageSession.OpenAsync(app);
        var page = session.Page;

        await page.GotoAsync("api/dashboard#token=" + BrowserApp.AdminToken);

        await Assertions.Expect(page.Locator("#break-glass-banner")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#break-glass-banner")).ToContainTextAsync("Đang dùng mã khẩn cấp");
        await Assertions.Expect(page.Locator("#board")).ToBeVisibleAsync();
        Assert.Equal(app.BaseAddress + "api/dashboard", page.Url);

        // Signing out forgets it: the banner goes, the sign-in is offered.
        await page.GetByRole(AriaRole.Button, new() { Name = "Đăng xuất" }).ClickAsync();
        await Assertions.Expect(page.Locator("#break-glass-banner")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập", Exact = true })).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('danvan.adminToken')"));
    }

    /// <summary>The dashboard's "Đăng nhập", the provider's page (choose a person), and back: signed in as that person.</summary>
    private async Task SignInAsync(IPage page, string subject, string name, string role)
    {
        await page.GotoAsync("api/dashboard");
        await page.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(app.Identity.Issuer + "/interaction/", StringComparison.Ordinal));
        await page.Locator($"button[data-sub='{subject}']").ClickAsync();
        await Assertions.Expect(page.Locator("#who-name")).ToHaveTextAsync(name);
        await Assertions.Expect(page.Locator("#who-role")).ToHaveTextAsync(role);
        await Assertions.Expect(page.Locator("#board")).ToBeVisibleAsync();
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await app.Admin.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Every string value anywhere in a JSON answer (names are checked wherever the answer puts them).</summary>
    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    /// <summary>The email to <paramref name="to"/> that says <paramref name="text"/>, once the queue's sender has written it to the outbox.</summary>
    private async Task<string> OutboxEmailAsync(string to, string text)
    {
        var container = app.Store.Outbox;
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (await container.ExistsAsync())
            {
                await foreach (var blob in container.GetBlobsAsync())
                {
                    var email = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
                    if (email.Contains($"\r\nTo: {to}\r\n", StringComparison.Ordinal) && email.Contains(text, StringComparison.Ordinal))
                    {
                        return email;
                    }
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No email to {to} saying \"{text}\" reached the outbox within 30 s.");
    }
}
