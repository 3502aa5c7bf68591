using Azure.Storage.Queues.Models;
using DanVan.Email;
using DanVan.Reminders;
using DanVan.Tests.Email;
using DanVan.Tests.Support;
using static DanVan.Tests.Reminders.ReminderTestKit;

namespace DanVan.Tests.Reminders;

/// <summary>
/// No message left behind: a sender killed between claiming rows and sending leaves rows that are sent again exactly
/// once (only a row whose attempt was recorded is "unknown"); a lost enqueue reply still sends exactly once.
/// </summary>
public sealed class EmailSweepTests : IAsyncLifetime
{
    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    private static readonly Dictionary<string, string?> FourAtOnce = new() { ["DanVan:Reminders:MaxParallelism"] = "4" };

    /// <summary>
    /// What a worker killed mid-send leaves: it took every message off the queue and marked their rows sending; it
    /// recorded the attempt of <paramref name="attempted"/> rows (their requests may have reached SendGrid), then died.
    /// Answers the messages it held, still on the queue (invisible until their visibility timeout).
    /// </summary>
    private static async Task<QueueMessage[]> KilledWorkerAsync(TestApp app, int attempted)
    {
        var ledger = app.Get<ReminderLedger>();
        var messages = (await app.Store.EmailQueue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(10))).Value;
        var left = attempted;
        foreach (var m in messages)
        {
            var message = EmailQueue.Parse(m.Body.ToString());
            var permits = message.IsBatch
                ? await ledger.BeginSendBatchAsync(message.PartitionKey, message.Items!, default)
                : [await ledger.BeginSendAsync(message.PartitionKey, message.RowKey, message.ClaimId, default)];
            foreach (var permit in permits.Where(p => p.Granted && message.Kind == EmailKinds.Reminder))
            {
                if (left-- > 0)
                {
                    Assert.True(await ledger.BeginAttemptAsync(permit.Row!, default));
                }
            }
        }

