using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DanVan.BrowserTests.Support;
using DanVan.Registry;
using DanVan.Tests.Support;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DanVan.BrowserTests;

/// <summary>
/// The dashboard's "Đơn vị" view in headless Chromium against the real worker: adding and ending a unit with
/// Vietnamese errors next to the fields, importing the Excel template with a bad row, and onboarding the 31 sample
/// units (import, then links by email) to the point where a unit opens its emailed link on the upload page.
/// Dates are worked out from the suite's instant (<see cref="SuiteClock"/>).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class UnitsPageTests(BrowserApp app, ITestOutputHelper output)
{
    [Fact]
    public async Task Adding_a_unit_shows_vietnamese_errors_next_to_the_fields_and_ending_it_asks_for_confirmation()
    {
        await using var session = await OpenDashboardAsync();
        var page = session.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "Thêm đơn vị…" }).ClickAsync();
        await page.GetByLabel("Mã đơn vị", new() { Exact = true }).FillAsync("so-moi-ui");
        await page.GetByLabel("Nhóm", new() { Exact = true }).FillAsync("Sở, ban, ngành");
        await page.GetByLabel("Email liên hệ (nhiều địa chỉ cách nhau bằng dấu chấm phẩy)").FillAsync("khong-phai-email");
        await page.GetByLabel("Hiệu lực từ ngày").FillAsync(WorkerSettings.ActiveFrom);
        await page.GetByRole(AriaRole.Button, new() { Name = "Lưu đơn vị" }).ClickAsync();

        await Assertions.Expect(page.Locator("#err-name")).ToContainTextAsync("Tên đơn vị là bắt buộc");
        await Assertions.Expect(page.Locator("#err-emails")).ToContainTextAsync("không hợp lệ");
        await Assertions.Expect(page.GetByLabel("Tên đơn vị", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await session.ScreenshotAsync("units-add-errors.png");

        await page.GetByLabel("Tên đơn vị", new() { Exact = true }).FillAsync("Sở Mới (giao diện)");
        await page.GetByLabel("Email liên hệ (nhiều địa chỉ cách nhau bằng dấu chấm phẩy)").FillAsync("so-moi-ui@example.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "Lưu đơn vị" }).ClickAsync();

        var row = page.Locator("#registry-rows tr[data-registry-unit=so-moi-ui]");
        await Assertions.Expect(row).ToContainTextAsync("Sở Mới (giao diện)");
        await Assertions.Expect(row).ToContainTextAsync("Chưa cấp mã");
        await Assertions.Expect(page.Locator("#units-message")).ToHaveTextAsync("Đã thêm \"Sở Mới (giao diện)\".");

        // Ending: the day it stops, a confirmation that says the last day, and the unit's dates keep its history.
        var stopsOn = SuiteClock.Today.AddDays(1);
        string? question = null;
        page.Dialog += async (_, dialog) =>
        {
            question = dialog.Message;
            await dialog.AcceptAsync();
        };
        await row.GetByRole(AriaRole.Button, new() { Name = "Ngừng Sở Mới (giao diện)" }).ClickAsync();
        await page.GetByLabel("Ngừng từ ngày").FillAsync(stopsOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Ngừng đơn vị…" }).ClickAsync();

        await Assertions.Expect(row).ToContainTextAsync($"Đến hết {SuiteClock.Today:dd/MM/yyyy}");
        Assert.Contains($"hoạt động đến hết ngày {SuiteClock.Today:dd/MM/yyyy}", question);
        var stored = await app.Admin.GetFromJsonAsync<JsonElement>("api/units");
        var unit = stored.EnumerateArray().Single(u => u.GetProperty("code").GetString() == "so-moi-ui");
        Assert.Equal((WorkerSettings.ActiveFrom, SuiteClock.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            (unit.GetProperty("activeFrom").GetString(), unit.GetProperty("activeTo").GetString()));
        // The refused save is a 400 the browser logs as a failed load; nothing else may be logged.
        Assert.DoesNotContain(session.ConsoleErrors, e => !e.Contains("400", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Importing_the_template_with_one_bad_row_shows_the_cell_error_and_writes_nothing()
    {
        var workbook = await FilledTemplateAsync(
        [
            ["so-nhap-tot-ui", "Sở Nhập Tốt (giao diện)", "Sở, ban, ngành", "so-nhap-tot-ui@example.org", "", WorkerSettings.ActiveFrom, ""],
            ["so-nhap-loi-ui", "Sở Nhập Lỗi (giao diện)", "Sở, ban, ngành", "khong-phai-email", "", WorkerSettings.ActiveFrom, ""],
        ]);
        await using var session = await OpenDashboardAsync();
        var page = session.Page;

        await page.GetByLabel("Nhập danh sách từ tệp Excel (.xlsx) hoặc CSV").SetInputFilesAsync(new FilePayload
        {
            Name = "Danh sách đơn vị.xlsx",
            MimeType = UnitSheet.ContentType,
            Buffer = workbook,
        });

        var error = page.Locator("#import-rows .cell-error[data-cell=D3]");
        await Assertions.Expect(error).ToContainTextAsync("Ô D3: Danh sách email liên hệ có địa chỉ không hợp lệ");
        await Assertions.Expect(page.Locator("#import-rows tr[data-line='2']")).ToContainTextAsync("Thêm mới");
        await Assertions.Expect(page.Locator("#import-summary")).ToContainTextAsync("1 dòng có lỗi");
        await Assertions.Expect(page.Locator("#import-apply")).ToBeHiddenAsync();
        await session.ScreenshotAsync("units-import-error.png");
        var stored = await app.Admin.GetFromJsonAsync<JsonElement>("api/units");
        Assert.DoesNotContain(stored.EnumerateArray(), u => u.GetProperty("code").GetString()!.StartsWith("so-nhap-", StringComparison.Ordinal));
    }

    /// <summary>
    /// Sở Nội vụ's onboarding of the 31 sample units on the page, timed and with its clicks counted: choose the filled
    /// template, confirm the preview, send links to every unit without one, confirm. Every sample unit's addresses get
    /// an email through the queue and the outbox; the emailed link opens the upload page as that unit.
    /// </summary>
    [Fact]
    public async Task Onboarding_the_31_sample_units_takes_four_clicks_and_a_file_and_the_emailed_link_opens_the_upload_page()
    {
        var sample = JsonSerializer.Deserialize<List<UnitRecord>>(
            await File.ReadAllTextAsync(Path.Combine(Azurite.RepositoryRoot, "functions", "SampleData", "units.vinh-phuc-2023.sample.json")), DanVan.Domain.Json.Options)!;
        Assert.Equal(31, sample.Count);
        var workbook = await FilledTemplateAsync(sample.Select(u => new[]
        {
            u.Code!, u.Name!, u.Group!, string.Join("; ", u.Emails ?? []), u.HeadEmail ?? "", u.ActiveFrom!, u.ActiveTo ?? "",
        }).ToList());
        await using var session = await OpenDashboardAsync();
        var page = session.Page;
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        var clicks = 0;
        var timer = Stopwatch.StartNew();

        clicks++; // choosing the file (the file dialog itself aside)
        await page.GetByLabel("Nhập danh sách từ tệp Excel (.xlsx) hoặc CSV").SetInputFilesAsync(new FilePayload { Name = "Danh sách đơn vị.xlsx", MimeType = UnitSheet.ContentType, Buffer = workbook });
        await Assertions.Expect(page.Locator("#import-summary")).ToContainTextAsync("Tệp có 31 dòng: 31 thêm mới");
        clicks++;
        await page.GetByRole(AriaRole.Button, new() { Name = "Xác nhận nhập 31 dòng" }).ClickAsync();
        await Assertions.Expect(page.Locator("#units-message")).ToHaveTextAsync("Đã nhập: 31 đơn vị mới, 0 đơn vị cập nhật.", new() { Timeout = 30_000 });
        clicks += 2; // the button, then OK in its confirmation
        await page.GetByRole(AriaRole.Button, new() { Name = "Gửi đường liên kết cho các đơn vị chưa có mã…" }).ClickAsync();
        await Assertions.Expect(page.Locator("#units-message")).ToContainTextAsync(new Regex(@"Đã xếp hàng gửi \d+ thư"), new() { Timeout = 60_000 });
        var emails = await WaitForOutboxAsync(sample.Select(u => u.Emails![0]).ToList());
        timer.Stop();

        output.WriteLine($"Onboarding 31 sample units: {clicks} clicks (plus picking the file), {timer.Elapsed.TotalSeconds:0.0} s from choosing the file to the last link in the outbox.");
        Assert.Equal(4, clicks);
        Assert.All(sample, u => Assert.Contains(emails, e => e.Contains($"\r\nTo: {u.Emails![0]}", StringComparison.Ordinal)));

        var toSoNoiVu = emails.Single(e => e.Contains("\r\nTo: so-noi-vu@example.org", StringComparison.Ordinal));
        var link = LinkPattern().Match(toSoNoiVu);
        Assert.True(link.Success, toSoNoiVu);
        await page.Locator("#refresh").ClickAsync();
        await Assertions.Expect(page.Locator("#registry-rows tr[data-registry-unit=so-noi-vu]")).ToContainTextAsync($"Cấp mã: {SuiteClock.Now.ToOffset(SuiteClock.VietnamOffset):HH:mm:ss} ngày {SuiteClock.Today:dd/MM/yyyy}");
        await session.ScreenshotAsync("units-onboarded.png");

        await using var unitSession = await PageSession.OpenAsync(app);
        await unitSession.Page.GotoAsync("api/upload#token=" + link.Groups[1].Value);
        await Assertions.Expect(unitSession.Page.Locator("#unit-name")).ToHaveTextAsync("Sở Nội vụ");
        Assert.Equal("", await unitSession.Page.EvaluateAsync<string>("location.hash"));
        await page.Locator("#refresh").ClickAsync();
        await Assertions.Expect(page.Locator("#registry-rows tr[data-registry-unit=so-noi-vu]")).ToContainTextAsync("Dùng lần cuối:");
    }

    [Fact]
    public async Task A_unit_that_lost_its_link_asks_for_it_again_on_the_upload_page_and_gets_the_same_answer_as_a_stranger()
    {
        await app.PutUnitAsync("so-gui-lai-ui", "Sở Gửi Lại (giao diện)");
        await using var session = await PageSession.OpenAsync(app);
        var page = session.Page;
        await page.GotoAsync("api/upload");

        await page.GetByText("Gửi lại đường liên kết", new() { Exact = true }).First.ClickAsync();
        await page.GetByLabel("Email của đơn vị").FillAsync("nguoi-la@example.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "Gửi lại đường liên kết" }).ClickAsync();
        await Assertions.Expect(page.Locator("#resend-message")).ToContainTextAsync("Nếu địa chỉ này đã được đăng ký");
        var stranger = await page.Locator("#resend-message").TextContentAsync();
        await page.GetByLabel("Email của đơn vị").FillAsync("so-gui-lai-ui@example.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "Gửi lại đường liên kết" }).ClickAsync();

        await Assertions.Expect(page.Locator("#resend-message")).ToHaveTextAsync(stranger!);
        var email = Assert.Single(await WaitForOutboxAsync(["so-gui-lai-ui@example.org"]));
        Assert.Matches(LinkPattern(), email);
        Assert.Empty(session.ConsoleErrors);
    }

    [GeneratedRegex(@"/api/upload#token=(dv1\.[a-z0-9-]+\.[A-Za-z0-9_-]{43})")]
    private static partial Regex LinkPattern();

    private async Task<PageSession> OpenDashboardAsync()
    {
        var session = await PageSession.OpenAsync(app);
        await session.Page.GotoAsync("api/dashboard#token=" + BrowserApp.AdminToken);
        // The first page of a run may wait on a cold worker: more than the default 5 s on a busy machine.
        await Assertions.Expect(session.Page.Locator("#registry-caption")).Not.ToBeEmptyAsync(new() { Timeout = 30_000 });
        return session;
    }

    /// <summary>The template from the API, its example row replaced by <paramref name="rows"/> (text cells, as a person types them).</summary>
    private async Task<byte[]> FilledTemplateAsync(IReadOnlyList<string[]> rows)
    {
        var template = await app.Admin.GetByteArrayAsync("api/units/template.xlsx");
        using var stream = new MemoryStream();
        stream.Write(template);
        using (var document = SpreadsheetDocument.Open(stream, true))
        {
            var workbook = document.WorkbookPart!;
            var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().First(s => s.Name == UnitSheet.SheetName);
            var data = ((WorksheetPart)workbook.GetPartById(sheet.Id!)).Worksheet.GetFirstChild<SheetData>()!;
            data.Elements<Row>().Single(r => r.RowIndex!.Value == 2).Remove();
            for (var r = 0; r < rows.Count; r++)
            {
                var index = (uint)r + 2;
                data.Append(new Row(rows[r].Select((v, c) => new Cell(new InlineString(new Text(v)))
                {
                    CellReference = UnitSheet.Letters(c) + index.ToString(CultureInfo.InvariantCulture),
                    DataType = CellValues.InlineString,
                })) { RowIndex = index });
            }
        }

        return stream.ToArray();
    }

    /// <summary>The outbox emails to each of <paramref name="addresses"/>, once every one of them has arrived (the queue trigger sends them).</summary>
    private async Task<List<string>> WaitForOutboxAsync(IReadOnlyList<string> addresses)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var emails = new List<string>();
            var container = app.Store.Outbox;
            if (await container.ExistsAsync())
            {
                await foreach (var blob in container.GetBlobsAsync())
                {
                    var text = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
                    if (text.Contains("X-DanVan-Categories: danvan, access-link", StringComparison.Ordinal) &&
                        addresses.Any(a => text.Contains($"\r\nTo: {a}", StringComparison.Ordinal)))
                    {
                        emails.Add(text);
                    }
                }
            }

            if (addresses.All(a => emails.Any(e => e.Contains($"\r\nTo: {a}", StringComparison.Ordinal))) || waited.Elapsed > TimeSpan.FromSeconds(90))
            {
                return emails;
            }

            await Task.Delay(250);
        }
    }
}
