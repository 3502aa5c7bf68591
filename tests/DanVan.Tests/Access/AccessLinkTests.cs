using System.Text;
using DanVan.Access;
using DanVan.Audit;
using DanVan.Auth;
using DanVan.Email;
using DanVan.Functions;
using DanVan.Registry;
using DanVan.Reminders;
using DanVan.Tests.Email;
using DanVan.Tests.Support;

namespace DanVan.Tests.Access;

/// <summary>
/// Access links by email against Azurite: the credential is issued when the email is sent and lives nowhere else in
/// clear; each request sends once; last use is noted at most once an hour; a unit's resend request answers the same
/// whatever the address and sends at most once an hour per unit.
/// </summary>
public sealed class AccessLinkTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 5, 12, 9, 30, 0, TimeSpan.FromHours(7));

    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    private static async Task<TestApp> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var app = await TestApp.StartAsync(Start, settings);
        await app.Get<UnitRegistry>().ImportAsync(
        [
            Samples.Unit("so-noi-vu", "Sở Nội vụ") with { Emails = ["van.thu@snv.example.org", "lanh.dao@snv.example.org"] },
            Samples.Unit("so-y-te", "Sở Y tế"),
            Samples.Unit("so-khong-email", "Sở Không Email") with { Emails = [] },
            Samples.Unit("ubnd-da-ngung", "UBND huyện Đã Ngừng", activeTo: "2025-06-30"),
        ]);
        return app;
    }

    private static Task<TestResponse> SendLinksAsync(TestApp app, object body, string? key = null)
    {
        var request = TestHttp.Request("POST", "/api/units/access-links", TestApp.AdminToken, body);
        if (key is not null)
        {
            request.Headers["Idempotency-Key"] = key;
        }

        return TestHttp.InvokeAsync(request, r => app.Get<AccessFunctions>().SendAccessLinks(r, default));
    }

    private static Task<TestResponse> ResendAsync(TestApp app, string email) =>
        TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/access-links/resend", json: new { email }), r => app.Get<AccessFunctions>().ResendAccessLink(r, default));

    private static async Task<List<string>> OutboxAsync(TestApp app)
    {
        var emails = new List<string>();
        await foreach (var item in app.Store.Outbox.GetBlobsAsync())
        {
            emails.Add((await app.Store.Outbox.GetBlobClient(item.Name).DownloadContentAsync()).Value.Content.ToString());
        }

        return emails;
    }

    [Fact]
    public async Task Links_to_every_unit_without_access_reach_the_outbox_with_a_working_credential_that_is_stored_nowhere_in_clear()
    {
        await using var app = await StartAsync();

        var response = await SendLinksAsync(app, new { withoutAccess = true });
        var queued = (await EmailQueueDrain.PeekAsync(app)).Select(m => m.Body.ToString()).ToList();
        var drain = await EmailQueueDrain.DrainAsync(app);

        Assert.Equal(200, response.Status);
        var results = response.Json.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("unitCode").GetString()!, r => r.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["so-noi-vu"] = "queued", ["so-y-te"] = "queued", ["so-khong-email"] = "no_address" }, results);
        Assert.Equal(2, response.Json.GetProperty("queued").GetInt32());
        Assert.Equal((2, 0), (drain.Processed, drain.Failed));
        Assert.All(queued, m => Assert.DoesNotContain("dv1.", m));
        Assert.All(queued, m => Assert.Contains("\"kind\":\"access-link\"", m));

        var emails = await OutboxAsync(app);
        Assert.Equal(2, emails.Count);
        var toSnv = Assert.Single(emails, e => e.Contains("van.thu@snv.example.org") && e.Contains("lanh.dao@snv.example.org"));
        var link = System.Text.RegularExpressions.Regex.Match(toSnv, @"http://localhost:7071/api/upload#token=(dv1\.so-noi-vu\.[A-Za-z0-9_-]{43})");
        Assert.True(link.Success, toSnv);
        Assert.DoesNotContain("?token", toSnv);
        Assert.Contains("Gửi lại đường liên kết", toSnv);
        var token = link.Groups[1].Value;
        Assert.Equal("so-noi-vu", await app.Get<CredentialStore>().FindUnitAsync(token));

        // In clear only in the email: not in the credential row, the ledger, or the audit trail.
        var stored = new List<string>();
        await foreach (var e in app.Store.Table<CredentialStore>().QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            stored.AddRange(((IDictionary<string, object>)e).Values.Select(v => v?.ToString() ?? ""));
        }

        await foreach (var e in app.Store.Table<EmailLedger>().QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            stored.AddRange(((IDictionary<string, object>)e).Values.Select(v => v?.ToString() ?? ""));
        }

        var trail = await app.Get<AuditLog>().ListAsync(AuditEntity.NoPeriod);
        stored.AddRange(trail.Select(e => e.Detail ?? ""));
        Assert.DoesNotContain(stored, v => v.Contains(token.Split('.')[2]));
        Assert.Equal(2, trail.Count(e => e.Action == AuditActions.TokenIssue && e.Actor == DanVan.Auth.Actors.BreakGlass));
        Assert.Equal(2, trail.Count(e => e.Action == AuditActions.AccessLinkRequest));
        Assert.Contains(trail, e => e.Action == AuditActions.TokenIssue && e.UnitCode == "so-noi-vu" && e.Detail!.StartsWith("emailed to van.thu@snv.example.org, lanh.dao@snv.example.org; message outbox:", StringComparison.Ordinal));

        // Every unit that has access now is left out of the next "without access" request.
        var again = await SendLinksAsync(app, new { withoutAccess = true });
        Assert.Equal(["so-khong-email"], again.Json.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("unitCode").GetString()));
    }

    [Fact]
    public async Task The_same_request_sent_twice_and_a_message_delivered_twice_send_one_email_through_SendGrid()
    {
        await using var app = await StartAsync(stub.Settings);

        var first = await SendLinksAsync(app, new { units = new[] { "so-y-te" } }, key: "bam-gui-1");
        var second = await SendLinksAsync(app, new { units = new[] { "so-y-te" } }, key: "bam-gui-1");
        var message = Assert.Single(await EmailQueueDrain.PeekAsync(app)).Body.ToString();
        var function = app.Get<EmailFunctions>();
        await EmailQueueDrain.DrainAsync(app);
        await function.SendEmail(message, default);

        Assert.Equal("queued", first.Json.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal("already_requested", second.Json.GetProperty("results")[0].GetProperty("status").GetString());
        var mail = Assert.Single(stub.Received);
        Assert.Equal(["so-y-te@example.org"], mail.To);
        Assert.Contains("access-link", mail.Categories);
        Assert.Contains("/api/upload#token=dv1.so-y-te.", mail.Text);
        Assert.Contains("/api/upload#token=dv1.so-y-te.", mail.Html);
        Assert.Empty(stub.Violations);
        var row = Assert.Single(await app.Get<EmailLedger>().AccessLinksAsync());
        Assert.Equal(EmailStatus.Sent, row.Status);
        var access = Assert.Single(await app.Get<AccessLinks>().OverviewAsync(), a => a.UnitCode == "so-y-te");
        Assert.Equal((EmailStatus.Sent, "so-y-te@example.org"), (access.LinkStatus, access.LinkTo));
        Assert.Equal(Start, access.IssuedAt);
        Assert.Null(access.LastUsedAt);
    }

    [Fact]
    public async Task Last_use_is_recorded_at_most_once_an_hour_per_unit()
    {
        await using var app = await StartAsync();
        var credentials = app.Get<CredentialStore>();
        var token = (await credentials.IssueAsync("so-y-te")).Token;
        async Task<(DateTimeOffset? LastUsed, Azure.ETag ETag)> RowAsync()
        {
            var row = (await app.Store.Table<CredentialStore>().GetEntityAsync<CredentialEntity>(CredentialEntity.Partition, "so-y-te")).Value;
            return (row.LastUsedAt, row.ETag);
        }

        var unused = await RowAsync();
        await credentials.FindUnitAsync(token);
        await credentials.LastUsesWrittenAsync();
        var firstUse = await RowAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(59));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("so-y-te", await credentials.FindUnitAsync(token));
        }

        await credentials.LastUsesWrittenAsync();
        var withinTheHour = await RowAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await credentials.FindUnitAsync(token);
        await credentials.LastUsesWrittenAsync();
        var nextHour = await RowAsync();

        Assert.Null(unused.LastUsed);
        Assert.Equal(Start, firstUse.LastUsed);
        Assert.Equal(firstUse, withinTheHour);
        Assert.Equal(Start.AddHours(1), nextHour.LastUsed);
        var overview = Assert.Single(await app.Get<AccessLinks>().OverviewAsync(), a => a.UnitCode == "so-y-te");
        Assert.Equal((Start, Start.AddHours(1)), (overview.IssuedAt, overview.LastUsedAt));
    }

    [Fact]
    public async Task Recording_last_use_never_holds_the_request_and_a_token_reissued_meanwhile_is_not_marked_used()
    {
        var faults = new StorageFaults();
        await using var app = await TestApp.StartAsync(Start, faults: faults);
        var credentials = app.Get<CredentialStore>();
        var token = (await credentials.IssueAsync("so-y-te")).Token;
        var writesAtStart = faults.Seen(StorageCall.TableWrite);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writeSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        faults.BeforeSend = async (call, _) =>
        {
            if (call == StorageCall.TableWrite && !writeSent.Task.IsCompleted)
            {
                writeSent.TrySetResult();
                await held.Task;
            }
        };

        // The request is answered while storage holds the last-use write.
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(token).WaitAsync(TimeSpan.FromSeconds(10)));
        await writeSent.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var written = credentials.LastUsesWrittenAsync();
        Assert.False(written.IsCompleted);

        // A second request of the same unit meanwhile starts no second write.
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(token));
        var writesBefore = faults.Seen(StorageCall.TableWrite);

        // The token is re-issued while the write is held: the old token's use must not mark the new row.
        faults.BeforeSend = null;
        var reissued = await credentials.IssueAsync("so-y-te");
        held.SetResult();
        await written;

        var row = (await app.Store.Table<CredentialStore>().GetEntityAsync<CredentialEntity>(CredentialEntity.Partition, "so-y-te")).Value;
        Assert.Equal(1, writesBefore - writesAtStart);
        Assert.Null(row.LastUsedAt);
        Assert.Null(await credentials.FindUnitAsync(token));
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(reissued.Token));
        await credentials.LastUsesWrittenAsync();
        Assert.Equal(Start, (await app.Store.Table<CredentialStore>().GetEntityAsync<CredentialEntity>(CredentialEntity.Partition, "so-y-te")).Value.LastUsedAt);
    }

    [Fact]
    public async Task A_resend_request_answers_the_same_for_any_address_and_mails_the_registered_addresses_at_most_once_an_hour()
    {
        await using var app = await StartAsync();

        var registered = await ResendAsync(app, "lanh.dao@snv.example.org");
        var unknown = await ResendAsync(app, "ai.do@example.org");
        var ended = await ResendAsync(app, "ubnd-da-ngung@example.org");
        var repeated = await ResendAsync(app, "VAN.THU@snv.example.org");
        var drain = await EmailQueueDrain.DrainAsync(app);
        var invalid = await ResendAsync(app, "not an address");

        Assert.All([registered, unknown, ended, repeated], r => Assert.Equal(202, r.Status));
        Assert.Equal(registered.Text, unknown.Text);
        Assert.Equal(registered.Text, ended.Text);
        Assert.Equal((400, "validation_failed"), (invalid.Status, invalid.Code));
        Assert.Equal((5, 0), (drain.Processed, drain.Failed)); // four requests, one link email
        var email = Assert.Single(await OutboxAsync(app));
        Assert.Contains("van.thu@snv.example.org", email);
        Assert.Contains("lanh.dao@snv.example.org", email);
        Assert.DoesNotContain("ai.do@example.org", email);

        app.Clock.Advance(TimeSpan.FromHours(1));
        await ResendAsync(app, "lanh.dao@snv.example.org");
        Assert.Equal(2, (await EmailQueueDrain.DrainAsync(app)).Processed);
        Assert.Equal(2, (await OutboxAsync(app)).Count);
        var trail = await app.Get<AuditLog>().ListAsync(AuditEntity.NoPeriod);
        Assert.Equal(2, trail.Count(e => e.Action == AuditActions.AccessLinkRequest && e.Actor == AccessLinks.ResendActor && e.UnitCode == "so-noi-vu"));
    }

    private static Task<TestResponse> ResendFromAsync(TestApp app, string email, string client)
    {
        var request = TestHttp.Request("POST", "/api/access-links/resend", json: new { email });
        request.HttpContext.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(client);
        return TestHttp.InvokeAsync(request, r => app.Get<AccessFunctions>().ResendAccessLink(r, default));
    }

    private static string TokenIn(ReceivedMail mail, string unit) =>
        System.Text.RegularExpressions.Regex.Match(mail.Text, @"#token=(dv1\." + unit + @"\.[A-Za-z0-9_-]{43})").Groups[1].Value;

    [Fact]
    public async Task A_resend_whose_email_fails_leaves_the_units_old_link_working()
    {
        await using var app = await StartAsync(stub.Settings);
        var credentials = app.Get<CredentialStore>();
        await SendLinksAsync(app, new { units = new[] { "so-y-te" } });
        await EmailQueueDrain.DrainAsync(app);
        var old = TokenIn(Assert.Single(stub.Received), "so-y-te");
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(old));
        await credentials.LastUsesWrittenAsync();

        // SendGrid refuses every attempt of every delivery: the message ends in the poison queue.
        stub.FailNext(100, 400);
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(202, (await ResendAsync(app, "so-y-te@example.org")).Status);
        var drain = await EmailQueueDrain.DrainAsync(app);

        Assert.Equal(1, drain.Poisoned);
        Assert.Single(stub.Received);
        var row = Assert.Single(await app.Get<EmailLedger>().AccessLinksOfAsync("so-y-te"), r => r.Actor == AccessLinks.ResendActor);
        Assert.Equal(EmailStatus.Failed, row.Status);
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(old));
        app.Clock.Advance(CredentialStore.PreviousBound - TimeSpan.FromMinutes(1));
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(old));
    }

    [Fact]
    public async Task The_old_link_ends_when_the_new_one_is_first_used_and_the_admins_new_credential_ends_every_other_at_once()
    {
        await using var app = await StartAsync(stub.Settings);
        var credentials = app.Get<CredentialStore>();
        await SendLinksAsync(app, new { units = new[] { "so-y-te" } });
        await EmailQueueDrain.DrainAsync(app);
        var first = TokenIn(stub.Received.Last(), "so-y-te");
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(first));
        await credentials.LastUsesWrittenAsync();
        await SendLinksAsync(app, new { units = new[] { "so-y-te" } });
        await EmailQueueDrain.DrainAsync(app);
        var second = TokenIn(stub.Received.Last(), "so-y-te");

        // Both work until the new one is used; then only the new one.
        Assert.NotEqual(first, second);
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(first));
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(second));
        await credentials.LastUsesWrittenAsync();
        Assert.Null(await credentials.FindUnitAsync(first));
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(second));

        // A third link is never used: the second (the one the unit used) works beside it, until the bound.
        await SendLinksAsync(app, new { units = new[] { "so-y-te" } });
        await EmailQueueDrain.DrainAsync(app);
        var third = TokenIn(stub.Received.Last(), "so-y-te");
        app.Clock.Advance(CredentialStore.PreviousBound + TimeSpan.FromMinutes(1));
        Assert.Null(await credentials.FindUnitAsync(second));
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(third));

        // The admin's explicit new credential revokes every other at once.
        var fourth = await SendLinksAsync(app, new { units = new[] { "so-y-te" } });
        await EmailQueueDrain.DrainAsync(app);
        var emailed = TokenIn(stub.Received.Last(), "so-y-te");
        var issued = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/so-y-te/token", TestApp.AdminToken), r => app.Get<UnitsFunctions>().IssueToken(r, "so-y-te", default));
        Assert.Equal(201, issued.Status);
        Assert.Null(await credentials.FindUnitAsync(third));
        Assert.Null(await credentials.FindUnitAsync(emailed));
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(issued.Json.GetProperty("token").GetString()!));
        Assert.Equal(200, fourth.Status);
    }

    [Fact]
    public async Task Twenty_anonymous_resends_in_an_hour_send_at_most_one_email_and_the_units_credential_still_works()
    {
        await using var app = await StartAsync(stub.Settings);
        var credentials = app.Get<CredentialStore>();
        var token = (await credentials.IssueAsync("so-y-te")).Token;
        app.Clock.Advance(TimeSpan.FromMinutes(20)); // 09:50: the hour's turn falls among the requests

        var answers = new List<TestResponse>();
        for (var i = 0; i < 20; i++)
        {
            answers.Add(await ResendFromAsync(app, "so-y-te@example.org", $"203.0.113.{i + 1}"));
            await EmailQueueDrain.DrainAsync(app);
            app.Clock.Advance(TimeSpan.FromMinutes(3));
        }

        Assert.All(answers, a => Assert.Equal(202, a.Status));
        var mail = Assert.Single(stub.Received);
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(token));
        Assert.Equal("so-y-te", await credentials.FindUnitAsync(TokenIn(mail, "so-y-te")));
    }

    [Fact]
    public async Task One_client_gets_a_few_resends_then_429_whatever_the_address()
    {
        await using var app = await StartAsync();
        var answers = new List<TestResponse>();
        for (var i = 0; i < ResendLimiter.Burst + 2; i++)
        {
            answers.Add(await ResendFromAsync(app, i % 2 == 0 ? "so-y-te@example.org" : "ai.do@example.org", "198.51.100.7"));
        }

        var other = await ResendFromAsync(app, "so-y-te@example.org", "198.51.100.8");
        app.Clock.Advance(ResendLimiter.Refill);
        var later = await ResendFromAsync(app, "ai.do@example.org", "198.51.100.7");

        Assert.All(answers.Take(ResendLimiter.Burst), a => Assert.Equal(202, a.Status));
        Assert.All(answers.Skip(ResendLimiter.Burst), a => Assert.Equal((429, "too_many_requests"), (a.Status, a.Code)));
        Assert.All(answers.Skip(ResendLimiter.Burst), a => Assert.True(int.Parse(a.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) > 0));
        Assert.Equal(202, other.Status);
        Assert.Equal(202, later.Status);
    }

    [Fact]
    public async Task A_resend_is_answered_before_anything_about_the_address_is_read_and_the_queue_holds_only_its_hash()
    {
        var faults = new StorageFaults();
        await using var app = await TestApp.StartAsync(Start, faults: faults);
        await app.Get<UnitRegistry>().ImportAsync([Samples.Unit("so-y-te", "Sở Y tế")]);
        var reads = (faults.Seen(StorageCall.TableRead), faults.Seen(StorageCall.TableTransaction), faults.Seen(StorageCall.TableWrite), faults.Seen(StorageCall.BlobRead));

        var registered = await ResendAsync(app, "so-y-te@example.org");
        var unknown = await ResendAsync(app, "ai.do@example.org");

        // Neither answer read or wrote a table or a blob: both were one queue write, the same for any address.
        Assert.Equal(reads, (faults.Seen(StorageCall.TableRead), faults.Seen(StorageCall.TableTransaction), faults.Seen(StorageCall.TableWrite), faults.Seen(StorageCall.BlobRead)));
        Assert.Equal(registered.Text, unknown.Text);
        var queued = (await EmailQueueDrain.PeekAsync(app)).Select(m => m.Body.ToString()).ToList();
        Assert.Equal(2, queued.Count);
        Assert.All(queued, m => Assert.DoesNotContain("@", m));
        Assert.Contains(queued, m => m.Contains(AccessLinks.AddressHash("so-y-te@example.org"), StringComparison.Ordinal));
        Assert.Equal(registered.Body.Length, unknown.Body.Length);

        var drain = await EmailQueueDrain.DrainAsync(app);
        Assert.Equal((3, 0), (drain.Processed, drain.Failed)); // two requests, one link email
        Assert.Equal("so-y-te@example.org", Assert.Single(await app.Get<EmailLedger>().AccessLinksAsync()).To);
    }

    [Fact]
    public void Reminders_tell_the_unit_how_to_get_a_new_link()
    {
        var values = new Dictionary<string, string>
        {
            ["unitName"] = "Sở Y tế", ["periodTitle"] = "Báo cáo 06 tháng năm 2026", ["deadline"] = "trước 00:00 ngày 15/05/2026", ["daysLeft"] = "3",
            ["daysOverdue"] = "3", ["status"] = "Chưa nộp", ["uploadUrl"] = "http://localhost:7071/api/upload", ["stage"] = "before-3",
        };

        foreach (var template in new[] { "reminder-before", "reminder-overdue" })
        {
            var rendered = EmailTemplates.Render(template, values);
            Assert.Contains("\"Gửi lại đường liên kết\"", rendered.Text);
            Assert.Contains("Gửi lại đường liên kết", rendered.Html);
            Assert.Contains("địa chỉ email đã đăng ký", rendered.Text);
        }
    }
}