        return messages;
    }

    [Fact]
    public async Task A_worker_killed_between_claim_and_send_leaves_every_never_attempted_email_sent_exactly_once_after_the_sweep()
    {
        await using var app = await StartAsync(stub, Vn(5, 8), FourAtOnce);
        await SeedAsync(app, Enumerable.Range(1, 12).Select(i => Unit($"don-vi-{i:00}")).ToArray());
        var ledger = app.Get<ReminderLedger>();

        Assert.Equal(12, (await app.Get<ReminderService>().RunOpenPeriodsAsync("timer")).Sum(r => r.Queued));
        var held = await KilledWorkerAsync(app, attempted: 2);
        Assert.Equal(4, held.Length); // three batches of four reminders, one digest

        // Their messages came back before the sender was known dead and were completed (the rows were sending): gone.
        foreach (var m in held)
        {
            await app.Store.EmailQueue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
        }

        Assert.Empty(stub.Received);
        var before = await ledger.ForPeriodAsync(PeriodId);
        Assert.All(before, r => Assert.Equal(ReminderStatus.Sending, ledger.StatusOf(r)));

        // Past the bound, the next run sweeps first: the ten rows never attempted (and the digest) are claimed and sent
        // again, the two attempted ones are unknown and not sent.
        app.Clock.Advance(ledger.AbandonedAfter + TimeSpan.FromSeconds(1));
        var runs = await app.Get<ReminderService>().RunOpenPeriodsAsync("timer");
        await EmailQueueDrain.DrainAsync(app);
        await app.Get<ReminderService>().RunOpenPeriodsAsync("timer");
        await EmailQueueDrain.DrainAsync(app);

        var lines = runs.Single(r => r.PeriodId == PeriodId).Reminders;
        Assert.Equal(10, lines.Count(l => l.Status == ReminderLineStatus.Queued));
        Assert.Equal(2, lines.Count(l => l.Status == ReminderLineStatus.Unknown));
        Assert.Equal(10, stub.Reminders.Count);
        Assert.Equal(10, stub.Reminders.Select(m => m.Arg("unitCode")).Distinct().Count());
        Assert.Single(stub.Digests);
        var after = await ledger.ForPeriodAsync(PeriodId);
        Assert.Equal(10, after.Count(r => r.Status == ReminderStatus.Sent));
        var unknown = after.Where(r => r.Status == ReminderStatus.Unknown).ToList();
        Assert.Equal(2, unknown.Count);
        Assert.All(unknown, r => Assert.NotNull(r.AttemptedAt));
        Assert.DoesNotContain(stub.Reminders, m => unknown.Any(u => u.UnitCode == m.Arg("unitCode")));
    }

    [Fact]
    public async Task A_killed_workers_message_delivered_again_after_the_bound_sends_its_never_attempted_emails_once()
    {
        await using var app = await StartAsync(stub, Vn(5, 8), FourAtOnce);
        await SeedAsync(app, Enumerable.Range(1, 8).Select(i => Unit($"don-vi-{i:00}")).ToArray());
        var ledger = app.Get<ReminderLedger>();
        await app.Get<ReminderService>().RunOpenPeriodsAsync("timer");
        var held = await KilledWorkerAsync(app, attempted: 1);

        // Delivered again while the rows' sender may still be alive: nothing is sent.
        foreach (var m in held)
        {
            await app.Store.EmailQueue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        var early = (await app.Store.EmailQueue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(10))).Value;
        foreach (var m in early)
        {
            Assert.Null(await app.Get<EmailSender>().ProcessAsync(m.Body.ToString(), default));
            await app.Store.EmailQueue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        Assert.Empty(stub.Received);

        // After the bound (the host makes them visible again after the killed listener's hold): sent once each.
        app.Clock.Advance(ledger.AbandonedAfter + TimeSpan.FromSeconds(1));
        await EmailQueueDrain.DrainAsync(app);
        await EmailQueueDrain.DrainAsync(app);
        var swept = await ledger.SweepAsync();

        Assert.Equal(7, stub.Reminders.Count);
        Assert.Equal(7, stub.Reminders.Select(m => m.Arg("unitCode")).Distinct().Count());
        Assert.Single(stub.Digests);
        Assert.Equal(new ReminderLedger.SweepResult(0, 1), swept);
        var rows = await ledger.ForPeriodAsync(PeriodId);
        Assert.Equal((7, 1), (rows.Count(r => r.Status == ReminderStatus.Sent), rows.Count(r => r.Status == ReminderStatus.Unknown)));
    }

    [Fact]
    public async Task A_lost_enqueue_reply_is_sent_exactly_once()
    {
        var faults = new StorageFaults { IncludeQueues = true };
        await using var app = await StartAsync(stub, Vn(5, 8), faults: faults);
        await SeedAsync(app, Unit("so-tai-chinh"), Unit("so-y-te"));
        var ledger = app.Get<ReminderLedger>();

        // One reply lost: the SDK's retry puts the message again; two copies, one claim.
        faults.Next(StorageCall.QueueWrite, StorageFault.DropReply);
        var first = await app.Get<ReminderService>().RunAsync(app.Get<DanVan.Periods.PeriodCatalog>().Get(PeriodId), dryRun: false, "timer");

        // Every reply lost: the enqueue reports failure, the row is failed, yet the messages reached the queue.
        await app.Get<ReceiptEmails>().SendAsync(Receipt(), default);
        faults.Rule(c => c == StorageCall.QueueWrite ? StorageFault.DropReply : StorageFault.None);
        var receipt = await app.Get<ReceiptEmails>().SendAsync(Receipt() with { Version = 2 }, default);
        faults.Off();
        var receiptRow = (await app.Store.Table<ReminderLedger>().GetEntityAsync<ReminderEntity>(ReminderLedger.ReceiptPartitionKey(PeriodId), ReminderLedger.ReceiptRowKey("so-y-te", 2))).Value;
        var copies = (await EmailQueueDrain.PeekAsync(app)).Count;

        var drain = await EmailQueueDrain.DrainAsync(app);
        var again = await app.Get<ReminderService>().RunOpenPeriodsAsync("timer");
        await EmailQueueDrain.DrainAsync(app);

        Assert.Equal(2, first.Queued);
        Assert.Equal(EmailResult.Failed, receipt.Result);
        Assert.Equal(ReminderStatus.Failed, receiptRow.Status);
        Assert.True(copies > 4, $"{copies} messages"); // a batch or reminders twice, a digest, receipt 1, receipt 2 at least once
        Assert.Equal(0, drain.Failed);
        Assert.Equal(2, stub.Reminders.Count);
        Assert.Equal(2, stub.Reminders.Select(m => m.Arg("unitCode")).Distinct().Count());
        Assert.Equal(2, stub.Received.Count(m => m.Categories.Contains("receipt")));
        Assert.Equal(["1", "2"], stub.Received.Where(m => m.Categories.Contains("receipt")).Select(m => m.Arg("version")!).Order());
        Assert.All(again.Single(r => r.PeriodId == PeriodId).Reminders, l => Assert.Equal(ReminderLineStatus.AlreadySent, l.Status));
        Assert.All(await ledger.ForPeriodAsync(PeriodId), r => Assert.Equal(ReminderStatus.Sent, r.Status));
    }

    private static Task<TestResponse> FailedListAsync(TestApp app) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/emails/failed", TestApp.AdminToken), r => app.Get<DanVan.Functions.EmailFunctions>().ListFailedEmails(r, default));

    private static Task<TestResponse> ResendEmailAsync(TestApp app, string partitionKey, string rowKey) =>
        TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/emails/resend", TestApp.AdminToken, new { partitionKey, rowKey }), r => app.Get<DanVan.Functions.EmailFunctions>().ResendEmail(r, default));

    [Fact]
    public async Task An_officer_sends_an_unknown_and_a_poisoned_email_again_once_each_and_the_audit_names_the_officer()
    {
        await using var app = await StartAsync(stub, Vn(5, 8), new Dictionary<string, string?> { ["DanVan:Email:AttemptTimeoutSeconds"] = "1" });
        await SeedAsync(app, Unit("so-tai-chinh"), Unit("so-y-te"));

        // A reminder whose reply never came (unknown), and a receipt SendGrid refused on every delivery (poisoned).
        stub.LoseRepliesNext(1, LostReply.Hang);
        await app.Get<ReminderService>().RunAsync(app.Get<DanVan.Periods.PeriodCatalog>().Get(PeriodId), dryRun: false, "timer");
        await EmailQueueDrain.DrainAsync(app, maxParallelism: 1);
        stub.FailNext(100, 400);
        await app.Get<ReceiptEmails>().SendAsync(Receipt(), default);
        var poisoned = await EmailQueueDrain.DrainAsync(app);
        stub.FailNext(0, 400);
        var list = await FailedListAsync(app);

        Assert.Equal(1, poisoned.Poisoned);
        Assert.Equal(200, list.Status);
        var unknown = Assert.Single(list.Json.GetProperty("unknown").EnumerateArray());
        // The batch sends both units' reminders at once: whichever reached the stub first is the one whose reply was lost.
        Assert.Equal("reminder", unknown.GetProperty("kind").GetString());
        Assert.Contains(unknown.GetProperty("unitCode").GetString(), new[] { "so-tai-chinh", "so-y-te" });
        Assert.StartsWith("timeout", unknown.GetProperty("reason").GetString());
        var failed = Assert.Single(list.Json.GetProperty("emails").EnumerateArray());
        Assert.Equal(("receipt", "so-y-te"), (failed.GetProperty("kind").GetString(), failed.GetProperty("unitCode").GetString()));
        Assert.StartsWith("sendgrid_400", failed.GetProperty("reason").GetString());
        var before = (stub.Reminders.Count, stub.Received.Count(m => m.Categories.Contains("receipt")));

        var again = await ResendEmailAsync(app, unknown.GetProperty("partitionKey").GetString()!, unknown.GetProperty("rowKey").GetString()!);
        var receipt = await ResendEmailAsync(app, failed.GetProperty("partitionKey").GetString()!, failed.GetProperty("rowKey").GetString()!);
        var drain = await EmailQueueDrain.DrainAsync(app);
        var twice = await ResendEmailAsync(app, unknown.GetProperty("partitionKey").GetString()!, unknown.GetProperty("rowKey").GetString()!);
        var missing = await ResendEmailAsync(app, PeriodId, "khong-co~before-7");
        var after = await FailedListAsync(app);

        Assert.Equal((202, "unknown", true), (again.Status, again.Json.GetProperty("was").GetString(), again.Json.GetProperty("queued").GetBoolean()));
        Assert.Equal((202, "failed", true), (receipt.Status, receipt.Json.GetProperty("was").GetString(), receipt.Json.GetProperty("queued").GetBoolean()));
        Assert.Equal((2, 0), (drain.Processed, drain.Failed));
        Assert.Equal((before.Item1 + 1, before.Item2 + 1), (stub.Reminders.Count, stub.Received.Count(m => m.Categories.Contains("receipt"))));
        Assert.Equal((409, "email_not_resendable"), (twice.Status, twice.Code));
        Assert.Equal((404, "not_found"), (missing.Status, missing.Code));
        Assert.Empty(after.Json.GetProperty("unknown").EnumerateArray());
        Assert.Empty(after.Json.GetProperty("emails").EnumerateArray());
        var trail = await app.Get<DanVan.Audit.AuditLog>().ListAsync(PeriodId);
        Assert.Equal(2, trail.Count(e => e.Action == DanVan.Audit.AuditActions.EmailResend && e.Actor == "break-glass"));
    }

    private static ReceiptEmail Receipt() => new(
        "so-y-te", "Sở Y tế", ["so-y-te@example.org"], PeriodId, "Báo cáo 06 tháng năm 2026", new DateTimeOffset(2026, 5, 15, 0, 0, 0, TimeSpan.FromHours(7)),
        1, "Báo cáo.pdf", 1234, new string('a', 64), Vn(5, 8), true);
}
