using System.Diagnostics;
using DanVan.Email;
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

/// <summary>
/// The reminder service against Azurite and a local SendGrid-speaking server, with a fake clock. A run claims and
/// queues; the email queue's function (<see cref="EmailFunctions.SendEmail"/>) sends, called here by
/// <see cref="EmailQueueDrain"/> as the Functions host would.
/// </summary>
public sealed class ReminderServiceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    /// <summary>The timer's run, then its queued emails sent by the queue function (as the host runs it, or <paramref name="sendsAtOnce"/> at a time).</summary>
    private static async Task<IReadOnlyList<ReminderRun>> TimerAsync(TestApp app, int? sendsAtOnce = null)
    {
        var runs = await app.Get<ReminderService>().RunOpenPeriodsAsync("timer");
        await EmailQueueDrain.DrainAsync(app, sendsAtOnce);
        return runs;
    }

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
        await EmailQueueDrain.DrainAsync(app);

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

    /// <summary>The claim's and the outcome's writes applied by storage, their replies lost: one email each, recorded as sent.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Lost_replies_to_the_ledger_writes_still_send_each_reminder_once_and_record_it(int lostInARow)
    {
        var faults = new StorageFaults();
        // One send at a time, so each write's attempts follow each other: the first lostInARow replies of every write are lost.
        await using var app = await StartAsync(stub, Vn(5, 8), new Dictionary<string, string?> { ["DanVan:Reminders:MaxParallelism"] = "1" }, faults);
        await SeedAsync(app, Unit("so-tai-chinh"), Unit("so-y-te"));

        var writes = 0;
        faults.Rule(call => call == StorageCall.TableWrite && Interlocked.Increment(ref writes) % (lostInARow + 1) != 0 ? StorageFault.DropReply : StorageFault.None);
        var first = (await TimerAsync(app, sendsAtOnce: 1)).Single(r => r.Stage is not null);
        faults.Off();
        var second = (await TimerAsync(app)).Single(r => r.Stage is not null);

        Assert.NotEmpty(faults.Injected);
        Assert.Equal(2, stub.Reminders.Count);
        Assert.Equal(2, first.Queued);
        Assert.All(second.Reminders, r => Assert.Equal(ReminderLineStatus.AlreadySent, r.Status));
        var ledger = await app.Get<EmailLedger>().ForPeriodAsync(PeriodId);
        Assert.All(ledger, row => Assert.Equal(EmailStatus.Sent, row.Status));
        Assert.Equal(stub.Reminders.Select(m => m.MessageId).Order(), ledger.Select(r => r.MessageId).Order());
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
        Assert.Equal(30, runs.SelectMany(r => r).Sum(r => r.Queued));
        await EmailQueueDrain.DrainAsync(app);

        Assert.Equal(30, stub.Reminders.Count);
        Assert.Equal(30, stub.Reminders.Select(m => m.Arg("unitCode")).Distinct().Count());
        var ledger = await app.Get<EmailLedger>().ForPeriodAsync(PeriodId);
        Assert.Equal(30, ledger.Count);
        Assert.All(ledger, row => Assert.Equal(EmailStatus.Sent, row.Status));

        // One digest for the stage and day, whichever run won its claim, listing every unit reminded (by any run).
        var digest = Assert.Single(stub.Digests);
        var reminded = Section(digest.Text, "Các đơn vị được nhắc ở giai đoạn này (30):", "Các đơn vị chưa nộp báo cáo");
        Assert.All(Enumerable.Range(1, 30), i => Assert.Contains($"(don-vi-{i:00})", reminded));
        var digestRow = Assert.Single(await app.Get<EmailLedger>().DigestsAsync(PeriodId));
        Assert.Equal((EmailStatus.Sent, "before-7", digest.MessageId), (digestRow.Status, digestRow.Stage, digestRow.MessageId));
    }

    [Fact]
    public async Task A_stage_s_digest_goes_once_a_day_and_lists_the_units_reminded_by_earlier_runs()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedAsync(app, Unit("so-tai-chinh", "Sở Tài chính"), Unit("so-y-te", "Sở Y tế"));
        var service = app.Get<ReminderService>();
        var period = app.Get<PeriodCatalog>().Get(PeriodId);

        // 8/5: both reminders are queued, and the day's digest with them; composed at once, it lists them as on their way.
        Assert.Equal(2, (await service.RunAsync(period, false, "timer")).Queued);
        await EmailQueueDrain.DrainAsync(app);
        var first = Assert.Single(stub.Digests);
        Assert.Contains("Số đơn vị đã gửi thư nhắc: 2", first.Text);
        Assert.Contains("Trong đó thư đang chờ gửi (trong hàng đợi gửi thư): 2", first.Text);
        Assert.Contains("1. Sở Tài chính (so-tai-chinh) — đang gửi\n2. Sở Y tế (so-y-te) — đang gửi\n", first.Text);

        // Later the same day the admin sends again after a unit was added: its reminder goes, but no second digest that day.
        app.Clock.Advance(TimeSpan.FromHours(3));
        await SeedAsync(app, Unit("so-xay-dung", "Sở Xây dựng"));
        var again = await service.RunAsync(period, false, "admin");
        await EmailQueueDrain.DrainAsync(app);
        Assert.Equal(1, again.Queued);
        Assert.Single(stub.Digests);
        Assert.Equal(3, stub.Reminders.Count);

        // 9/5, still stage before-7: one more unit is reminded, and that day's digest lists all four, the new one on its way.
        app.Clock.SetUtcNow(Vn(5, 9));
        await SeedAsync(app, Unit("so-cong-thuong", "Sở Công Thương"));
        var next = await service.RunAsync(period, false, "timer");
        await EmailQueueDrain.DrainAsync(app);
        Assert.Equal(("before-7", 1), (next.Stage, next.Queued));
        Assert.Equal(2, stub.Digests.Count);
        var second = stub.Digests.Single(d => d.MessageId != first.MessageId);
        Assert.Contains("Số đơn vị đã gửi thư nhắc: 4", second.Text);
        Assert.Contains("Trong đó thư đang chờ gửi (trong hàng đợi gửi thư): 1", second.Text);
        Assert.Contains("1. Sở Công Thương (so-cong-thuong) — đang gửi\n2. Sở Tài chính (so-tai-chinh)\n3. Sở Xây dựng (so-xay-dung)\n4. Sở Y tế (so-y-te)\n", second.Text);
        Assert.Equal(2, (await app.Get<EmailLedger>().DigestsAsync(PeriodId)).Count);
        Assert.All(await app.Get<EmailLedger>().DigestsAsync(PeriodId), d => Assert.Equal(EmailStatus.Sent, d.Status));
        Assert.Empty(stub.Violations);
    }

    [Fact]
    public async Task The_outcome_is_recorded_even_when_the_sender_is_cancelled_right_after_SendGrid_accepted()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedAsync(app, Unit("so-tai-chinh"));
        await app.Get<ReminderService>().RunAsync(app.Get<PeriodCatalog>().Get(PeriodId), false, "admin");
        using var invocation = new CancellationTokenSource();
        stub.OnAccepted = _ => invocation.Cancel();

        var reminder = (await EmailQueueDrain.PeekAsync(app)).Select(m => m.Body.ToString()).First(t => t.Contains("\"kind\":\"reminder\"", StringComparison.Ordinal));
        var error = await Record.ExceptionAsync(() => app.Get<EmailFunctions>().SendEmail(reminder, invocation.Token));

        Assert.True(error is null or OperationCanceledException, error?.ToString());
        Assert.True(invocation.IsCancellationRequested);
        var mail = Assert.Single(stub.Reminders);
        var row = Assert.Single(await app.Get<EmailLedger>().ForPeriodAsync(PeriodId));
        Assert.Equal((EmailStatus.Sent, mail.MessageId, 1), (row.Status, row.MessageId, row.Attempts));
        Assert.NotNull(row.SentAt);
        var audit = await app.Get<AuditLog>().ListAsync(PeriodId);
        Assert.Contains(audit, a => a.Action == AuditActions.Reminder && a.UnitCode == "so-tai-chinh" && a.Actor == "admin");

        // The same message delivered again (the host never heard the invocation end) sends nothing.
        await app.Get<EmailFunctions>().SendEmail(reminder, CancellationToken.None);
        Assert.Single(stub.Reminders);
    }

    [Fact]
    public async Task A_reminder_whose_send_got_no_answer_is_unknown_and_never_resent()
    {
        await using var app = await StartAsync(stub, Vn(5, 8), new Dictionary<string, string?> { ["DanVan:Email:AttemptTimeoutSeconds"] = "1" });
        await SeedAsync(app, Unit("so-tai-chinh"));
        stub.LoseRepliesNext(1, LostReply.Hang);

        // The reminder is queued before the digest; sent one at a time, the reminder's reply is the one lost.
        var first = (await app.Get<ReminderService>().RunOpenPeriodsAsync("timer")).Single(r => r.Stage is not null);
        await EmailQueueDrain.DrainAsync(app, maxParallelism: 1);

        Assert.Equal(ReminderLineStatus.Queued, Assert.Single(first.Reminders).Status);
        var row = Assert.Single(await app.Get<EmailLedger>().ForPeriodAsync(PeriodId));
        Assert.Equal((EmailStatus.Unknown, 1), (row.Status, row.Attempts));
        Assert.StartsWith("timeout", row.Reason);
        Assert.Single(stub.Digests);

        // Neither the next day's timer nor the admin resends it; both show it as unknown.
        app.Clock.SetUtcNow(Vn(5, 9));
        var second = (await TimerAsync(app)).Single(r => r.Stage is not null);
        var dry = await app.Get<ReminderService>().RunAsync(app.Get<PeriodCatalog>().Get(PeriodId), true, "admin");
        Assert.Equal(ReminderLineStatus.Unknown, Assert.Single(second.Reminders).Status);
        Assert.Equal((ReminderLineStatus.Unknown, ReminderLineStatus.UnknownReason), (Assert.Single(dry.Reminders).Status, Assert.Single(dry.Reminders).Reason));
        Assert.Single(stub.Reminders);
        Assert.Equal(1, stub.Requests - stub.Digests.Count);
        Assert.Empty(await EmailQueueDrain.PeekAsync(app));
    }

    [Fact]
    public async Task A_claim_left_sending_by_a_crash_is_in_progress_then_unknown_and_never_resent()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedAsync(app, Unit("so-tai-chinh"));
        var ledger = app.Get<EmailLedger>();
        var service = app.Get<ReminderService>();
        var period = app.Get<PeriodCatalog>().Get(PeriodId);

        // A run claimed the row and queued it; the sender took it, recorded its attempt and died before recording what
        // SendGrid said.
        var claim = await ledger.ClaimAsync(PeriodId, "so-tai-chinh", "before-7", "so-tai-chinh@example.org", null, "timer", default);
        Assert.True(claim.Won);
        var permit = await ledger.BeginSendAsync(claim.Row!.PartitionKey, claim.Row.RowKey, claim.Row.ClaimId!, default);
        Assert.True(permit.Granted);
        Assert.NotNull(await ledger.BeginAttemptAsync(permit.Row!, default));
        Assert.Equal((false, EmailStatus.Sending), await SkippedAsync(ledger, claim.Row));

        Assert.Equal(ReminderLineStatus.InProgress, Assert.Single((await service.RunAsync(period, false, "admin")).Reminders).Status);
        app.Clock.Advance(ledger.AbandonedAfter);
        Assert.Equal(ReminderLineStatus.InProgress, Assert.Single((await service.RunAsync(period, true, "admin")).Reminders).Status);

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var dry = Assert.Single((await service.RunAsync(period, true, "admin")).Reminders);
        var real = Assert.Single((await service.RunAsync(period, false, "admin")).Reminders);
        Assert.Equal((ReminderLineStatus.Unknown, ReminderLineStatus.UnknownReason), (dry.Status, dry.Reason));
        Assert.Equal((ReminderLineStatus.Unknown, ReminderLineStatus.UnknownReason), (real.Status, real.Reason));
        Assert.Equal((false, EmailStatus.Unknown), await SkippedAsync(ledger, claim.Row));
        await EmailQueueDrain.DrainAsync(app);
        Assert.Equal(0, stub.Requests);
        Assert.Equal(EmailStatus.Sending, Assert.Single(await ledger.ForPeriodAsync(PeriodId)).Status);
    }

    /// <summary>What the sender may do with a second delivery of the row's queue message.</summary>
    private static async Task<(bool Granted, string? Skipped)> SkippedAsync(EmailLedger ledger, EmailLedgerRow row)
    {
        var permit = await ledger.BeginSendAsync(row.PartitionKey, row.RowKey, row.ClaimId!, default);
        return (permit.Granted, permit.Skipped);
    }

    [Fact]
    public void A_claim_is_abandoned_only_after_the_longest_send_can_have_ended()
    {
        var email = new DanVan.Email.EmailOptions();
        var ledger = new EmailLedger(null!, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(), Microsoft.Extensions.Options.Options.Create(email));

        // 30 s for a send slot, 4 attempts of 30 s, 3 waits of at most 60 s, 30 s to record, a minute's margin.
        Assert.Equal(TimeSpan.FromMinutes(7), ledger.AbandonedAfter);
    }

    /// <summary>The text between two headings of an email.</summary>
    private static string Section(string text, string from, string to)
    {
        var start = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{from}' not in: {text}");
        var end = text.IndexOf(to, start, StringComparison.Ordinal);
        return text[start..(end < 0 ? text.Length : end)];
    }

    [Fact]
    public async Task A_refused_send_is_retried_by_the_queue_and_recorded_as_sent_once()
    {
        await using var app = await StartAsync(stub, Vn(5, 8), new Dictionary<string, string?> { ["DanVan:Email:MaxAttempts"] = "2" });
        await SeedAsync(app, Unit("so-tai-chinh"));
        stub.FailNext(2, 500);

        // One at a time, the reminder (queued first) gets both 500s: recorded failed, thrown; the queue delivers it again.
        var run = (await app.Get<ReminderService>().RunOpenPeriodsAsync("timer")).Single(r => r.Stage is not null);
        var drain = await AdvancingAsync(app.Clock, EmailQueueDrain.DrainAsync(app, maxParallelism: 1));

        Assert.Equal(ReminderLineStatus.Queued, Assert.Single(run.Reminders).Status);
        Assert.Equal((2, 1, 0), (drain.Processed, drain.Failed, drain.Poisoned));
        var mail = Assert.Single(stub.Reminders);
        Assert.Equal("before-7", mail.Arg("stage"));
        var row = Assert.Single(await app.Get<EmailLedger>().ForPeriodAsync(PeriodId));
        Assert.Equal((EmailStatus.Sent, 3, 1, mail.MessageId), (row.Status, row.Attempts, row.Runs, row.MessageId));
        Assert.NotNull(row.SentAt);
        Assert.Equal(3, stub.Requests - stub.Digests.Count);

        app.Clock.SetUtcNow(Vn(5, 9));
        var next = (await TimerAsync(app)).Single(r => r.Stage is not null);
        Assert.Equal(ReminderLineStatus.AlreadySent, Assert.Single(next.Reminders).Status);
        Assert.Single(stub.Reminders);
    }

    [Fact]
    public async Task An_email_refused_on_every_delivery_ends_in_the_poison_queue_is_counted_for_the_admin_and_the_next_run_sends_it()
    {
        await using var app = await StartAsync(stub, Vn(5, 8), new Dictionary<string, string?> { ["DanVan:Email:MaxAttempts"] = "1" });
        await SeedAsync(app, Unit("so-tai-chinh"));
        stub.FailNext(1000, 400);

        await app.Get<ReminderService>().RunOpenPeriodsAsync("timer");
        var drain = await EmailQueueDrain.DrainAsync(app);

        // The reminder and the digest, five deliveries each, then the poison queue.
        Assert.Equal((0, 10, 2), (drain.Processed, drain.Failed, drain.Poisoned));
        Assert.Equal(EmailStatus.Failed, Assert.Single(await app.Get<EmailLedger>().ForPeriodAsync(PeriodId)).Status);
        var failed = await TestHttp.InvokeAsync(
            TestHttp.Request("GET", "/api/emails/failed", TestApp.AdminToken),
            r => app.Get<EmailFunctions>().ListFailedEmails(r, CancellationToken.None));
        Assert.Equal(200, failed.Status);
        Assert.Equal(2, failed.Json.GetProperty("count").GetInt32());
        var reminder = failed.Json.GetProperty("emails").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "reminder");
        Assert.Equal(("so-tai-chinh", PeriodId, "before-7"), (reminder.GetProperty("unitCode").GetString(), reminder.GetProperty("periodId").GetString(), reminder.GetProperty("stage").GetString()));

        // SendGrid takes mail again: the next day's run claims the failed reminder again, and it goes once.
        stub.FailNext(0, 400);
        app.Clock.SetUtcNow(Vn(5, 9));
        var next = (await TimerAsync(app)).Single(r => r.Stage is not null);
        Assert.Equal(ReminderLineStatus.Queued, Assert.Single(next.Reminders).Status);
        Assert.Single(stub.Reminders);
        Assert.Equal((EmailStatus.Sent, 2), Assert.Single(await app.Get<EmailLedger>().ForPeriodAsync(PeriodId)) is var row ? (row.Status, row.Runs) : default);
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
        var ledger = await app.Get<EmailLedger>().ForPeriodAsync(PeriodId);
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

        Assert.Equal(500, run.Queued);
        Assert.Equal(500, stub.Reminders.Count);
        Assert.Single(stub.Digests);
        Assert.Empty(stub.Violations);
        output.WriteLine($"500 reminders at stage {run.Stage} in {watch.Elapsed.TotalSeconds:0.00} s " +
                         $"(MaxParallelism {parallelism}, at most {stub.MaxConcurrent} concurrent SendGrid calls, 50 ms latency each; " +
                         $"{500 / watch.Elapsed.TotalSeconds:0} reminders/s)");
    }
}
