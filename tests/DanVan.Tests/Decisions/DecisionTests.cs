using System.Text;
using System.Text.Json;
using DanVan.Audit;
using DanVan.Auth;
using DanVan.Compilation;
using DanVan.Decisions;
using DanVan.Domain;
using DanVan.Functions;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Reminders;
using DanVan.Tests.Compilation;
using DanVan.Tests.Email;
using DanVan.Tests.Support;

namespace DanVan.Tests.Decisions;

/// <summary>Sở Nội vụ's decisions against Azurite: review, extension, exemption, and where each shows.</summary>
public sealed class DecisionTests : IAsyncLifetime
{
    private const string PeriodId = "2026-H1";
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);

    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    private static DateTimeOffset At(int month, int day, int hour = 9, int minute = 0) => new(2026, month, day, hour, minute, 0, Vn);

    private async Task<TestApp> StartAsync(DateTimeOffset now, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(stub.Settings);
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            values[k] = v;
        }

        var app = await TestApp.StartAsync(now, values);
        await app.Get<UnitRegistry>().ImportAsync(
        [
            new UnitRecord("so-tai-chinh", "Sở Tài chính", "Sở, ban, ngành", ["tai-chinh@example.org", "van-thu-tc@example.org"], null, "2020-01-01", null),
            new UnitRecord("so-y-te", "Sở Y tế", "Sở, ban, ngành", ["y-te@example.org"], null, "2020-01-01", null),
        ]);
        return app;
    }

    private static Task SubmitAsync(TestApp app, string unit, DateTimeOffset at, string name = "Báo cáo.pdf") =>
        new SubmissionSeeder(app).SeedAsync(PeriodId, unit, name, Encoding.UTF8.GetBytes("%PDF-1.7 " + Guid.NewGuid()), at);

    private static async Task<TestResponse> CallAsync(TestApp app, string method, string unit, string? action, object? body = null, string bearer = TestApp.AdminToken, string? ifMatch = null, string periodId = PeriodId)
    {
        var path = $"/api/periods/{periodId}/decisions/{unit}" + (action is null ? "" : "/" + action);
        var request = TestHttp.Request(method, path, bearer, json: body);
        if (ifMatch is not null)
        {
            request.Headers.IfMatch = ifMatch;
        }

        var f = app.Get<DecisionsFunctions>();
        return await TestHttp.InvokeAsync(request, r => (method, action) switch
        {
            ("GET", null) => f.GetDecisions(r, periodId, unit, CancellationToken.None),
            ("POST", "review") => f.ReviewReport(r, periodId, unit, CancellationToken.None),
            ("PUT", "extension") => f.ExtendDeadline(r, periodId, unit, CancellationToken.None),
            ("DELETE", "extension") => f.RevokeExtension(r, periodId, unit, CancellationToken.None),
            ("PUT", "exemption") => f.ExemptUnit(r, periodId, unit, CancellationToken.None),
            ("DELETE", "exemption") => f.RevokeExemption(r, periodId, unit, CancellationToken.None),
            _ => throw new ArgumentException($"{method} {action}"),
        });
    }

    private static async Task<JsonElement> StatusAsync(TestApp app, string bearer = TestApp.AdminToken)
    {
        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/status", bearer), r => app.Get<PeriodsFunctions>().PeriodStatus(r, PeriodId, CancellationToken.None));
        Assert.Equal(200, response.Status);
        return response.Json;
    }

    private static JsonElement Row(JsonElement status, string unit) =>
        status.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("unitCode").GetString() == unit);

    private static async Task<string> StatusCsvAsync(TestApp app)
    {
        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/status", TestApp.AdminToken, query: "format=csv"), r => app.Get<PeriodsFunctions>().PeriodStatus(r, PeriodId, CancellationToken.None));
        return Encoding.UTF8.GetString(response.Body[3..]);
    }

    [Fact]
    public async Task Returning_the_latest_version_records_who_when_why_and_emails_the_unit_the_reason_and_the_upload_link()
    {
        await using var app = await StartAsync(At(5, 10));
        await SubmitAsync(app, "so-tai-chinh", At(5, 9), "Báo cáo 6 tháng.pdf");
        const string reason = "Thiếu số liệu mục II.3 về dân vận khéo; đề nghị bổ sung <b>bảng</b> & gửi lại.";

        var returned = await CallAsync(app, "POST", "so-tai-chinh", "review", new { version = 1, decision = "returned", reason });

        Assert.Equal(200, returned.Status);
        Assert.Equal("returned", returned.Json.GetProperty("review").GetString());
        Assert.Equal(reason, returned.Json.GetProperty("lastReview").GetProperty("reason").GetString());
        Assert.Equal("queued", returned.Json.GetProperty("email").GetString());
        Assert.False(string.IsNullOrEmpty(returned.Headers.ETag.ToString()));
        var row = Row(await StatusAsync(app), "so-tai-chinh");
        Assert.Equal("returned", row.GetProperty("review").GetString());
        Assert.Equal("Trả lại", row.GetProperty("reviewLabel").GetString());
        Assert.Equal(reason, row.GetProperty("returnReason").GetString());

        var trail = await app.Get<AuditLog>().ListAsync(PeriodId);
        var audited = Assert.Single(trail, e => e.Action == DecisionActions.Return);
        Assert.Equal((DanVan.Auth.Actors.BreakGlass, "so-tai-chinh"), (audited.Actor, audited.UnitCode));
        Assert.Contains(reason, audited.Detail);
        Assert.Equal(At(5, 10), audited.At);

        await EmailQueueDrain.DrainAsync(app);
        var mail = Assert.Single(stub.Received);
        Assert.Equal(["tai-chinh@example.org", "van-thu-tc@example.org"], mail.To);
        Assert.Contains("Trả lại", mail.Subject);
        Assert.Contains(reason, mail.Text);
        Assert.Contains("Báo cáo 6 tháng.pdf", mail.Text);
        Assert.Contains("http://localhost:7071/api/upload", mail.Text);
        Assert.Contains("&lt;b&gt;bảng&lt;/b&gt; &amp; gửi lại", mail.Html);
        Assert.Contains("href=\"http://localhost:7071/api/upload\"", mail.Html);
        Assert.Empty(stub.Violations);
    }

    [Fact]
    public async Task A_new_upload_after_a_return_is_awaiting_review_again_and_accepting_it_sends_no_email_unless_the_setting_says_so()
    {
        await using var app = await StartAsync(At(5, 10));
        await SubmitAsync(app, "so-tai-chinh", At(5, 9));
        Assert.Equal(200, (await CallAsync(app, "POST", "so-tai-chinh", "review", new { version = 1, decision = "returned", reason = "Sai mẫu." })).Status);
        await SubmitAsync(app, "so-tai-chinh", At(5, 10));

        var status = await StatusAsync(app);
        Assert.Equal("pending", Row(status, "so-tai-chinh").GetProperty("review").GetString());
        Assert.False(Row(status, "so-tai-chinh").TryGetProperty("returnReason", out _));
        Assert.Equal(1, status.GetProperty("counts").GetProperty("awaitingReview").GetInt32());

        var accepted = await CallAsync(app, "POST", "so-tai-chinh", "review", new { version = 2, decision = "accepted" });
        Assert.Equal(200, accepted.Status);
        Assert.Equal("accepted", accepted.Json.GetProperty("review").GetString());
        Assert.False(accepted.Json.TryGetProperty("email", out _));
        var counts = (await StatusAsync(app)).GetProperty("counts");
        Assert.Equal((1, 0, 0), (counts.GetProperty("accepted").GetInt32(), counts.GetProperty("returned").GetInt32(), counts.GetProperty("awaitingReview").GetInt32()));
        await EmailQueueDrain.DrainAsync(app);
        Assert.Single(stub.Received); // the return's email only

        await using var confirming = await StartAsync(At(5, 10), new Dictionary<string, string?> { ["DanVan:Decisions:EmailOnAccept"] = "true" });
        await SubmitAsync(confirming, "so-y-te", At(5, 9));
        var confirmed = await CallAsync(confirming, "POST", "so-y-te", "review", new { version = 1, decision = "accepted" });
        Assert.Equal("queued", confirmed.Json.GetProperty("email").GetString());
        await EmailQueueDrain.DrainAsync(confirming);
        var mail = Assert.Single(stub.Received, m => m.To.Contains("y-te@example.org"));
        Assert.Contains("Đã tiếp nhận", mail.Subject);
    }

    [Fact]
    public async Task A_decision_on_a_version_that_is_no_longer_the_latest_is_refused_and_nothing_is_stored()
    {
        await using var app = await StartAsync(At(5, 10));
        await SubmitAsync(app, "so-tai-chinh", At(5, 9));
        await SubmitAsync(app, "so-tai-chinh", At(5, 9, 9, 30));

        var stale = await CallAsync(app, "POST", "so-tai-chinh", "review", new { version = 1, decision = "returned", reason = "Sai mẫu." });
        var nothing = await CallAsync(app, "POST", "so-y-te", "review", new { version = 1, decision = "accepted" });

        Assert.Equal((409, "version_not_latest"), (stale.Status, stale.Code));
        Assert.Contains("phiên bản 2", stale.Json.GetProperty("detail").GetString());
        Assert.Equal((409, "nothing_to_review"), (nothing.Status, nothing.Code));
        var view = await CallAsync(app, "GET", "so-tai-chinh", null);
        Assert.Equal("pending", view.Json.GetProperty("review").GetString());
        Assert.Empty(view.Json.GetProperty("history").EnumerateArray());
        Assert.DoesNotContain(await app.Get<AuditLog>().ListAsync(PeriodId), e => e.Action.StartsWith("decision.", StringComparison.Ordinal));
        await EmailQueueDrain.DrainAsync(app);
        Assert.Empty(stub.Received);
    }

    [Fact]
    public async Task Two_admins_deciding_at_once_end_with_one_decision_recorded_and_the_others_told()
    {
        await using var app = await StartAsync(At(5, 10));
        await SubmitAsync(app, "so-tai-chinh", At(5, 9));
        var seen = (await CallAsync(app, "PUT", "so-tai-chinh", "exemption", new { reason = "Sáp nhập." })).Headers.ETag.ToString();
        var etag = (await CallAsync(app, "DELETE", "so-tai-chinh", "exemption")).Headers.ETag.ToString();

        // Eight admins saw the same decisions and decide at once, half accepting, half returning.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => CallAsync(app, "POST", "so-tai-chinh", "review",
            i % 2 == 0 ? new { version = 1, decision = "accepted", reason = (string?)null } : new { version = 1, decision = "returned", reason = (string?)"Sai mẫu." },
            ifMatch: etag))));

        var won = Assert.Single(answers, a => a.Status == 200);
        Assert.All(answers.Where(a => a.Status != 200), a => Assert.Contains((a.Status, a.Code), new (int, string?)[] { (409, "decision_conflict"), (412, "decision_changed") }));
        var view = await CallAsync(app, "GET", "so-tai-chinh", null);
        Assert.Equal(won.Json.GetProperty("review").GetString(), view.Json.GetProperty("review").GetString());
        Assert.Equal(3, view.Json.GetProperty("history").GetArrayLength());
        Assert.Single(await app.Get<AuditLog>().ListAsync(PeriodId), e => e.Action is DecisionActions.Accept or DecisionActions.Return);

        // An admin acting on what was shown before any of this is told, and nothing is stored.
        var late = await CallAsync(app, "PUT", "so-tai-chinh", "extension", new { deadline = "2026-05-29", reason = "Lũ lụt." }, ifMatch: seen);
        Assert.Equal((412, "decision_changed"), (late.Status, late.Code));
    }

    [Fact]
    public async Task The_store_stores_one_of_two_changes_made_on_the_same_state_and_refuses_the_other()
    {
        await using var app = await StartAsync(At(5, 10));
        var store = app.Get<DecisionStore>();
        var first = await store.SaveAsync(PeriodId, null, UnitDecisions.None("so-y-te") with { Exemption = new Exemption("a", At(5, 10), "admin") }, new DecisionEvent(0, DecisionActions.Exempt, At(5, 10), "admin", "a", null, null));

        var outcomes = await Task.WhenAll(new[] { "b", "c" }.Select(reason => Task.Run(async () =>
        {
            try
            {
                await store.SaveAsync(PeriodId, first, first.Decisions with { Exemption = new Exemption(reason, At(5, 10), "admin") }, new DecisionEvent(0, DecisionActions.Exempt, At(5, 10), "admin", reason, null, null));
                return reason;
            }
            catch (DecisionConflictException)
            {
                return null;
            }
        })));

        var stored = Assert.Single(outcomes, o => o is not null);
        Assert.Equal(stored, (await store.GetAsync(PeriodId, "so-y-te"))!.Decisions.Exemption!.Reason);
        Assert.Equal(2, (await store.HistoryAsync(PeriodId, "so-y-te")).Count);
    }

    [Fact]
    public async Task Decisions_are_refused_on_a_finalized_period()
    {
        await using var app = await StartAsync(At(5, 20));
        await SubmitAsync(app, "so-tai-chinh", At(5, 9));
        await app.Get<PeriodCatalog>().MarkFinalizedAsync(PeriodId, "admin");

        var answers = new[]
        {
            await CallAsync(app, "POST", "so-tai-chinh", "review", new { version = 1, decision = "accepted" }),
            await CallAsync(app, "PUT", "so-y-te", "extension", new { deadline = "2026-05-29", reason = "Lũ lụt." }),
            await CallAsync(app, "PUT", "so-y-te", "exemption", new { reason = "Sáp nhập." }),
        };

        Assert.All(answers, a => Assert.Equal((409, "period_finalized"), (a.Status, a.Code)));
        Assert.Empty(await app.Get<DecisionStore>().ForPeriodAsync(PeriodId));
    }

    [Fact]
    public async Task An_extension_turns_a_late_submission_into_an_on_time_one_everywhere_and_revoking_it_is_recorded()
    {
        await using var app = await StartAsync(At(5, 20));
        await SubmitAsync(app, "so-tai-chinh", At(5, 16, 10));
        Assert.Equal("late", Row(await StatusAsync(app), "so-tai-chinh").GetProperty("status").GetString());

        var extended = await CallAsync(app, "PUT", "so-tai-chinh", "extension", new { deadline = "2026-05-29", reason = "Lũ lụt, mất điện." });

        Assert.Equal(200, extended.Status);
        Assert.Equal("2026-05-30T00:00:00+07:00", extended.Json.GetProperty("extension").GetProperty("deadline").GetString());
        var status = await StatusAsync(app);
        var row = Row(status, "so-tai-chinh");
        Assert.Equal("on_time", row.GetProperty("status").GetString());
        Assert.Equal("gia hạn đến hết ngày 29/05/2026", row.GetProperty("extensionText").GetString());
        Assert.Equal("2026-05-30T00:00:00+07:00", row.GetProperty("deadline").GetString());
        Assert.Equal(1, status.GetProperty("counts").GetProperty("extended").GetInt32());
        Assert.Contains("gia hạn đến hết ngày 29/05/2026", await StatusCsvAsync(app));
        var versions = await TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/reports/so-tai-chinh", TestApp.AdminToken), r => app.Get<ReportsFunctions>().ListReportVersions(r, PeriodId, "so-tai-chinh", CancellationToken.None));
        Assert.True(versions.Json.GetProperty("versions")[0].GetProperty("onTime").GetBoolean());

        var revoked = await CallAsync(app, "DELETE", "so-tai-chinh", "extension", new { reason = "Nhầm đơn vị." });

        Assert.Equal(200, revoked.Status);
        Assert.Equal("late", Row(await StatusAsync(app), "so-tai-chinh").GetProperty("status").GetString());
        Assert.Equal([DecisionActions.Extend, DecisionActions.RevokeExtension], revoked.Json.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString()));
        var trail = await app.Get<AuditLog>().ListAsync(PeriodId);
        Assert.Contains(trail, e => e.Action == DecisionActions.RevokeExtension && e.Detail!.Contains("Nhầm đơn vị."));
        Assert.Equal((409, "no_extension"), await CallAsync(app, "DELETE", "so-tai-chinh", "extension") is var again ? (again.Status, again.Code) : default);
    }

    [Fact]
    public async Task An_exemption_removes_the_unit_from_reminders_and_lists_it_as_exempt_not_missing()
    {
        await using var app = await StartAsync(At(5, 18, 8));
        var reminders = app.Get<ReminderService>();
        var period = app.Get<PeriodCatalog>().Get(PeriodId);
        Assert.Equal(["so-tai-chinh", "so-y-te"], (await reminders.RunAsync(period, dryRun: true, "admin")).Reminders.Select(r => r.UnitCode).Order());

        var exempt = await CallAsync(app, "PUT", "so-y-te", "exemption", new { reason = "Đã sáp nhập vào Sở Tài chính từ 01/05/2026." });

        Assert.Equal(200, exempt.Status);
        Assert.Equal(["so-tai-chinh"], (await reminders.RunAsync(period, dryRun: true, "admin")).Reminders.Select(r => r.UnitCode));
        var status = await StatusAsync(app);
        Assert.Equal("exempt", Row(status, "so-y-te").GetProperty("status").GetString());
        Assert.True(Row(status, "so-y-te").GetProperty("exempt").GetBoolean());
        var counts = status.GetProperty("counts");
        Assert.Equal((1, 1, 1), (counts.GetProperty("required").GetInt32(), counts.GetProperty("missing").GetInt32(), counts.GetProperty("exempt").GetInt32()));
        Assert.Contains("Miễn nộp kỳ này,exempt", await StatusCsvAsync(app));

        var sent = await reminders.RunAsync(period, dryRun: false, "timer");
        Assert.Equal(["so-tai-chinh"], sent.Reminders.Select(r => r.UnitCode));
        await EmailQueueDrain.DrainAsync(app);
        Assert.DoesNotContain(stub.Received, m => m.To.Contains("y-te@example.org"));

        Assert.Equal(200, (await CallAsync(app, "DELETE", "so-y-te", "exemption")).Status);
        Assert.Contains("so-y-te", (await reminders.RunAsync(period, dryRun: true, "admin")).Reminders.Select(r => r.UnitCode));
    }

    [Fact]
    public async Task Reminder_stages_count_from_an_extended_deadline()
    {
        await using var app = await StartAsync(At(5, 18, 8));
        var period = app.Get<PeriodCatalog>().Get(PeriodId);
        Assert.Equal(200, (await CallAsync(app, "PUT", "so-y-te", "extension", new { deadline = "2026-05-21T17:00:00+07:00", reason = "Thay đổi lãnh đạo." })).Status);

        var run = await app.Get<ReminderService>().RunAsync(period, dryRun: false, "timer");

        Assert.Equal("after-3", run.Stage);
        var lines = run.Reminders.ToDictionary(r => r.UnitCode);
        Assert.Equal("after-3", lines["so-tai-chinh"].Stage);
        Assert.Equal("before-3@2026-05-21", lines["so-y-te"].Stage);
        await EmailQueueDrain.DrainAsync(app);
        var mail = Assert.Single(stub.Reminders, m => m.To.Contains("y-te@example.org"));
        Assert.Contains("gia hạn đến 17:00 ngày 21/05/2026", mail.Text);
        Assert.Contains("còn 3 ngày", mail.Text);

        // The same stage of the same extension is never sent twice.
        var again = await app.Get<ReminderService>().RunAsync(period, dryRun: true, "admin");
        Assert.Equal("already_sent", again.Reminders.Single(r => r.UnitCode == "so-y-te").Status);
    }

    [Fact]
    public async Task The_digest_lists_units_reminded_at_their_extended_stages_also_on_a_day_only_extensions_are_due()
    {
        await using var app = await StartAsync(At(5, 18, 8));
        var period = app.Get<PeriodCatalog>().Get(PeriodId);
        Assert.Equal(200, (await CallAsync(app, "PUT", "so-y-te", "extension", new { deadline = "2026-05-21T17:00:00+07:00", reason = "Thay đổi lãnh đạo." })).Status);
        Assert.Equal(200, (await CallAsync(app, "PUT", "so-tai-chinh", "extension", new { deadline = "2026-06-30T17:00:00+07:00", reason = "Lũ lụt." })).Status);

        // 18/5: the period's stage is after-3, but every unit has an extension; only so-y-te's before-3 is due.
        var first = await app.Get<ReminderService>().RunAsync(period, dryRun: false, "timer");
        await EmailQueueDrain.DrainAsync(app);
        var digest = Assert.Single(stub.Digests);
        Assert.Equal(["so-y-te"], first.Reminders.Select(r => r.UnitCode));
        Assert.Contains("1. Sở Y tế (so-y-te) — gia hạn đến 21/05/2026, giai đoạn before-3", digest.Text);

        // 27/6: no stage of the period's deadline is due any more; so-tai-chinh's before-3 of 30/6 is.
        app.Clock.Advance(At(6, 27, 8) - app.Clock.GetUtcNow());
        var second = await app.Get<ReminderService>().RunAsync(period, dryRun: false, "timer");
        await EmailQueueDrain.DrainAsync(app);

        Assert.Equal(["before-3@2026-06-30"], second.Reminders.Select(r => r.Stage));
        Assert.Equal(2, stub.Digests.Count);
        var extended = stub.Digests.Last();
        Assert.Equal(ReminderDigest.ExtendedDigestStage, extended.Arg("stage"));
        Assert.Contains("1. Sở Tài chính (so-tai-chinh) — gia hạn đến 30/06/2026, giai đoạn before-3", extended.Text);
        Assert.DoesNotContain("(so-y-te)", extended.Text.Split("Các đơn vị chưa nộp")[0]);
    }

    [Fact]
    public async Task The_summary_workbook_and_the_draft_say_gia_han_den_and_list_exempt_units()
    {
        await using var app = await StartAsync(At(5, 20));
        await SubmitAsync(app, "so-tai-chinh", At(5, 16));
        Assert.Equal(200, (await CallAsync(app, "PUT", "so-tai-chinh", "extension", new { deadline = "2026-05-29", reason = "Lũ lụt." })).Status);
        Assert.Equal(200, (await CallAsync(app, "PUT", "so-y-te", "exemption", new { reason = "Đã sáp nhập." })).Status);

        await app.Get<Compiler>().CompileAsync(app.Get<PeriodCatalog>().Get(PeriodId), "admin");
        var bundle = await Bundle.DownloadLatestAsync(app, PeriodId);

        var rows = TestFiles.XlsxRows(bundle["TongHop.xlsx"]);
        var first = (uint)SummaryWorkbook.HeaderRow + 1;
        var byName = Enumerable.Range(0, 2).Select(i => rows[first + (uint)i]).ToDictionary(r => r["B"]);
        Assert.Equal("Đúng hạn", byName["Sở Tài chính"]["D"]);
        Assert.Equal("gia hạn đến hết ngày 29/05/2026", byName["Sở Tài chính"]["K"]);
        Assert.Equal("Chờ xem xét", byName["Sở Tài chính"]["L"]);
        Assert.Equal("Miễn nộp kỳ này", byName["Sở Y tế"]["D"]);
        var paragraphs = TestFiles.DocxParagraphs(bundle["DuThao-BaoCao.docx"]);
        Assert.Contains("Số cơ quan, đơn vị phải báo cáo: 1; nộp đúng hạn: 1; nộp muộn: 0; chưa nộp: 0; miễn nộp kỳ này: 1.", paragraphs);
        Assert.Contains("- Sở Tài chính (gia hạn đến hết ngày 29/05/2026; đúng hạn)", paragraphs);
        Assert.Contains("- Sở Y tế (lý do: Đã sáp nhập.)", paragraphs);
    }

    [Fact]
    public async Task Unit_credentials_get_403_and_no_credential_401_on_every_decision_route()
    {
        await using var app = await StartAsync(At(5, 10));
        var token = (await app.Get<CredentialStore>().IssueAsync("so-tai-chinh")).Token;
        var routes = new (string Method, string? Action, object? Body)[]
        {
            ("GET", null, null),
            ("POST", "review", new { version = 1, decision = "accepted" }),
            ("PUT", "extension", new { deadline = "2026-05-29", reason = "x" }),
            ("DELETE", "extension", null),
            ("PUT", "exemption", new { reason = "x" }),
            ("DELETE", "exemption", null),
        };

        foreach (var (method, action, body) in routes)
        {
            var asUnit = await CallAsync(app, method, "so-tai-chinh", action, body, bearer: token);
            var anonymous = await CallAsync(app, method, "so-tai-chinh", action, body, bearer: "not-a-token");
            Assert.Equal((403, "forbidden"), (asUnit.Status, asUnit.Code));
            Assert.Equal(401, anonymous.Status);
        }

        Assert.Empty(await app.Get<DecisionStore>().ForPeriodAsync(PeriodId));
    }

    [Fact]
    public async Task Bad_decisions_are_problems_with_stable_codes_and_store_nothing()
    {
        await using var app = await StartAsync(At(5, 10));
        await SubmitAsync(app, "so-tai-chinh", At(5, 9));

        var noReason = await CallAsync(app, "POST", "so-tai-chinh", "review", new { version = 1, decision = "returned", reason = "  " });
        var tooLong = await CallAsync(app, "POST", "so-tai-chinh", "review", new { version = 1, decision = "returned", reason = new string('x', DecisionRules.MaxReasonChars + 1) });
        var badVerdict = await CallAsync(app, "POST", "so-tai-chinh", "review", new { version = 1, decision = "maybe" });
        var noVersion = await CallAsync(app, "POST", "so-tai-chinh", "review", new { decision = "accepted" });
        var earlier = await CallAsync(app, "PUT", "so-tai-chinh", "extension", new { deadline = "2026-05-10", reason = "x" });
        var badDate = await CallAsync(app, "PUT", "so-tai-chinh", "extension", new { deadline = "30/05/2026", reason = "x" });
        var noExemptionReason = await CallAsync(app, "PUT", "so-tai-chinh", "exemption", new { });
        var unknownUnit = await CallAsync(app, "PUT", "so-khong-co", "exemption", new { reason = "x" });
        var unknownPeriod = await CallAsync(app, "PUT", "so-tai-chinh", "exemption", new { reason = "x" }, periodId: "2026-Q9");
        var notJson = await TestHttp.InvokeAsync(TestHttp.Request("PUT", "/x", TestApp.AdminToken, body: "{"u8.ToArray(), contentType: "application/json"), r => app.Get<DecisionsFunctions>().ExemptUnit(r, PeriodId, "so-tai-chinh", CancellationToken.None));

        Assert.All([noReason, tooLong, badVerdict, noVersion, earlier, badDate, noExemptionReason], a => Assert.Equal((400, "validation_failed"), (a.Status, a.Code)));
        Assert.Equal("reason", noReason.Json.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("deadline", earlier.Json.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal((404, "unknown_unit"), (unknownUnit.Status, unknownUnit.Code));
        Assert.Equal((404, "unknown_period"), (unknownPeriod.Status, unknownPeriod.Code));
        Assert.Equal((400, "invalid_json"), (notJson.Status, notJson.Code));
        Assert.Empty(await app.Get<DecisionStore>().ForPeriodAsync(PeriodId));
    }

    [Fact]
    public void Extension_text_reads_as_a_Vietnamese_reader_expects()
    {
        Assert.Equal("gia hạn đến hết ngày 29/05/2026", DecisionRules.ExtensionText(new DateTimeOffset(2026, 5, 30, 0, 0, 0, Vn)));
        Assert.Equal("gia hạn đến 17:00 ngày 29/05/2026", DecisionRules.ExtensionText(new DateTimeOffset(2026, 5, 29, 10, 0, 0, TimeSpan.Zero)));
    }
}
