using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DanVan.BrowserTests.Support;
using DanVan.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DanVan.BrowserTests;

/// <summary>
/// The upload page in headless Chromium against the real worker. The tests that send a file need the
/// upload route (POST /api/periods/{id}/reports, branch <c>uploads</c>); the others need only the foundation.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class UploadPageTests(BrowserApp app, ITestOutputHelper output) : IDisposable
{
    private readonly List<string> temporaryDirectories = [];

    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    [Fact]
    public async Task A_first_visit_without_a_credential_asks_for_it_in_vietnamese()
    {
        await using var session = await PageSession.OpenAsync(app);

        var response = await session.Page.GotoAsync("api/upload");

        Assert.Equal(200, response!.Status);
        Assert.Equal(Csp, await response.HeaderValueAsync("content-security-policy"));
        Assert.Equal("nosniff", await response.HeaderValueAsync("x-content-type-options"));
        Assert.Equal("no-referrer", await response.HeaderValueAsync("referrer-policy"));
        await Assertions.Expect(session.Page.GetByLabel("Mã truy cập", new() { Exact = true })).ToBeFocusedAsync();
        await Assertions.Expect(session.Page.Locator("#login-title")).ToHaveTextAsync("Mã truy cập của đơn vị");
        await session.ScreenshotAsync("upload-first-visit.png");
        Assert.Empty(session.OffOriginRequests(app.BaseAddress));
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task The_credential_in_the_link_shows_the_unit_its_periods_and_deadlines_and_leaves_the_address_bar()
    {
        var token = await NewUnitAsync("so-noi-vu-bt1", "Sở Nội vụ");
        await using var session = await PageSession.OpenAsync(app);

        var response = await session.Page.GotoAsync("api/upload#token=" + token);

        Assert.Equal(Csp, await response!.HeaderValueAsync("content-security-policy"));
        await Assertions.Expect(session.Page.Locator("#unit-name")).ToHaveTextAsync("Sở Nội vụ");
        // Newest first, the periods that matter at the app's instant: the current one and any whose deadline is ahead.
        var current = SamplePlan.Current(SuiteClock.Now);
        var top = SamplePlan.Listed(SuiteClock.Now).Where(p => p == current || p.IsOnTimeAt(SuiteClock.Now)).MaxBy(p => p.Deadline)!;
        var first = session.Page.Locator("#periods li").First;
        await Assertions.Expect(first).ToHaveAttributeAsync("data-period", top.Id);
        await Assertions.Expect(first).ToContainTextAsync($"Hạn nộp: trước 00:00 ngày {top.Deadline.ToOffset(SuiteClock.VietnamOffset):dd/MM/yyyy}");
        await Assertions.Expect(session.Page.Locator("#periods li .badge").First).ToHaveTextAsync("✗ Chưa nộp");
        await Assertions.Expect(session.Page.Locator("input[name=period]:checked")).ToHaveValueAsync(current.Id);
        Assert.Equal(SuiteClock.Now.ToUnixTimeMilliseconds(), await session.Page.EvaluateAsync<long>("Date.now()"));
        Assert.Equal("", await session.Page.EvaluateAsync<string>("location.hash"));
        Assert.Equal(token, await session.Page.EvaluateAsync<string>("sessionStorage.getItem('danvan.unitToken')"));
        await session.ScreenshotAsync("upload.png");
        Assert.Empty(session.OffOriginRequests(app.BaseAddress));
        Assert.Empty(session.ConsoleErrors);
        Assert.DoesNotContain(session.Requests, url => url.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_page_is_usable_at_phone_width()
    {
        var token = await NewUnitAsync("so-y-te-bt", "Sở Y tế");
        await using var session = await PageSession.OpenAsync(app, phone: true);

        await session.Page.GotoAsync("api/upload#token=" + token);

        await Assertions.Expect(session.Page.Locator("#unit-name")).ToHaveTextAsync("Sở Y tế");
        var overflow = await session.Page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "The page scrolls sideways at 390 px.");
        await session.ScreenshotAsync("upload-phone.png");
    }

    [Fact]
    public async Task A_file_of_a_refused_type_is_warned_about_in_vietnamese_and_not_sent()
    {
        var token = await NewUnitAsync("so-tu-phap-bt", "Sở Tư pháp");
        await using var session = await PageSession.OpenAsync(app);
        await session.Page.GotoAsync("api/upload#token=" + token);
        await Assertions.Expect(session.Page.Locator("#unit-name")).ToHaveTextAsync("Sở Tư pháp");

        await session.Page.GetByLabel("Tệp báo cáo", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "báo cáo.exe", MimeType = "application/octet-stream", Buffer = [0x4d, 0x5a, 0, 0] });

        var warning = session.Page.Locator("#file-warning");
        await Assertions.Expect(warning).ToBeVisibleAsync();
        await Assertions.Expect(warning).ToContainTextAsync("không đúng định dạng. Chỉ nhận PDF, DOCX, DOC, XLSX, XLS, ODT hoặc ODS");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Gửi báo cáo" }).ClickAsync();
        await Assertions.Expect(session.Page.GetByLabel("Tệp báo cáo", new() { Exact = true })).ToBeFocusedAsync();
        await session.ScreenshotAsync("upload-refused-type.png");
        Assert.DoesNotContain(session.Requests, url => url.Contains("/reports", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_over_the_configured_limit_is_warned_about_before_sending()
    {
        var token = await NewUnitAsync("so-tai-chinh-bt", "Sở Tài chính");
        await using var session = await PageSession.OpenAsync(app);
        await session.Page.GotoAsync("api/upload#token=" + token);
        await Assertions.Expect(session.Page.Locator("#max-size")).ToHaveTextAsync("20 MB");

        await session.Page.GetByLabel("Tệp báo cáo", new() { Exact = true }).SetInputFilesAsync(LocalFile("bao-cao.pdf", Pdf((int)BrowserApp.MaxUploadBytes + 1)));

        await Assertions.Expect(session.Page.Locator("#file-warning")).ToContainTextAsync("vượt quá mức tối đa 20 MB");
    }

    /// <summary>Needs branch <c>uploads</c> (POST /api/periods/{id}/reports).</summary>
    [Fact]
    public async Task Uploading_a_file_shows_its_receipt_with_version_size_hash_and_time()
    {
        var token = await NewUnitAsync("ubnd-vinh-yen-bt", "UBND thành phố Vĩnh Yên");
        await using var session = await PageSession.OpenAsync(app);
        await session.Page.GotoAsync("api/upload#token=" + token);
        await Assertions.Expect(session.Page.Locator("#unit-name")).ToHaveTextAsync("UBND thành phố Vĩnh Yên");
        var file = Pdf(50_000);

        await session.Page.GetByLabel("Tệp báo cáo", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "Báo cáo công tác dân vận.pdf", MimeType = "application/pdf", Buffer = file });
        await session.Page.GetByLabel("Ghi chú cho Sở Nội vụ (không bắt buộc)", new() { Exact = true }).FillAsync("Bản có chữ ký số");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Gửi báo cáo" }).ClickAsync();

        var result = session.Page.Locator("#result");
        await Assertions.Expect(result.Locator("h2")).ToHaveTextAsync("Sở Nội vụ đã nhận báo cáo");
        await Assertions.Expect(result).ToBeFocusedAsync();
        await Assertions.Expect(result.Locator("[data-field=version]")).ToHaveTextAsync("Số 1");
        await Assertions.Expect(result.Locator("[data-field=sha256]")).ToHaveTextAsync(Convert.ToHexStringLower(SHA256.HashData(file)));
        await Assertions.Expect(result).ToContainTextAsync("Báo cáo công tác dân vận.pdf");
        await Assertions.Expect(result).ToContainTextAsync("50.000 byte");
        // The app's clock stands at the suite's instant: received then, on time exactly when that is before the deadline.
        var period = SamplePlan.Current(SuiteClock.Now);
        await Assertions.Expect(result.Locator("[data-field=receivedAt]")).ToHaveTextAsync(SuiteClock.Now.ToOffset(SuiteClock.VietnamOffset).ToString("HH:mm:ss 'ngày' dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(result.Locator("[data-field=onTime] .badge")).ToHaveTextAsync(period.IsOnTimeAt(SuiteClock.Now) ? "✓ Đúng hạn" : "! Muộn");
        await Assertions.Expect(result).ToContainTextAsync($"(hạn trước 00:00 ngày {period.Deadline.ToOffset(SuiteClock.VietnamOffset):dd/MM/yyyy})");
        await session.ScreenshotAsync("upload-receipt.png");
        Assert.Empty(session.OffOriginRequests(app.BaseAddress));
        Assert.Empty(session.ConsoleErrors);
    }

    /// <summary>Needs branch <c>uploads</c>: the server refuses a ".pdf" that is not a PDF, and the page shows its words.</summary>
    [Fact]
    public async Task A_file_the_server_refuses_shows_the_vietnamese_title_and_detail_of_its_problem()
    {
        var token = await NewUnitAsync("so-cong-thuong-bt", "Sở Công Thương");
        var notPdf = Encoding.UTF8.GetBytes("Đây không phải là tệp PDF.");
        var periodId = SamplePlan.Current(SuiteClock.Now).Id;
        var expected = await ProblemForAsync(token, periodId, "bao-cao.pdf", notPdf);
        await using var session = await PageSession.OpenAsync(app);
        await session.Page.GotoAsync("api/upload#token=" + token);
        await Assertions.Expect(session.Page.Locator("#unit-name")).ToHaveTextAsync("Sở Công Thương");

        await session.Page.GetByLabel("Tệp báo cáo", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "bao-cao.pdf", MimeType = "application/pdf", Buffer = notPdf });
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Gửi báo cáo" }).ClickAsync();

        var result = session.Page.Locator("#result");
        await Assertions.Expect(result.Locator("h2")).ToHaveTextAsync(expected.GetProperty("title").GetString()!);
        await Assertions.Expect(result).ToContainTextAsync(expected.GetProperty("detail").GetString()!);
        await Assertions.Expect(result).ToContainTextAsync("Báo cáo CHƯA được nhận");
        await session.ScreenshotAsync("upload-refused-by-server.png");
    }

    /// <summary>Needs branch <c>uploads</c>. The upload is slowed to 4 MB/s in the browser so the bar has time to move.</summary>
    [Fact]
    public async Task The_progress_bar_moves_while_a_large_file_is_sent()
    {
        var token = await NewUnitAsync("so-xay-dung-bt", "Sở Xây dựng");
        await using var session = await PageSession.OpenAsync(app);
        await session.Page.GotoAsync("api/upload#token=" + token);
        await Assertions.Expect(session.Page.Locator("#unit-name")).ToHaveTextAsync("Sở Xây dựng");
        await ThrottleUploadsAsync(session.Page, bytesPerSecond: 4 * 1024 * 1024);
        await RecordProgressAsync(session.Page);
        await session.Page.GetByLabel("Tệp báo cáo", new() { Exact = true }).SetInputFilesAsync(LocalFile("bao-cao-lon.pdf", Pdf(16 * 1024 * 1024)));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Gửi báo cáo" }).ClickAsync();
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Button, new() { Name = "Huỷ tải lên" })).ToBeFocusedAsync();
        await session.ScreenshotAsync("upload-progress.png");
        await Assertions.Expect(session.Page.Locator("#result h2")).ToHaveTextAsync("Sở Nội vụ đã nhận báo cáo", new() { Timeout = 120_000 });

        var seen = await session.Page.EvaluateAsync<int[]>("window.__progress");
        output.WriteLine($"16 MB sent in {clock.ElapsedMilliseconds} ms; progress values seen: {string.Join(", ", seen)}");
        Assert.True(seen.Count(v => v is > 0 and < 100) >= 3, "The bar should pass through several values between 0 and 100: " + string.Join(", ", seen));
        Assert.Equal(seen.OrderBy(v => v), seen);
    }

    /// <summary>Needs branch <c>uploads</c>: cancelling aborts the request and nothing is kept.</summary>
    [Fact]
    public async Task Cancelling_an_upload_stops_it_and_says_nothing_was_received()
    {
        var token = await NewUnitAsync("so-giao-thong-bt", "Sở Giao thông vận tải");
        await using var session = await PageSession.OpenAsync(app);
        await session.Page.GotoAsync("api/upload#token=" + token);
        await Assertions.Expect(session.Page.Locator("#unit-name")).ToHaveTextAsync("Sở Giao thông vận tải");
        await ThrottleUploadsAsync(session.Page, bytesPerSecond: 1024 * 1024);
        await session.Page.GetByLabel("Tệp báo cáo", new() { Exact = true }).SetInputFilesAsync(LocalFile("bao-cao.pdf", Pdf(12 * 1024 * 1024)));

        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Gửi báo cáo" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#progress")).Not.ToHaveAttributeAsync("value", "0");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Huỷ tải lên" }).ClickAsync();

        await Assertions.Expect(session.Page.Locator("#result h2")).ToHaveTextAsync("Đã huỷ tải lên");
        await Assertions.Expect(session.Page.Locator("#progress-box")).ToBeHiddenAsync();
        var periodId = SamplePlan.Current(SuiteClock.Now).Id;
        var versions = await app.Admin.GetAsync($"api/periods/{periodId}/reports/so-giao-thong-bt");
        var body = await versions.Content.ReadAsStringAsync();
        Assert.Equal(System.Net.HttpStatusCode.OK, versions.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(body).RootElement.GetProperty("versions").GetArrayLength());
    }

    private async Task<string> NewUnitAsync(string code, string name)
    {
        await app.PutUnitAsync(code, name);
        return await app.IssueTokenAsync(code);
    }

    /// <summary>A PDF-looking file: the %PDF- signature, then filler.</summary>
    internal static byte[] Pdf(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        Encoding.ASCII.GetBytes("%PDF-1.7\n").CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>
    /// A large file handed to the browser by path (the browser runs on this machine), which is much
    /// faster than sending its bytes through the Playwright connection.
    /// </summary>
    private string LocalFile(string name, byte[] content)
    {
        var directory = Directory.CreateTempSubdirectory("danvan-browser-").FullName;
        temporaryDirectories.Add(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose()
    {
        foreach (var directory in temporaryDirectories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task<JsonElement> ProblemForAsync(string token, string periodId, string fileName, byte[] content)
    {
        using var client = new HttpClient { BaseAddress = app.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", fileName } };
        var response = await client.PostAsync($"api/periods/{periodId}/reports", form);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Chromium's own network emulation (DevTools protocol): uploads at most this fast.</summary>
    private static async Task ThrottleUploadsAsync(IPage page, int bytesPerSecond)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false,
            ["latency"] = 0,
            ["downloadThroughput"] = -1,
            ["uploadThroughput"] = bytesPerSecond,
        });
    }

    /// <summary>Keeps every value the progress bar takes in window.__progress.</summary>
    private static Task RecordProgressAsync(IPage page) => page.EvaluateAsync(@"() => {
        window.__progress = [];
        const bar = document.getElementById('progress');
        new MutationObserver(() => window.__progress.push(Number(bar.value))).observe(bar, { attributes: true, attributeFilter: ['value'] });
    }");
}
