using DanVan.Email;
using DanVan.Functions;
using DanVan.Reminders;
using DanVan.Tests.Email;
using DanVan.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static DanVan.Tests.Reminders.ReminderTestKit;

namespace DanVan.Tests.Reminders;

/// <summary>POST /api/periods/{periodId}/reminders: the admin's view of the same rules the timer uses.</summary>
public sealed class RemindersFunctionTests : IAsyncLifetime
{
    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    private static Task<TestResponse> PostAsync(TestApp app, string? query, string bearer = TestApp.AdminToken, string periodId = PeriodId) =>
        TestHttp.InvokeAsync(
            TestHttp.Request("POST", $"/api/periods/{periodId}/reminders", bearer, query: query),
            r => ActivatorUtilities.CreateInstance<RemindersFunctions>(app.Services).SendReminders(r, periodId, CancellationToken.None));

    private static async Task<TestApp> StartWithFunctionAsync(SendGridStub stub, DateTimeOffset now)
    {
        var app = await StartAsync(stub, now);
        return app;
    }

    [Fact]
    public async Task A_dry_run_lists_who_would_be_reminded_sends_nothing_and_writes_no_ledger_row()
    {
        await using var app = await StartWithFunctionAsync(stub, Vn(5, 18));
        await SeedAsync(app, Unit("so-tai-chinh", "Sở Tài chính", "giam-doc@example.org"), Unit("so-y-te", "Sở Y tế"));
        await MarkSubmittedAsync(app, "so-y-te");

        var dry = await PostAsync(app, "dryRun=true");

        Assert.Equal(200, dry.Status);
        Assert.True(dry.Json.GetProperty("dryRun").GetBoolean());
        Assert.Equal("after-3", dry.Json.GetProperty("stage").GetString());
        var line = Assert.Single(dry.Json.GetProperty("reminders").EnumerateArray());
        Assert.Equal("so-tai-chinh", line.GetProperty("unitCode").GetString());
        Assert.Equal("would_send", line.GetProperty("status").GetString());
        Assert.Equal(["so-tai-chinh@example.org"], line.GetProperty("to").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["giam-doc@example.org", "so-noi-vu@example.org"], line.GetProperty("cc").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, stub.Requests);
        Assert.Empty(await app.Get<EmailLedger>().ForPeriodAsync(PeriodId));

        var real = await PostAsync(app, null);
        Assert.False(real.Json.GetProperty("dryRun").GetBoolean());
        Assert.Equal("queued", Assert.Single(real.Json.GetProperty("reminders").EnumerateArray()).GetProperty("status").GetString());
        Assert.Equal(0, stub.Requests);
        await EmailQueueDrain.DrainAsync(app);
        Assert.Single(stub.Reminders);

        var after = await PostAsync(app, "dryRun=true");
        Assert.Equal("already_sent", Assert.Single(after.Json.GetProperty("reminders").EnumerateArray()).GetProperty("status").GetString());
        Assert.Single(stub.Reminders);
    }

    [Fact]
    public async Task A_reminder_whose_outcome_is_unknown_is_listed_as_unknown_with_a_Vietnamese_reason_and_not_sent()
    {
        await using var app = await StartWithFunctionAsync(stub, Vn(5, 8));
        await SeedAsync(app, Unit("so-tai-chinh", "Sở Tài chính"), Unit("so-y-te", "Sở Y tế"));
        var ledger = app.Get<EmailLedger>();
        // A sender took the message, recorded its attempt (the request may have reached SendGrid) and died mid-send.
        var claim = await ledger.ClaimAsync(PeriodId, "so-tai-chinh", "before-7", "so-tai-chinh@example.org", null, "timer", default);
        var permit = await ledger.BeginSendAsync(claim.Row!.PartitionKey, claim.Row.RowKey, claim.Row.ClaimId!, default);
        Assert.True(permit.Granted);
        Assert.NotNull(await ledger.BeginAttemptAsync(permit.Row!, default));
        app.Clock.Advance(ledger.AbandonedAfter + TimeSpan.FromMinutes(1));

        var dry = await PostAsync(app, "dryRun=true");
        var real = await PostAsync(app, null);
        await EmailQueueDrain.DrainAsync(app);

        foreach (var answer in new[] { dry, real })
        {
            Assert.Equal(200, answer.Status);
            var line = answer.Json.GetProperty("reminders").EnumerateArray().Single(r => r.GetProperty("unitCode").GetString() == "so-tai-chinh");
            Assert.Equal("unknown", line.GetProperty("status").GetString());
            Assert.Equal("Chưa rõ kết quả — kiểm tra nhật ký gửi (SendGrid activity)", line.GetProperty("reason").GetString());
        }

        Assert.Equal("so-y-te", Assert.Single(stub.Reminders).Arg("unitCode"));
    }

    [Fact]
    public async Task Only_the_admin_may_call_it_and_bad_input_is_a_problem()
    {
        await using var app = await StartWithFunctionAsync(stub, Vn(5, 8));

        Assert.Equal(401, (await PostAsync(app, "dryRun=true", bearer: "wrong-token-value")).Status);
        Assert.Equal("unknown_period", (await PostAsync(app, "dryRun=true", periodId: "2026-Q9")).Code);
        Assert.Equal("invalid_parameter", (await PostAsync(app, "dryRun=maybe")).Code);
        Assert.Equal(0, stub.Requests);
    }
}
