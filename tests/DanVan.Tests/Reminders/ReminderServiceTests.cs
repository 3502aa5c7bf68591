using System.Diagnostics;
using DanVan.Audit;
using DanVan.Functions;
using DanVan.Periods;
using DanVan.Reminders;
using DanVan.Tests.Email;
using DanVan.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static DanVan.Tests.Reminders.ReminderTestKit;

namespace DanVan.Tests.Reminders;

/// <summary>The reminder service against Azurite and a local SendGrid-speaking server, with a fake clock.</summary>
public sealed class ReminderServiceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    private static Task<IReadOnlyList<ReminderRun>> TimerAsync(TestApp app) => app.Get<ReminderService>().RunOpenPeriodsAsync("timer");

    [Fact]
    public async Task Each_stage_fires_on_its_Vietnam_day_and_not_the_day_before_or_after()
    {
        await using var app = await StartAsync(stub, Vn(4, 29));
        await SeedAsync(app, Unit("so-tai-chinh"), Unit("ubnd-vinh-yen"));

        var sentOn = new List<string>();
        for (var day = Vn(4, 29); day <= Vn(5, 30); day = day.AddDays(1))
        {
            app.Clock.SetUtcNow(day);
            var before = stub.Reminders.Count;
            await TimerAsync(app);
            foreach (var mail in stub.Reminders.Skip(before))
            {
                sentOn.Add($"{day:dd/MM} {mail.Arg("stage")} {mail.Arg("unitCode")}");
            }
        }

        string[] expected =
        [
            "01/05 before-14", "08/05 before-7", "12/05 before-3", "14/05 before-1",
            "16/05 after-1", "18/05 after-3", "22/05 after-7",
        ];
        Assert.Equal(
            expected.SelectMany(e => new[] { e + " so-tai-chinh", e + " ubnd-vinh-yen" }).Order(),
            sentOn.Order());
        Assert.Empty(stub.Violations);
    }

    [Fact]
    public async Task The_day_is_the_Vietnam_calendar_day_not_the_UTC_one()
    {
        // 30/4 23:59:59 Vietnam time is still 30/4; one second later it is 1/5 (30/4 17:00 UTC): before-14.
        await using var app = await StartAsync(stub, Vn(4, 30, 23, 59).AddSeconds(59));
        await SeedAsync(app, Unit("so-tai-chinh"));

        Assert.Null((await app.Get<ReminderService>().RunAsync(app.Get<PeriodCatalog>().Get(PeriodId), true, "admin")).Stage);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new DateTimeOffset(2026, 4, 30, 17, 0, 0, TimeSpan.Zero), app.Clock.GetUtcNow());
        var run = await app.Get<ReminderService>().RunAsync(app.Get<PeriodCatalog>().Get(PeriodId), false, "admin");

        Assert.Equal("before-14", run.Stage);
        Assert.Single(stub.Reminders);
    }

    [Fact]
    public async Task A_unit_that_submitted_is_skipped_at_once()
    {
        await using var app = await StartAsync(stub, Vn(5, 1));
        await SeedAsync(app, Unit("so-tai-chinh"), Unit("so-noi-vu"), Unit("ubnd-phuc-yen"));
        await MarkSubmittedAsync(app, "so-noi-vu");

        var first = Assert.Single(await TimerAsync(app), r => r.Stage is not null);
        Assert.Equal(["so-tai-chinh", "ubnd-phuc-yen"], first.Reminders.Select(r => r.UnitCode).Order());

        await MarkSubmittedAsync(app, "ubnd-phuc-yen");
        app.Clock.SetUtcNow(Vn(5, 8));
        var second = Assert.Single(await TimerAsync(app), r => r.Stage is not null);
        Assert.Equal("so-tai-chinh", Assert.Single(second.Reminders).UnitCode);
        Assert.Equal(3, stub.Reminders.Count);
        Assert.DoesNotContain(stub.Reminders, m => m.Arg("unitCode") == "so-noi-vu");
    }

    [Fact]
    public async Task Two_runs_at_the_same_moment_send_each_reminder_once()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedAsync(app, Enumerable.Range(1, 30).Select(i => Unit($"don-vi-{i:00}")).ToArray());
        stub.Latency = TimeSpan.FromMilliseconds(30);

        // Two instances: two services over the same storage, as two workers (or a timer retry) would be.
        var one = ActivatorUtilities.CreateInstance<ReminderService>(app.Services);
        var two = ActivatorUtilities.CreateInstance<ReminderService>(app.Services);
        var runs = await Task.WhenAll(one.RunOpenPeriodsAsync("timer"), two.RunOpenPeriodsAsync("timer"), one.RunOpenPeriodsAsync("timer"));

        Assert.Equal(30, stub.Reminders.Count);
        Assert.Equal(30, stub.Reminders.Select(m => m.Arg("unitCode")).Distinct().Count());
        Assert.Equal(30, runs.SelectMany(r => r).Sum(r => r.Sent));
        var ledger = await app.Get<ReminderLedger>().ForPeriodAsync(PeriodId);
        Assert.Equal(30, ledger.Count);
        Assert.All(ledger, row => Assert.Equal(ReminderStatus.Sent, row.Status));
    }

    [Fact]
    public async Task A_failed_send_is_retried_on_the_next_run_and_then_recorded_as_sent_once()
    {
        await using var app = await StartAsync(stub, Vn(5, 8), new Dictionary<string, string?> { ["DanVan:Email:MaxAttempts"] = "2" });
        await SeedAsync(app, Unit("so-tai-chinh"));
        stub.FailNext(2, 500);

        var first = (await AdvancingAsync(app.Clock, TimerAsync(app))).Single(r => r.Stage is not null);
        var failed = Assert.Single(first.Reminders);
        Assert.Equal(ReminderLineStatus.Failed, failed.Status);
        Assert.StartsWith("sendgrid_500", failed.Reason);
        var row = Assert.Single(await app.Get<ReminderLedger>().ForPeriodAsync(PeriodId));
        Assert.Equal((ReminderStatus.Failed, 2, 1), (row.Status, row.Attempts, row.Runs));
        Assert.Empty(stub.Reminders);

        app.Clock.SetUtcNow(Vn(5, 9));
        var second = (await TimerAsync(app)).Single(r => r.Stage is not null);
        Assert.Equal(ReminderLineStatus.Sent, Assert.Single(second.Reminders).Status);
        app.Clock.SetUtcNow(Vn(5, 10));
        var third = (await TimerAsync(app)).Single(r => r.Stage is not null);
        Assert.Equal(ReminderLineStatus.AlreadySent, Assert.Single(third.Reminders).Status);

        var mail = Assert.Single(stub.Reminders);
        Assert.Equal("before-7", mail.Arg("stage"));
        row = Assert.Single(await app.Get<ReminderLedger>().ForPeriodAsync(PeriodId));
        Assert.Equal((ReminderStatus.Sent, 3, 2, mail.MessageId), (row.Status, row.Attempts, row.Runs, row.MessageId));
        Assert.NotNull(row.SentAt);
        Assert.Equal(3, stub.Requests - stub.Digests.Count);
    }

    [Fact]
    public async Task After_downtime_over_two_stages_only_the_latest_is_sent()
    {
        await using var app = await StartAsync(stub, Vn(5, 13));
        await SeedAsync(app, Unit("so-tai-chinh"), Unit("so-y-te"));

        await TimerAsync(app);
        app.Clock.SetUtcNow(Vn(5, 14));
        await TimerAsync(app);

        Assert.Equal(
            ["before-1", "before-1", "before-3", "before-3"],
            stub.Reminders.Select(m => m.Arg("stage")!).Order());
        var ledger = await app.Get<ReminderLedger>().ForPeriodAsync(PeriodId);
        Assert.DoesNotContain(ledger, r => r.Stage is "before-14" or "before-7");
    }

    [Fact]
    public async Task Overdue_copies_go_to_the_head_of_unit_and_So_Noi_vu_from_the_second_overdue_stage()
    {
        await using var app = await StartAsync(stub, Vn(5, 16));
        await SeedAsync(app, Unit("so-tai-chinh", head: "giam-doc@so-tai-chinh.example.org"), Unit("so-y-te"));

        await TimerAsync(app);
        Assert.All(stub.Reminders, m => Assert.Empty(m.Cc));

        app.Clock.SetUtcNow(Vn(5, 18));
        await TimerAsync(app);
        var withHead = stub.Reminders.Single(m => m.Arg("stage") == "after-3" && m.Arg("unitCode") == "so-tai-chinh");
        Assert.Equal(["so-tai-chinh@example.org"], withHead.To);
        Assert.Equal(["giam-doc@so-tai-chinh.example.org", "so-noi-vu@example.org"], withHead.Cc);
        var noHead = stub.Reminders.Single(m => m.Arg("stage") == "after-3" && m.Arg("unitCode") == "so-y-te");
        Assert.Equal(["so-noi-vu@example.org"], noHead.Cc);
        Assert.Contains("đã quá hạn 3 ngày", withHead.Text);
        Assert.Empty(stub.Violations);
    }

    [Fact]
    public async Task The_email_keeps_Vietnamese_text_intact_and_escapes_HTML_in_names()
    {
        await using var app = await StartAsync(stub, Vn(5, 12));
        const string name = "Sở Tài chính <b>\"Kho bạc\" & Thuế</b>";
        await SeedAsync(app, Unit("so-tai-chinh", name));

        await TimerAsync(app);

        var mail = Assert.Single(stub.Reminders);
        Assert.Equal("[DanVan] Nhắc nộp Báo cáo 06 tháng năm 2026: còn 3 ngày", mail.Subject);
        Assert.Contains($"Kính gửi: {name}", mail.Text);
        Assert.Contains("trước 00:00 ngày 15/05/2026", mail.Text);
        Assert.Contains("còn 3 ngày", mail.Text);
        Assert.Contains("Chưa nộp", mail.Text);
        Assert.Contains("http://localhost:7071/api/upload", mail.Text);
        Assert.Contains("Sở Tài chính &lt;b&gt;&quot;Kho bạc&quot; &amp; Thuế&lt;/b&gt;", mail.Html);
        Assert.DoesNotContain("<b>\"Kho", mail.Html);
        Assert.Contains("trước 00:00 ngày 15/05/2026", mail.Html);
        Assert.Equal("danvan@example.org", mail.From);
        Assert.Empty(stub.Violations);
    }

    [Fact]
    public async Task A_run_that_sent_reminders_mails_one_digest_to_So_Noi_vu_and_audits_each_reminder()
    {
        await using var app = await StartAsync(stub, Vn(5, 1));
        await SeedAsync(app, Unit("so-tai-chinh", "Sở Tài chính"), Unit("so-y-te", "Sở Y tế"));

        await TimerAsync(app);
        await TimerAsync(app);

        var digest = Assert.Single(stub.Digests);
        Assert.Equal(["so-noi-vu@example.org"], digest.To);
        Assert.Contains("Số đơn vị đã gửi thư nhắc: 2", digest.Text);
        Assert.Contains("Sở Tài chính (so-tai-chinh)", digest.Text);
        Assert.Contains("Sở Y tế (so-y-te)", digest.Text);
        var audit = await app.Get<AuditLog>().ListAsync(PeriodId);
        Assert.Equal(["so-tai-chinh", "so-y-te"], audit.Where(a => a.Action == AuditActions.Reminder).Select(a => a.UnitCode!).Order());
        Assert.All(audit, a => Assert.Equal("timer", a.Actor));
    }

    [Fact]
    public async Task Finalized_and_not_yet_open_periods_get_no_reminders()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedAsync(app, Unit("so-tai-chinh"));
        await app.Get<PeriodCatalog>().MarkFinalizedAsync(PeriodId, "admin");

        var service = app.Get<ReminderService>();
        var catalog = app.Get<PeriodCatalog>();
        Assert.Equal("finalized", (await service.RunAsync(catalog.Get(PeriodId), false, "admin")).Skipped);
        Assert.Equal("not_open", (await service.RunAsync(catalog.Get("2026-Y"), false, "admin")).Skipped);
        await TimerAsync(app);
        Assert.Equal(0, stub.Requests);
    }

    [Fact]
    public async Task Five_hundred_units_at_one_stage_are_reminded_with_50_ms_of_provider_latency()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedAsync(app, Enumerable.Range(1, 500).Select(i => Unit($"don-vi-{i:000}", $"Đơn vị số {i}")).ToArray());
        stub.Latency = TimeSpan.FromMilliseconds(50);
        var parallelism = app.Get<Microsoft.Extensions.Options.IOptions<ReminderOptions>>().Value.MaxParallelism;

        var watch = Stopwatch.StartNew();
        var run = (await TimerAsync(app)).Single(r => r.Stage is not null);
        watch.Stop();

        Assert.Equal(500, run.Sent);
        Assert.Equal(500, stub.Reminders.Count);
        Assert.Single(stub.Digests);
        Assert.Empty(stub.Violations);
        output.WriteLine($"500 reminders at stage {run.Stage} in {watch.Elapsed.TotalSeconds:0.00} s " +
                         $"(MaxParallelism {parallelism}, at most {stub.MaxConcurrent} concurrent SendGrid calls, 50 ms latency each; " +
                         $"{500 / watch.Elapsed.TotalSeconds:0} reminders/s)");
    }
}
