using System.Text;
using System.Text.Json;
using DanVan.Email;
using DanVan.Tests.Support;
using static DanVan.Tests.Reminders.ReminderTestKit;

namespace DanVan.Tests.Email;

/// <summary>The Mailer against the local SendGrid-speaking server, and the outbox when no key is set.</summary>
public sealed class MailerTests : IAsyncLifetime
{
    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    private static EmailMessage Message(string to = "so-tai-chinh@example.org") =>
        new([to], [], "Thử nghiệm gửi thư", "Nội dung có dấu: Sở Nội vụ", "<p>Nội dung có dấu: Sở Nội vụ</p>");

    [Fact]
    public async Task A_429_is_retried_after_the_Retry_After_it_asks_for()
    {
        await using var app = await StartAsync(stub, Vn(5, 1));
        stub.FailNext(2, 429, "3");
        var started = app.Clock.GetUtcNow();

        var outcome = await AdvancingAsync(app.Clock, app.Get<Mailer>().SendAsync(Message()));

        Assert.True(outcome.Sent);
        Assert.Equal(3, outcome.Attempts);
        Assert.Equal(stub.Received.Single().MessageId, outcome.MessageId);
        Assert.True(app.Clock.GetUtcNow() - started >= TimeSpan.FromSeconds(6), "two waits of Retry-After: 3");
    }

    [Fact]
    public async Task A_5xx_is_retried_until_the_attempts_run_out_and_then_reported_failed()
    {
        await using var app = await StartAsync(stub, Vn(5, 1), new Dictionary<string, string?> { ["DanVan:Email:MaxAttempts"] = "3" });
        stub.FailNext(5, 503);

        var outcome = await AdvancingAsync(app.Clock, app.Get<Mailer>().SendAsync(Message()));

        Assert.False(outcome.Sent);
        Assert.Equal(3, outcome.Attempts);
        Assert.StartsWith("sendgrid_503", outcome.Reason);
        Assert.Equal(3, stub.Requests);
    }

    [Fact]
    public async Task Another_4xx_is_not_retried()
    {
        await using var app = await StartAsync(stub, Vn(5, 1));
        stub.FailNext(1, 403);

        var outcome = await app.Get<Mailer>().SendAsync(Message());

        Assert.False(outcome.Sent);
        Assert.Equal(1, outcome.Attempts);
        Assert.StartsWith("sendgrid_403", outcome.Reason);
        Assert.Equal(1, stub.Requests);
    }

    [Fact]
    public async Task A_send_whose_reply_never_comes_is_unknown_and_not_retried()
    {
        await using var app = await StartAsync(stub, Vn(5, 1), new Dictionary<string, string?> { ["DanVan:Email:AttemptTimeoutSeconds"] = "1" });
        stub.LoseRepliesNext(1, LostReply.Hang);

        var outcome = await AdvancingAsync(app.Clock, app.Get<Mailer>().SendAsync(Message()));

        Assert.Equal(EmailResult.Unknown, outcome.Result);
        Assert.False(outcome.Sent);
        Assert.Equal(1, outcome.Attempts);
        Assert.StartsWith("timeout", outcome.Reason);
        Assert.Equal(1, stub.Requests);
        Assert.Single(stub.Received);
    }

    [Fact]
    public async Task A_connection_dropped_after_the_request_went_out_is_unknown_and_not_retried()
    {
        await using var app = await StartAsync(stub, Vn(5, 1));
        stub.LoseRepliesNext(1, LostReply.Abort);

        var outcome = await AdvancingAsync(app.Clock, app.Get<Mailer>().SendAsync(Message()));

        Assert.Equal(EmailResult.Unknown, outcome.Result);
        Assert.Equal(1, outcome.Attempts);
        Assert.StartsWith("transport", outcome.Reason);
        Assert.Equal(1, stub.Requests);
    }

    [Fact]
    public async Task A_connection_that_could_not_be_made_is_retried_and_then_reported_failed()
    {
        // A port nobody listens on: every connection is refused before a byte of the request is sent.
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var settings = stub.Settings;
        settings["DanVan:Email:SendGridHost"] = $"http://127.0.0.1:{port}";
        settings["DanVan:Email:MaxAttempts"] = "3";
        await using var app = await TestApp.StartAsync(Vn(5, 1), settings);

        var outcome = await AdvancingAsync(app.Clock, app.Get<Mailer>().SendAsync(Message()));

        Assert.Equal(EmailResult.Failed, outcome.Result);
        Assert.Equal(3, outcome.Attempts);
        Assert.StartsWith("connect", outcome.Reason);
    }

