using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;

namespace DanVan.EndToEnd;

/// <summary>
/// Reminders through the real worker: the dry-run route, the timer via the admin route; the email queue, run by the
/// test host's queue trigger, to SendGrid.
/// </summary>
[Collection(DanVanHostCollection.Name)]
public sealed class RemindersRoutesTests(DanVanHost danvan)
{
    [Fact]
    public async Task The_reminder_timer_emails_a_missing_unit_once_through_SendGrid_and_records_it_in_the_ledger()
    {
        var (code, _) = await danvan.UnitWithTokenAsync("nhac");
        var (periodId, stage) = await DueStageAsync(code);

        var first = await danvan.RunTimerAsync("RemindersTimer");
        var second = await danvan.RunTimerAsync("RemindersTimer");

        Assert.True(first.Succeeded, first.Error);
        Assert.True(second.Succeeded, second.Error);
        // The timer only queues: the host's queue trigger runs the sender, which mails it.
        var mail = await WaitForReminderAsync(code, periodId);
        await Task.Delay(TimeSpan.FromSeconds(3)); // time enough for a second email, were one to come
        var mails = danvan.SendGrid.Reminders.Where(m => m.Arg("unitCode") == code && m.Arg("periodId") == periodId).ToList();
        Assert.Equal(mail, Assert.Single(mails));
        Assert.Equal([$"{code}@example.org"], mail.To);
        Assert.Equal(stage, mail.Arg("stage"));
        Assert.Contains("Sở Thử nghiệm đầu cuối", mail.Text);
        Assert.Empty(danvan.SendGrid.Violations);
        var ledger = await WaitForLedgerAsync(periodId, $"{code}~{stage}");
        Assert.Equal(("sent", mail.MessageId), (ledger.GetString("Status"), ledger.GetString("MessageId")));
    }

    [Fact]
    public async Task The_admin_route_answers_queued_and_the_queue_trigger_sends_each_unit_s_reminder_once()
    {
        var units = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            units.Add((await danvan.UnitWithTokenAsync("hang")).Code);
        }

        var period = SamplePlan.Overdue(SuiteClock.Now)[0];
        using var send = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/periods/{period.Id}/reminders"));
        var body = await send.ReadJsonAsync(HttpStatusCode.OK);
        var lines = body.GetProperty("reminders").EnumerateArray().Where(r => units.Contains(r.GetProperty("unitCode").GetString()!)).ToList();

        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal("queued", l.GetProperty("status").GetString()));
        foreach (var code in units)
        {
            await WaitForReminderAsync(code, period.Id);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.All(units, code => Assert.Single(danvan.SendGrid.Reminders, m => m.Arg("unitCode") == code && m.Arg("periodId") == period.Id));
        Assert.Empty(danvan.SendGrid.Violations);
    }

    /// <summary>The reminder the queue-triggered sender mails to a unit, waited for at most 30 s.</summary>
    private async Task<Tests.Email.ReceivedMail> WaitForReminderAsync(string code, string periodId)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (danvan.SendGrid.Reminders.FirstOrDefault(m => m.Arg("unitCode") == code && m.Arg("periodId") == periodId) is { } mail)
            {
                return mail;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No reminder for {code} in {periodId} within 30 s. Host log:\n{string.Join("\n", danvan.Logs.TakeLast(80))}");
    }

    /// <summary>A ledger row once the sender recorded its outcome (no longer queued or sending), waited for at most 30 s.</summary>
    private async Task<TableEntity> WaitForLedgerAsync(string partitionKey, string rowKey)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var row = (await danvan.Table("emailledger").GetEntityAsync<TableEntity>(partitionKey, rowKey)).Value;
            if (row.GetString("Status") is not ("queued" or "sending") || waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                return row;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_dry_run_lists_the_unit_and_sends_nothing()
    {
        var (code, _) = await danvan.UnitWithTokenAsync("nhac");

        var (periodId, stage) = await DueStageAsync(code);
        // Other tests' emails may still be leaving through the queue: what matters is that none is this unit's.
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.DoesNotContain(danvan.SendGrid.Reminders, m => m.Arg("unitCode") == code);
        Assert.False(string.IsNullOrEmpty(stage));
        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => danvan.Table("emailledger").GetEntityAsync<TableEntity>(periodId, $"{code}~{stage}"));
    }

    [Fact]
    public async Task Reminders_are_admin_only()
    {
        var (_, token) = await danvan.UnitWithTokenAsync("nhac");

        using var asUnit = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Post, $"api/periods/{SamplePlan.Current(SuiteClock.Now).Id}/reminders?dryRun=true"));
        using var anonymous = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Post, $"api/periods/{SamplePlan.Current(SuiteClock.Now).Id}/reminders?dryRun=true"));

        Assert.Equal(HttpStatusCode.Forbidden, asUnit.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    /// <summary>
    /// The reminder due for a new unit at the suite's instant, worked out from the plan: the latest overdue
    /// period, at the stage "after-N" for N whole days overdue (the suites' settings have a stage every day);
    /// then checked against the dry run, which must list it with its addresses and send nothing.
    /// </summary>
    private async Task<(string PeriodId, string Stage)> DueStageAsync(string code)
    {
        var period = SamplePlan.Overdue(SuiteClock.Now)[0];
        var stage = $"after-{SamplePlan.DaysOverdue(period, SuiteClock.Now)}";

        using var dry = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/periods/{period.Id}/reminders?dryRun=true"));
        var body = await dry.ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(body.GetProperty("dryRun").GetBoolean());
        Assert.Equal(stage, body.GetProperty("stage").GetString());
        var mine = body.GetProperty("reminders").EnumerateArray().Single(r => r.GetProperty("unitCode").GetString() == code);
        Assert.Equal(stage, mine.GetProperty("stage").GetString());
        Assert.Equal([$"{code}@example.org"], mine.GetProperty("to").EnumerateArray().Select(e => e.GetString()));
        return (period.Id, stage);
    }
}
