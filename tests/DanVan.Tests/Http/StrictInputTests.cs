using System.Text;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Functions;
using DanVan.Registry;
using DanVan.Tests.Support;

namespace DanVan.Tests.Http;

/// <summary>
/// Input DanVan once took as something it was not (issue 26): a switch it did not understand, an empty preview id,
/// a date no calendar has a next day for, a byte order mark, a property named twice, a credential of a unit that ended.
/// </summary>
public sealed class StrictInputTests
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private static Task<TestResponse> ImportAsync(TestApp app, byte[] body, string? query = null, string contentType = "application/json") =>
        TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/import", TestApp.AdminToken, body: body, contentType: contentType, query: query), r => app.Get<UnitsFunctions>().ImportUnits(r, default));

    private static Task<TestResponse> PutUnitAsync(TestApp app, string code, byte[] body) =>
        TestHttp.InvokeAsync(TestHttp.Request("PUT", $"/api/units/{code}", TestApp.AdminToken, body: body, contentType: "application/json"), r => app.Get<UnitsFunctions>().PutUnit(r, code, default));

    private static byte[] Units(params UnitRecord[] units) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(units, DanVan.Domain.Json.Options);

    [Fact]
    public async Task An_import_switch_or_preview_id_it_does_not_understand_is_400_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var file = Units(Samples.Unit("so-y-te", "Sở Y tế"));

        foreach (var query in new[] { "dryRun=maybe", "dryRun=", "dryRun=1", "dryRun=true&dryRun=false", "previewId=", "previewId=abc", "dryRun=false&previewId=" })
        {
            var refused = await ImportAsync(app, file, query);
            Assert.True((400, "invalid_parameter") == (refused.Status, refused.Code), $"?{query}: {refused.Status} {refused.Code}");
        }

        Assert.Empty(await app.Get<UnitRegistry>().ListAsync());

        // The two steps as the page takes them: a preview, then applying it by its id.
        var preview = await ImportAsync(app, file, "dryRun=TRUE");
        var previewId = preview.Json.GetProperty("previewId").GetString();
        Assert.Empty(await app.Get<UnitRegistry>().ListAsync());
        var outdated = await ImportAsync(app, file, "previewId=" + new string('0', 64));
        var applied = await ImportAsync(app, file, "dryRun=false&previewId=" + previewId);

        Assert.Equal((409, "import_preview_outdated"), (outdated.Status, outdated.Code));
        Assert.Equal(200, applied.Status);
        Assert.Equal("so-y-te", Assert.Single(await app.Get<UnitRegistry>().ListAsync()).Code);
    }

    [Fact]
    public async Task The_reminders_switch_is_as_strict_as_the_imports()
    {
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 8, 9, 0, 0, TimeSpan.FromHours(7)));
        var reminders = app.Get<RemindersFunctions>();

        foreach (var query in new[] { "dryRun=1", "dryRun=", "dryRun=yes" })
        {
            var refused = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/periods/2026-H1/reminders", TestApp.AdminToken, query: query), r => reminders.SendReminders(r, "2026-H1", default));
            Assert.True((400, "invalid_parameter") == (refused.Status, refused.Code), $"?{query}: {refused.Status} {refused.Code}");
        }

        var dryRun = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/periods/2026-H1/reminders", TestApp.AdminToken, query: "dryRun=true"), r => reminders.SendReminders(r, "2026-H1", default));
        Assert.Equal(200, dryRun.Status);
        Assert.True(dryRun.Json.GetProperty("dryRun").GetBoolean());
    }

    [Fact]
    public async Task A_json_body_may_start_with_a_byte_order_mark_the_import_file_and_a_request_body_alike()
    {
        await using var app = await TestApp.StartAsync();

        var imported = await ImportAsync(app, [.. Bom, .. Units(Samples.Unit("so-y-te", "Sở Y tế"))]);
        var previewed = await ImportAsync(app, [.. Bom, .. Units(Samples.Unit("so-tu-phap", "Sở Tư pháp"))], "dryRun=true", contentType: "");
        var put = await PutUnitAsync(app, "so-noi-vu", [.. Bom, .. System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Samples.Unit("so-noi-vu", "Sở Nội vụ"), DanVan.Domain.Json.Options)]);

        Assert.Equal(200, imported.Status);
        Assert.Equal(1, imported.Json.GetProperty("imported").GetInt32());
        Assert.Equal((200, "json"), (previewed.Status, previewed.Json.GetProperty("format").GetString()));
        Assert.Equal(201, put.Status);
        Assert.Equal(["so-noi-vu", "so-y-te"], (await app.Get<UnitRegistry>().ListAsync()).Select(u => u.Code).Order());
    }

    [Fact]
    public async Task A_json_object_that_names_a_property_twice_is_invalid_json()
    {
        await using var app = await TestApp.StartAsync();
        var twice = """{"code":"so-y-te","name":"Sở Y tế","name":"Sở Tư pháp","group":"Sở, ban, ngành","activeFrom":"2023-01-01"}"""u8.ToArray();

        var put = await PutUnitAsync(app, "so-y-te", twice);
        var import = await ImportAsync(app, [.. "["u8, .. twice, .. "]"u8]);

        Assert.Equal((400, "invalid_json"), (put.Status, put.Code));
        Assert.Equal((400, "invalid_json"), (import.Status, import.Code));
        Assert.Empty(await app.Get<UnitRegistry>().ListAsync());
    }

    [Fact]
    public async Task A_unit_date_outside_1900_to_2099_is_invalid_on_put_and_import()
    {
        await using var app = await TestApp.StartAsync();

        var farEnd = await PutUnitAsync(app, "so-y-te", Units(Samples.Unit("so-y-te", "Sở Y tế", activeTo: "9999-12-31"))[1..^1]);
        var ancientStart = await ImportAsync(app, Units(Samples.Unit("so-y-te", "Sở Y tế", activeFrom: "0001-01-01")));
        var lastDay = await PutUnitAsync(app, "so-y-te", Units(Samples.Unit("so-y-te", "Sở Y tế", activeTo: "2099-12-31"))[1..^1]);

        Assert.Equal((400, "validation_failed"), (farEnd.Status, farEnd.Code));
        Assert.Equal("invalid_date", farEnd.Json.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal((400, "validation_failed"), (ancientStart.Status, ancientStart.Code));
        Assert.Contains("activeFrom", ancientStart.Text, StringComparison.Ordinal);
        Assert.Equal(201, lastDay.Status);
    }

    [Fact]
    public async Task An_extension_to_a_date_outside_the_range_is_400_not_500()
    {
        await using var app = await TestApp.StartAsync();
        await SubmissionSeeder.AddUnitAsync(app, "so-y-te", "Sở Y tế");
        var decisions = app.Get<DecisionsFunctions>();

        foreach (var deadline in new[] { "9999-12-31", "9999-12-31T23:59:59+00:00", "0001-01-01", "2100-01-01" })
        {
            var answer = await TestHttp.InvokeAsync(
                TestHttp.Request("PUT", "/api/periods/2026-H1/decisions/so-y-te/extension", TestApp.AdminToken, new { deadline, reason = "Thiên tai" }),
                r => decisions.ExtendDeadline(r, "2026-H1", "so-y-te", default));
            Assert.True((400, "validation_failed") == (answer.Status, answer.Code), $"{deadline}: {answer.Status} {answer.Code}");
        }

        var sane = await TestHttp.InvokeAsync(
            TestHttp.Request("PUT", "/api/periods/2026-H1/decisions/so-y-te/extension", TestApp.AdminToken, new { deadline = "2026-06-30", reason = "Thiên tai" }),
            r => decisions.ExtendDeadline(r, "2026-H1", "so-y-te", default));
        Assert.Equal(200, sane.Status);
    }

    [Fact]
    public async Task An_ended_units_credential_stops_working_the_day_after_its_last_day_and_its_receipts_stay()
    {
        var vn = TimeSpan.FromHours(7);
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 10, 9, 0, 0, vn));
        await app.Get<UnitRegistry>().PutAsync(new Unit("ubnd-phuc-yen", "UBND thành phố Phúc Yên", "UBND cấp huyện", ["vanthu@phucyen.example.org"], null, new DateOnly(2020, 1, 1), new DateOnly(2026, 5, 31)));
        var token = (await app.Get<CredentialStore>().IssueAsync("ubnd-phuc-yen")).Token;
        await new SubmissionSeeder(app).SeedAsync("2026-H1", "ubnd-phuc-yen", "Báo cáo.pdf", Encoding.UTF8.GetBytes("%PDF-1.7 phúc yên"), new DateTimeOffset(2026, 5, 10, 9, 0, 0, vn));
        var reports = app.Get<ReportsFunctions>();
        Task<TestResponse> HistoryAsync(string bearer) =>
            TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/reports/ubnd-phuc-yen", bearer), r => reports.ListReportVersions(r, "2026-H1", "ubnd-phuc-yen", default));

        app.Clock.SetUtcNow(new DateTimeOffset(2026, 5, 31, 23, 59, 59, vn));
        var lastDay = await HistoryAsync(token);
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 1, 0, 0, 0, vn));
        var nextDay = await HistoryAsync(token);
        var admin = await HistoryAsync(TestApp.AdminToken);

        Assert.Equal(200, lastDay.Status);
        Assert.Equal((403, "unit_ended"), (nextDay.Status, nextDay.Code));
        Assert.Contains("31/05/2026", nextDay.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, admin.Status);
        Assert.Equal("Báo cáo.pdf", Assert.Single(admin.Json.GetProperty("versions").EnumerateArray()).GetProperty("fileName").GetString());
    }
}