    [Fact]
    public async Task Cancelling_the_caller_s_token_stops_retries_but_not_a_call_in_flight()
    {
        await using var app = await StartAsync(stub, Vn(5, 1));
        using var run = new CancellationTokenSource();
        stub.OnAccepted = _ => run.Cancel();

        var accepted = await app.Get<Mailer>().SendAsync(Message(), run.Token);

        Assert.True(accepted.Sent);
        Assert.Equal(stub.Received.Single().MessageId, accepted.MessageId);

        // A 503, then the caller gives up while the mailer waits (on the stopped fake clock) to retry.
        stub.OnAccepted = null;
        stub.FailNext(1, 503);
        using var second = new CancellationTokenSource();
        var retrying = app.Get<Mailer>().SendAsync(Message(), second.Token);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (stub.Requests < 2 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        await second.CancelAsync();
        var refused = await retrying;

        Assert.Equal((EmailResult.Failed, 1), (refused.Result, refused.Attempts));
        Assert.Contains("cancelled before attempt 2", refused.Reason);
        Assert.Equal(2, stub.Requests);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_by_the_stub_and_reported_failed()
    {
        var settings = stub.Settings;
        settings["DanVan:Email:SendGridApiKey"] = "SG.wrong";
        await using var app = await Support.TestApp.StartAsync(Vn(5, 1), settings);

        var outcome = await app.Get<Mailer>().SendAsync(Message());

        Assert.False(outcome.Sent);
        Assert.StartsWith("sendgrid_401", outcome.Reason);
    }

    [Fact]
    public void The_stub_rejects_a_body_that_breaks_SendGrid_s_schema()
    {
        using var missingFrom = JsonDocument.Parse("""{"personalizations":[{"to":[{"email":"a@example.org"}]}],"subject":"x","content":[{"type":"text/plain","value":"x"}]}""");
        using var badAddress = JsonDocument.Parse("""{"personalizations":[{"to":[{"email":"not an address"}]}],"from":{"email":"danvan@example.org"},"subject":"x","content":[{"type":"text/plain","value":"x"}]}""");
        using var good = JsonDocument.Parse("""{"personalizations":[{"to":[{"email":"a@example.org"}]}],"from":{"email":"danvan@example.org"},"subject":"x","content":[{"type":"text/plain","value":"x"}]}""");

        Assert.NotEmpty(SendGridStub.Validate(missingFrom.RootElement));
        Assert.NotEmpty(SendGridStub.Validate(badAddress.RootElement));
        Assert.Empty(SendGridStub.Validate(good.RootElement));
    }

    [Fact]
    public async Task Without_a_key_every_message_is_written_to_the_outbox_as_a_readable_eml()
    {
        await using var app = await TestApp.StartAsync(Vn(5, 12));
        await SeedAsync(app, Unit("so-tai-chinh", "Sở Tài chính"));

        var runs = await app.Get<DanVan.Reminders.ReminderService>().RunOpenPeriodsAsync("timer");
        await EmailQueueDrain.DrainAsync(app);

        Assert.Equal(1, runs.Sum(r => r.Queued));
        var blobs = new List<string>();
        await foreach (var blob in app.Store.Outbox.GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal(2, blobs.Count);
        Assert.All(blobs, b => Assert.Matches(@"^20260512/\d{6}-[0-9a-f]{16}\.eml$", b));
        var emls = new List<string>();
        foreach (var name in blobs)
        {
            emls.Add(Encoding.UTF8.GetString((await app.Store.Outbox.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray()));
        }

        var reminder = Assert.Single(emls, e => e.Contains("To: so-tai-chinh@example.org"));
        Assert.Contains("Content-Type: multipart/alternative", reminder);
        Assert.Contains("Content-Type: text/plain; charset=utf-8", reminder);
        Assert.Contains("Kính gửi: Sở Tài chính", reminder);
        Assert.Contains("trước 00:00 ngày 15/05/2026", reminder);
        Assert.Contains("Subject: =?UTF-8?B?", reminder);
        var subject = string.Concat(System.Text.RegularExpressions.Regex.Matches(reminder, @"=\?UTF-8\?B\?([^?]+)\?=")
            .Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value))));
        Assert.Contains("Nhắc nộp Báo cáo 06 tháng năm 2026", subject);
        Assert.Single(emls, e => e.Contains("To: so-noi-vu@example.org"));
        Assert.Equal(0, stub.Requests);
    }

    [Fact]
    public async Task A_receipt_email_carries_the_file_facts_and_passes_SendGrid_s_schema()
    {
        await using var app = await StartAsync(stub, Vn(5, 10));
        var receipt = new ReceiptEmail(
            "so-tai-chinh",
            "Sở Tài chính",
            ["so-tai-chinh@example.org"],
            "2026-H1",
            "Báo cáo 06 tháng năm 2026",
            new DateTimeOffset(2026, 5, 15, 0, 0, 0, TimeSpan.FromHours(7)),
            2,
            "Báo cáo <6 tháng> & dân vận.pdf",
            2_621_440,
            new string('a', 64),
            new DateTimeOffset(2026, 5, 10, 9, 30, 15, TimeSpan.FromHours(7)),
            true);

        var outcome = await app.Get<ReceiptEmails>().SendAsync(receipt);
        Assert.Equal(EmailResult.Queued, outcome.Result);
        Assert.Empty(stub.Received);
        await EmailQueueDrain.DrainAsync(app);

        var mail = Assert.Single(stub.Received);
        Assert.Contains("Tên tệp: Báo cáo <6 tháng> & dân vận.pdf", mail.Text);
        Assert.Contains("Báo cáo &lt;6 tháng&gt; &amp; dân vận.pdf", mail.Html);
        Assert.Contains("Dung lượng: 2.621.440 byte (2,5 MB)", mail.Text);
        Assert.Contains("Thời điểm nhận (giờ Việt Nam): 10/05/2026 09:30:15", mail.Text);
        Assert.Contains("Thời hạn: Đúng hạn", mail.Text);
        Assert.Contains(new string('a', 64), mail.Text);
        Assert.Equal("[DanVan] Đã nhận Báo cáo 06 tháng năm 2026 của Sở Tài chính (phiên bản 2)", mail.Subject);
        Assert.Empty(stub.Violations);
    }
}
