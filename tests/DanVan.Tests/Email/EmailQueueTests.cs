using System.Diagnostics;
using DanVan.Email;
using DanVan.Functions;
using DanVan.Reminders;
using DanVan.Tests.Support;
using DanVan.Tests.Uploads;
using Xunit.Abstractions;
using static DanVan.Tests.Reminders.ReminderTestKit;

namespace DanVan.Tests.Email;

/// <summary>
/// The email queue in process: the service graph enqueues, the queue function's own method
/// (<see cref="EmailFunctions.SendEmail"/>) sends, against Azurite and the SendGrid stub.
/// </summary>
public sealed class EmailQueueTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    [Fact]
    public async Task A_queued_receipt_is_sent_once_however_often_its_message_is_delivered()
    {
        await using var bed = await UploadBed.StartAsync(settings: stub.Settings);

        var upload = await bed.SendAsync(UploadBed.Raw(Uploads.Samples.Pdf(), "Báo cáo.pdf", bed.UnitToken));
        Assert.Equal(201, upload.Status);
        Assert.Equal(0, stub.Requests);
        var message = Assert.Single(await EmailQueueDrain.PeekAsync(bed.App)).Body.ToString();

        // The Functions host delivers a message at least once: here three times, two of them at the same moment.
        var function = bed.App.Get<EmailFunctions>();
        await function.SendEmail(message, CancellationToken.None);
        await Task.WhenAll(function.SendEmail(message, CancellationToken.None), function.SendEmail(message, CancellationToken.None));

        var mail = Assert.Single(stub.Received);
        Assert.Contains("receipt", mail.Categories);
        Assert.Equal(["vanthu@snv.example.org"], mail.To);
        var row = Assert.Single(await ReceiptRowsAsync(bed.App));
        Assert.Equal((ReminderStatus.Sent, mail.MessageId), (row.Status, row.MessageId));
        Assert.Empty(stub.Violations);
    }

    [Fact]
    public async Task A_message_claimed_again_since_it_was_queued_sends_nothing()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedAsync(app, Unit("so-tai-chinh"));
        var ledger = app.Get<ReminderLedger>();
        var claim = await ledger.ClaimAsync(PeriodId, "so-tai-chinh", "before-7", "so-tai-chinh@example.org", null, "timer", default);
        var email = new EmailMessage(["so-tai-chinh@example.org"], [], "Nhắc nộp", "Nội dung", "<p>Nội dung</p>");
        await app.Get<EmailQueue>().EnqueueAsync(EmailKinds.Reminder, claim.Row!, email, default);

        // The claim is recorded failed and another run claims the row again before the old message is delivered.
        await ledger.RecordAsync(claim.Row!, EmailOutcome.Failed("not queued: test", 0), default);
        var again = await ledger.ClaimAsync(PeriodId, "so-tai-chinh", "before-7", "so-tai-chinh@example.org", null, "admin", default);
        Assert.True(again.Won);
        var drain = await EmailQueueDrain.DrainAsync(app);

        Assert.Equal((1, 0), (drain.Processed, drain.Failed));
        Assert.Equal(0, stub.Requests);
        Assert.Equal(ReminderStatus.Queued, Assert.Single(await ledger.ForPeriodAsync(PeriodId)).Status);
    }

    [Fact]
    public async Task With_SendGrid_hanging_an_upload_answers_in_under_2_s_and_its_receipt_is_then_sent_once()
    {
        await using var bed = await UploadBed.StartAsync(settings: stub.Settings);
        stub.Latency = TimeSpan.FromSeconds(5);

        var watch = Stopwatch.StartNew();
        var upload = await bed.SendAsync(UploadBed.Raw(Uploads.Samples.Pdf(), "Báo cáo.pdf", bed.UnitToken));
        watch.Stop();

        Assert.Equal(201, upload.Status);
        output.WriteLine($"upload answered in {watch.Elapsed.TotalMilliseconds:0} ms with SendGrid answering after {stub.Latency.TotalSeconds:0} s");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"The upload took {watch.Elapsed}.");
        Assert.Equal(0, stub.Requests);

        await EmailQueueDrain.DrainAsync(bed.App);
        Assert.Single(stub.Received);
        Assert.Equal(ReminderStatus.Sent, Assert.Single(await ReceiptRowsAsync(bed.App)).Status);
    }

    [Fact]
    public async Task With_SendGrid_hanging_a_reminder_run_for_30_units_queues_in_under_5_s_and_each_email_is_then_sent_once()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedAsync(app, Enumerable.Range(1, 30).Select(i => Unit($"don-vi-{i:00}")).ToArray());
        stub.Latency = TimeSpan.FromSeconds(5);

        var watch = Stopwatch.StartNew();
        var run = (await app.Get<ReminderService>().RunOpenPeriodsAsync("timer")).Single(r => r.Stage is not null);
        watch.Stop();

        output.WriteLine($"30 reminders queued in {watch.Elapsed.TotalMilliseconds:0} ms with SendGrid answering after {stub.Latency.TotalSeconds:0} s");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"The run took {watch.Elapsed}.");
        Assert.Equal(30, run.Queued);
        Assert.Equal(0, stub.Requests);

        // The 30 reminders travel as batch messages of 16 (the send slots), then the digest.
        var drain = await EmailQueueDrain.DrainAsync(app);
        await EmailQueueDrain.DrainAsync(app);
        Assert.Equal((3, 0), (drain.Processed, drain.Failed));
        Assert.Equal(30, stub.Reminders.Count);
        Assert.Equal(30, stub.Reminders.Select(m => m.Arg("unitCode")).Distinct().Count());
        Assert.Single(stub.Digests);
        Assert.All(await app.Get<ReminderLedger>().ForPeriodAsync(PeriodId), r => Assert.Equal(ReminderStatus.Sent, r.Status));
        Assert.Empty(stub.Violations);
    }

    [Fact]
    public async Task An_email_too_large_for_a_queue_message_travels_as_a_blob_and_is_sent_whole()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        var ledger = app.Get<ReminderLedger>();
        var claim = await ledger.ClaimDigestAsync(PeriodId, "before-7", new DateOnly(2026, 5, 8), "so-noi-vu@example.org", "timer", default);
        var text = string.Join("\n", Enumerable.Range(1, 3000).Select(i => $"{i}. Ủy ban nhân dân xã số {i} (xa-{i})"));
        var email = new EmailMessage(["so-noi-vu@example.org"], [], "Tổng hợp", text, "<pre>" + text + "</pre>") { Categories = ["danvan", "digest"] };

        await app.Get<EmailQueue>().EnqueueAsync(EmailKinds.Digest, claim.Row!, email, default);
        Assert.Contains("bodyBlob", Assert.Single(await EmailQueueDrain.PeekAsync(app)).Body.ToString());
        await EmailQueueDrain.DrainAsync(app);

        Assert.Equal(text, Assert.Single(stub.Digests).Text);
        var left = new List<string>();
        await foreach (var blob in app.Store.EmailBodies.GetBlobsAsync())
        {
            left.Add(blob.Name);
        }

        Assert.Empty(left);
    }

    private static async Task<List<ReminderEntity>> ReceiptRowsAsync(TestApp app)
    {
        var rows = new List<ReminderEntity>();
        await foreach (var row in app.Store.Table<ReminderLedger>().QueryAsync<ReminderEntity>(r => r.PartitionKey == ReminderLedger.ReceiptPartitionKey(UploadBed.Period)))
        {
            rows.Add(row);
        }

        return rows;
    }
}
