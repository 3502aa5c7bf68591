using DanVan.Email;
using DanVan.Audit;
using DanVan.Functions;
using DanVan.Reminders;
using DanVan.Tests.Email;
using DanVan.Tests.Support;
using static DanVan.Tests.Reminders.ReminderTestKit;

namespace DanVan.Tests.Reminders;

/// <summary>
/// A run's reminders claimed in table transactions and queued as batch messages, sent by the queue function as the
/// host runs it: still at most once each, under lost replies and redeliveries, and never more SendGrid calls at once
/// than the instance's send slots.
/// </summary>
public sealed class ReminderBatchTests : IAsyncLifetime
{
    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    private static Task SeedUnitsAsync(TestApp app, int count) =>
        SeedAsync(app, Enumerable.Range(1, count).Select(i => Unit($"don-vi-{i:00}")).ToArray());

    /// <summary>
    /// The n-th table transaction is applied by storage and its reply lost (the SDK's retry then meets its own write):
    /// 1 is the run's claim of all 20 rows, 2 the first batch's (16 rows) mark as sending, 3 its outcomes, 4 its audit.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task A_transaction_whose_reply_is_lost_is_read_back_and_each_reminder_goes_once(int lost)
    {
        var faults = new StorageFaults();
        await using var app = await StartAsync(stub, Vn(5, 8), faults: faults);
        await SeedUnitsAsync(app, 20);
        var transactions = 0;
        faults.Rule(call => call == StorageCall.TableTransaction && Interlocked.Increment(ref transactions) == lost ? StorageFault.DropReply : StorageFault.None);

        var run = (await app.Get<ReminderService>().RunOpenPeriodsAsync("timer")).Single(r => r.Stage is not null);
        await EmailQueueDrain.DrainAsync(app, maxParallelism: 1);
        faults.Off();

        Assert.Contains(faults.Injected, f => f == (StorageCall.TableTransaction, StorageFault.DropReply));
        Assert.Equal(20, run.Queued);
        Assert.Equal(20, stub.Reminders.Count);
        Assert.Equal(20, stub.Reminders.Select(m => m.Arg("unitCode")).Distinct().Count());
        var ledger = await app.Get<EmailLedger>().ForPeriodAsync(PeriodId);
        Assert.Equal(20, ledger.Count);
        Assert.All(ledger, row => Assert.Equal((EmailStatus.Sent, 1, 1), (row.Status, row.Runs, row.Attempts)));
        Assert.Equal(stub.Reminders.Select(m => m.MessageId).Order(), ledger.Select(r => r.MessageId).Order());
        var audited = (await app.Get<AuditLog>().ListAsync(PeriodId)).Where(a => a.Action == AuditActions.Reminder).ToList();
        Assert.Equal(20, audited.Select(a => a.UnitCode).Distinct().Count());

        // The next run finds every reminder sent; every message delivered again sends nothing.
        var next = await app.Get<ReminderService>().RunOpenPeriodsAsync("timer");
        Assert.All(next.Single(r => r.Stage is not null).Reminders, r => Assert.Equal(ReminderLineStatus.AlreadySent, r.Status));
        Assert.Empty(await EmailQueueDrain.PeekAsync(app));
        Assert.Equal(20, stub.Reminders.Count);
    }

    [Fact]
    public async Task A_batch_message_delivered_again_sends_nothing_more()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedUnitsAsync(app, 5);
        await app.Get<ReminderService>().RunOpenPeriodsAsync("timer");
        var batch = (await EmailQueueDrain.PeekAsync(app)).Select(m => m.Body.ToString()).Single(t => t.Contains("\"items\":[", StringComparison.Ordinal));

        await EmailQueueDrain.DrainAsync(app);
        await app.Get<EmailFunctions>().SendEmail(batch, CancellationToken.None);

        Assert.Equal(5, stub.Reminders.Count);
        Assert.All(await app.Get<EmailLedger>().ForPeriodAsync(PeriodId), row => Assert.Equal(EmailStatus.Sent, row.Status));
    }

    [Fact]
    public async Task An_email_SendGrid_refused_in_a_batch_is_sent_on_the_message_s_next_delivery_and_the_others_are_not_sent_again()
    {
        await using var app = await StartAsync(stub, Vn(5, 8), new Dictionary<string, string?> { ["DanVan:Email:MaxAttempts"] = "1" });
        await SeedUnitsAsync(app, 3);
        await app.Get<ReminderService>().RunOpenPeriodsAsync("timer");
        stub.FailNext(1, 400);

        var drain = await EmailQueueDrain.DrainAsync(app, maxParallelism: 1);

        // The batch's first delivery records one refusal and throws; its second sends only that one.
        Assert.Equal((2, 1, 0), (drain.Processed, drain.Failed, drain.Poisoned));
        Assert.Equal(3, stub.Reminders.Count);
        Assert.Equal(3, stub.Reminders.Select(m => m.Arg("unitCode")).Distinct().Count());
        var ledger = await app.Get<EmailLedger>().ForPeriodAsync(PeriodId);
        Assert.All(ledger, row => Assert.Equal(EmailStatus.Sent, row.Status));
        Assert.Equal([1, 1, 2], ledger.Select(r => r.Attempts).Order());
    }

    [Fact]
    public async Task The_host_s_concurrent_invocations_never_make_more_SendGrid_calls_at_once_than_the_send_slots()
    {
        await using var app = await StartAsync(stub, Vn(5, 8), new Dictionary<string, string?> { ["DanVan:Reminders:MaxParallelism"] = "3" });
        await SeedUnitsAsync(app, 40);
        stub.Latency = TimeSpan.FromMilliseconds(50);

        var run = (await app.Get<ReminderService>().RunOpenPeriodsAsync("timer")).Single(r => r.Stage is not null);
        var drain = await EmailQueueDrain.DrainAsync(app);

        // 40 reminders in batch messages of 3 (the slots) and the digest: up to batchSize + newBatchThreshold invocations at once.
        Assert.Equal(40, run.Queued);
        Assert.Equal((15, 0), (drain.Processed, drain.Failed));
        Assert.True(HostQueues.MaxInFlight > 3);
        Assert.Equal(40, stub.Reminders.Count);
        Assert.InRange(stub.MaxConcurrent, 2, 3);
    }

    [Fact]
    public async Task Batches_are_bounded_by_the_slots_and_a_batch_s_emails_share_the_slots_with_other_messages()
    {
        await using var app = await StartAsync(stub, Vn(5, 8), new Dictionary<string, string?> { ["DanVan:Reminders:MaxParallelism"] = "4" });
        await SeedUnitsAsync(app, 30);
        stub.Latency = TimeSpan.FromMilliseconds(50);

        var run = (await app.Get<ReminderService>().RunOpenPeriodsAsync("timer")).Single(r => r.Stage is not null);
        var messages = await EmailQueueDrain.PeekAsync(app);
        var drain = await EmailQueueDrain.DrainAsync(app);

        // 30 reminders in batch messages of 4 (the slots) and the digest; all 9 are taken by the host at once.
        Assert.Equal(30, run.Queued);
        Assert.Equal((9, 0), (drain.Processed, drain.Failed));
        Assert.Equal(9, messages.Count);
        Assert.Equal(30, stub.Reminders.Count);
        Assert.InRange(stub.MaxConcurrent, 2, 4);
        Assert.Empty(stub.Violations);
    }
}
