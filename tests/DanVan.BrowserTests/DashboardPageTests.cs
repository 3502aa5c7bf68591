using System.Net.Http.Json;
using System.Text.Json;
using DanVan.BrowserTests.Support;
using DanVan.Submissions;
using DanVan.Tests.Support;
using Microsoft.Playwright;

namespace DanVan.BrowserTests;

/// <summary>
/// The dashboard in headless Chromium against the real worker. Submissions are written straight into
/// the submissions table (through its key owner, <see cref="SubmissionKeys"/>) so that on-time, late,
/// missing and not-required units exist at instants chosen around a deadline. The app's clock and the
/// page's stand at <see cref="SuiteClock.Now"/>; every period and expectation is worked out from it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardPageTests(BrowserApp app)
{
    // Background colours of the status badges in app.css.
    private const string OnTimeColour = "rgb(220, 243, 227)";
    private const string LateColour = "rgb(255, 240, 194)";
    private const string MissingColour = "rgb(253, 225, 223)";
    private const string NotRequiredColour = "rgb(233, 236, 239)";

    [Fact]
    public async Task The_dashboard_shows_each_status_in_its_colour_and_words_in_vietnamese_order()
    {
        var (periodId, deadline) = PassedPeriod();
        await app.PutUnitAsync("ban-dan-van-bd", "Ban Dân vận Tỉnh ủy (mẫu)");
        await app.PutUnitAsync("dai-phat-thanh-bd", "Đài Phát thanh và Truyền hình tỉnh (mẫu)");
        await app.PutUnitAsync("so-noi-vu-bd", "Sở Nội vụ (mẫu)");
        await app.PutUnitAsync("ubnd-phuc-yen-bd", "UBND thành phố Phúc Yên (mẫu)", activeFrom: "2023-05-25", activeTo: "2023-06-30");
        await SubmitAsync(periodId, "so-noi-vu-bd", deadline.AddDays(-2));
        await SubmitAsync(periodId, "ban-dan-van-bd", deadline.AddHours(3));
        await SubmitAsync(periodId, "ubnd-phuc-yen-bd", deadline.AddDays(-1));
        await using var session = await PageSession.OpenAsync(app);

        var response = await session.Page.GotoAsync("api/dashboard#token=" + BrowserApp.AdminToken);
        await session.Page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).SelectOptionAsync(periodId);

        // Strict, except that the page may fetch from the sign-in provider (its discovery document and token endpoint).
        Assert.Equal($"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' {app.Identity.Issuer}; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            await response!.HeaderValueAsync("content-security-policy"));
        await ExpectStatusAsync(session.Page, "so-noi-vu-bd", "Đúng hạn", OnTimeColour);
        await ExpectStatusAsync(session.Page, "ban-dan-van-bd", "Muộn", LateColour);
        await ExpectStatusAsync(session.Page, "dai-phat-thanh-bd", "Chưa nộp", MissingColour);
        await ExpectStatusAsync(session.Page, "ubnd-phuc-yen-bd", "Không áp dụng", NotRequiredColour);
        var lateRow = session.Page.Locator("tr[data-unit=ban-dan-van-bd]");
        await Assertions.Expect(lateRow).ToContainTextAsync(VietnamText(deadline.AddHours(3)));
        await Assertions.Expect(lateRow.GetByRole(AriaRole.Button, new() { Name = "Tải phiên bản 1 của Ban Dân vận Tỉnh ủy (mẫu)" })).ToBeVisibleAsync();

        string[] mine = ["ban-dan-van-bd", "dai-phat-thanh-bd", "so-noi-vu-bd", "ubnd-phuc-yen-bd"];
        var order = await session.Page.Locator("#rows tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.unit)");
        Assert.Equal(mine, order.Where(mine.Contains));
        await Assertions.Expect(session.Page.Locator("[data-figure=required]")).Not.ToBeEmptyAsync();
        await Assertions.Expect(session.Page.Locator("#period-facts")).ToContainTextAsync($"trước 00:00 ngày {VietnamDate(deadline)}");
        await Assertions.Expect(session.Page.Locator("#period-facts")).ToContainTextAsync("Hạn nộp: trước 00:00 ngày");
        Assert.Equal("", await session.Page.EvaluateAsync<string>("location.hash"));
        await session.ScreenshotAsync("dashboard.png");
        Assert.Empty(session.OffOriginRequests(app.BaseAddress));
        Assert.DoesNotContain(session.ConsoleErrors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_dashboard_is_usable_at_phone_width()
    {
        var (periodId, deadline) = PassedPeriod();
        await app.PutUnitAsync("so-van-hoa-bd", "Sở Văn hóa, Thể thao và Du lịch (mẫu)");
        await SubmitAsync(periodId, "so-van-hoa-bd", deadline.AddDays(1));
        await using var session = await PageSession.OpenAsync(app, phone: true);

        await session.Page.GotoAsync("api/dashboard#token=" + BrowserApp.AdminToken);
        await session.Page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).SelectOptionAsync(periodId);

        await ExpectStatusAsync(session.Page, "so-van-hoa-bd", "Muộn", LateColour);
        var overflow = await session.Page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "The dashboard scrolls sideways at 390 px.");
        await session.ScreenshotAsync("dashboard-phone.png");
    }

    /// <summary>
    /// The page loads its default period's status, then the period chosen: when the first answer arrives last (a slow
    /// server, a busy machine), it must not replace the chosen period's table and facts.
    /// </summary>
    [Fact]
    public async Task A_late_answer_for_the_period_shown_first_does_not_replace_the_period_chosen()
    {
        var (passed, deadline) = PassedPeriod();
        await app.PutUnitAsync("so-tu-phap-bd", "Sở Tư pháp (mẫu)");
        await SubmitAsync(passed, "so-tu-phap-bd", deadline.AddDays(1));
        await using var session = await PageSession.OpenAsync(app);
        var page = session.Page;
        var firstHeld = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var statusRequests = 0;
        await page.RouteAsync("**/api/periods/*/status", async route =>
        {
            if (Interlocked.Increment(ref statusRequests) == 1)
            {
                firstHeld.TrySetResult(route.Request.Url);
                await release.Task;
            }

            await route.ContinueAsync();
        });

        await page.GotoAsync("api/dashboard#token=" + BrowserApp.AdminToken);
        var held = await firstHeld.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var chosen = held.Contains($"/periods/{passed}/", StringComparison.Ordinal)
            ? SamplePlan.Listed(SuiteClock.Now).Last(p => p.Id != passed)
            : SamplePlan.Listed(SuiteClock.Now).Single(p => p.Id == passed);
        await page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).SelectOptionAsync(chosen.Id);
        var facts = $"trước 00:00 ngày {VietnamDate(chosen.Deadline)}";
        await Assertions.Expect(page.Locator("#period-facts")).ToContainTextAsync(facts);
        var shownRow = await page.Locator("tr[data-unit=so-tu-phap-bd] .badge").InnerTextAsync();

        // The first answer now arrives, last; once the page has had it, the chosen period is still what it shows.
        var late = page.WaitForResponseAsync(held);
        release.SetResult();
        await (await late).FinishedAsync();
        await page.EvaluateAsync("() => new Promise((done) => setTimeout(done, 200))");

        Assert.Equal(2, statusRequests);
        Assert.Equal(chosen.Id, await page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).InputValueAsync());
        await Assertions.Expect(page.Locator("#period-facts")).ToContainTextAsync(facts);
        Assert.Equal(shownRow, await page.Locator("tr[data-unit=so-tu-phap-bd] .badge").InnerTextAsync());
        if (chosen.Id == passed)
        {
            await ExpectStatusAsync(page, "so-tu-phap-bd", "Muộn", LateColour);
        }
    }

    [Fact]
    public async Task A_wrong_admin_credential_is_refused_in_vietnamese_and_asked_for_again()
    {
        await using var session = await PageSession.OpenAsync(app);

        await session.Page.GotoAsync("api/dashboard#token=not-the-admin-token-000000");

        await Assertions.Expect(session.Page.Locator("#message")).ToContainTextAsync("Chưa xác thực");
        await Assertions.Expect(session.Page.GetByLabel("Mã quản trị", new() { Exact = true })).ToBeFocusedAsync();
        await session.ScreenshotAsync("dashboard-first-visit.png");
    }

    /// <summary>
    /// The latest overdue period at the suite's instant has the stage "after-N" due (N days overdue; the
    /// suites' settings have an overdue stage every day): the dry run lists the unit at that stage and sends
    /// nothing; confirming queues exactly that list, and the unit's email reaches the outbox, once.
    /// </summary>
    [Fact]
    public async Task Reminders_show_the_dry_run_list_first_and_are_sent_only_when_confirmed()
    {
        var (periodId, _) = PassedPeriod();
        var days = SamplePlan.DaysOverdue(SamplePlan.Overdue(SuiteClock.Now)[0], SuiteClock.Now);
        await app.PutUnitAsync("so-ngoai-vu-bd", "Sở Ngoại vụ (mẫu)");
        await using var session = await OpenAsync(periodId);

        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Gửi nhắc nhở…" }).ClickAsync();

        var row = session.Page.Locator("#reminder-table tr[data-unit=so-ngoai-vu-bd]");
        await Assertions.Expect(row).ToContainTextAsync("Sở Ngoại vụ (mẫu)");
        await Assertions.Expect(row).ToContainTextAsync("so-ngoai-vu-bd@example.org");
        await Assertions.Expect(row).ToContainTextAsync("Sẽ gửi");
        await Assertions.Expect(row).ToContainTextAsync($"Quá hạn {days} ngày");
        var listed = await session.Page.Locator("#reminder-table tbody tr").CountAsync();
        Assert.Empty(await OutboxAsync("so-ngoai-vu-bd@example.org"));
        await session.ScreenshotAsync("dashboard-reminders.png");

        await session.Page.GetByRole(AriaRole.Button, new() { Name = $"Gửi {listed} thư nhắc", Exact = true }).ClickAsync();

        await Assertions.Expect(session.Page.Locator("#action-message")).ToHaveTextAsync($"Đã gửi {listed} thư nhắc.");
        await Assertions.Expect(session.Page.Locator("#reminders")).ToBeHiddenAsync();
        // The email leaves through the queue: the host's queue trigger writes it to the outbox shortly after.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var emails = await OutboxAsync("so-ngoai-vu-bd@example.org");
        while (emails.Count == 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
            emails = await OutboxAsync("so-ngoai-vu-bd@example.org");
        }

        await Task.Delay(TimeSpan.FromSeconds(1)); // a second copy, if there were one, would be there by now
        var email = Assert.Single(await OutboxAsync("so-ngoai-vu-bd@example.org"));
        Assert.Contains($"X-DanVan-Arg: stage=after-{days}", email);
        Assert.Contains($"X-DanVan-Arg: periodId={periodId}", email);
    }

    /// <summary>Needs branch <c>compilation</c> (POST/GET /api/periods/{id}/compilations, …/latest).</summary>
    [Fact]
    public async Task Compile_now_makes_a_new_compilation_and_the_latest_one_downloads_as_a_zip()
    {
        var (periodId, deadline) = PassedPeriod();
        await app.PutUnitAsync("so-khoa-hoc-bd", "Sở Khoa học và Công nghệ (mẫu)");
        await SubmitAsync(periodId, "so-khoa-hoc-bd", deadline.AddDays(-3));
        await using var session = await OpenAsync(periodId);

        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Tổng hợp ngay" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#action-message")).ToContainTextAsync($"Đã lập bản tổng hợp số 1 lúc {VietnamText(SuiteClock.Now)}", new() { Timeout = 60_000 });
        await Assertions.Expect(session.Page.Locator("#compilation-info")).ToContainTextAsync("Bản tổng hợp mới nhất: số");

        var download = await session.Page.RunAndWaitForDownloadAsync(() =>
            session.Page.GetByRole(AriaRole.Button, new() { Name = "Tải bản tổng hợp mới nhất" }).ClickAsync());

        Assert.EndsWith(".zip", download.SuggestedFilename);
        var path = await download.PathAsync();
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal((byte)'P', bytes[0]);
        Assert.Equal((byte)'K', bytes[1]);
        await session.ScreenshotAsync("dashboard-compiled.png");
    }

    /// <summary>Uses the oldest period, which no other test touches.</summary>
    [Fact]
    public async Task Finalize_asks_for_confirmation_and_then_closes_the_period()
    {
        var oldest = SamplePlan.Listed(SuiteClock.Now)[0].Id;
        await using var session = await OpenAsync(oldest);

        var answer = false;
        string? question = null;
        session.Page.Dialog += async (_, dialog) =>
        {
            question = dialog.Message;
            await (answer ? dialog.AcceptAsync() : dialog.DismissAsync());
        };
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Khoá kỳ báo cáo…" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#period-facts")).ToContainTextAsync("Đang nhận báo cáo.");
        Assert.Contains("không thể nộp thêm", question);

        answer = true;
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Khoá kỳ báo cáo…" }).ClickAsync();

        await Assertions.Expect(session.Page.Locator("#action-message")).ToContainTextAsync("Đã khoá", new() { Timeout = 60_000 });
        await Assertions.Expect(session.Page.Locator("#period-facts")).ToContainTextAsync($"Đã khoá lúc {VietnamText(SuiteClock.Now)}");
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Button, new() { Name = "Khoá kỳ báo cáo…" })).ToBeDisabledAsync();
    }

    [Fact]
    public async Task The_csv_export_downloads_the_status_table()
    {
        var (periodId, _) = PassedPeriod();
        await app.PutUnitAsync("so-giao-duc-bd", "Sở Giáo dục và Đào tạo (mẫu)");
        await using var session = await OpenAsync(periodId);

        var download = await session.Page.RunAndWaitForDownloadAsync(() =>
            session.Page.GetByRole(AriaRole.Button, new() { Name = "Xuất CSV" }).ClickAsync());

        Assert.EndsWith(".csv", download.SuggestedFilename);
        var text = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith("STT,Mã đơn vị,Tên đơn vị", text.TrimStart('\uFEFF'));
        Assert.Contains("so-giao-duc-bd,Sở Giáo dục và Đào tạo (mẫu)", text);
    }

    private async Task<PageSession> OpenAsync(string periodId)
    {
        var session = await PageSession.OpenAsync(app);
        await session.Page.GotoAsync("api/dashboard#token=" + BrowserApp.AdminToken);
        await session.Page.GetByLabel("Kỳ báo cáo", new() { Exact = true }).SelectOptionAsync(periodId);
        await Assertions.Expect(session.Page.Locator("#period-title")).Not.ToBeEmptyAsync();
        return session;
    }

    /// <summary>The emails in the outbox container (no SendGrid key in the test settings) addressed to <paramref name="to"/>.</summary>
    private async Task<List<string>> OutboxAsync(string to)
    {
        var container = app.Store.Outbox;
        var emails = new List<string>();
        if (!await container.ExistsAsync())
        {
            return emails;
        }

        await foreach (var blob in container.GetBlobsAsync())
        {
            var text = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
            if (text.Contains($"\r\nTo: {to}\r\n", StringComparison.Ordinal))
            {
                emails.Add(text);
            }
        }

        return emails;
    }

    private static async Task ExpectStatusAsync(IPage page, string unit, string label, string colour)
    {
        var badge = page.Locator($"tr[data-unit={unit}] .badge");
        await Assertions.Expect(badge).ToContainTextAsync(label);
        await Assertions.Expect(badge).ToHaveCSSAsync("background-color", colour);
    }

    /// <summary>The latest period overdue by at least one whole Vietnam day at the suite's instant.</summary>
    private static (string Id, DateTimeOffset Deadline) PassedPeriod()
    {
        var period = SamplePlan.Overdue(SuiteClock.Now)[0];
        return (period.Id, period.Deadline);
    }

    /// <summary>Version 1 of a unit's report, received at <paramref name="receivedAt"/>: the blob, then the version through the store that owns the table.</summary>
    private async Task SubmitAsync(string periodId, string unit, DateTimeOffset receivedAt)
    {
        var content = UploadPageTests.Pdf(2048);
        var receiptId = Guid.NewGuid().ToString("N");
        var blobName = SubmissionKeys.BlobName(periodId, unit, receiptId);
        var store = app.Store;
        await store.Reports.GetBlobClient(blobName).UploadAsync(new BinaryData(content));
        // The worker's clock stands at the suite's instant; the change this version is, begins at it too.
        var changes = new DanVan.Changes.PeriodChangeStore(store, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(SuiteClock.Now), Microsoft.Extensions.Logging.Abstractions.NullLogger<DanVan.Changes.PeriodChangeStore>.Instance);
        var submissions = new SubmissionStore(store, changes, new DanVan.Changes.BlobWriteNotes(store, changes), Microsoft.Extensions.Logging.Abstractions.NullLogger<SubmissionStore>.Instance);
        await submissions.AppendVersionAsync(new SubmissionVersion
        {
            PeriodId = periodId, ReceiptId = receiptId, UnitCode = unit,
            FileName = $"Báo cáo {unit}.pdf", ContentType = "application/pdf", SizeBytes = content.Length,
            Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)),
            ReceivedAt = receivedAt, BlobName = blobName, UploadedBy = "unit:" + unit,
        }, keyHash: null, await submissions.AppendBasisAsync(periodId, unit));
    }

    /// <summary>"15/11/2026": how the page writes the deadline's day.</summary>
    private static string VietnamDate(DateTimeOffset instant) =>
        instant.ToOffset(TimeSpan.FromHours(7)).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"03:00:00 ngày 15/11/2026": how the page writes an instant (Vietnam time).</summary>
    private static string VietnamText(DateTimeOffset instant) =>
        instant.ToOffset(TimeSpan.FromHours(7)).ToString("HH:mm:ss 'ngày' dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
