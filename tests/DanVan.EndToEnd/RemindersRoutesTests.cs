using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;

namespace DanVan.EndToEnd;

/// <summary>Reminders through the real worker: the dry-run route, the timer via the admin route, SendGrid.</summary>
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
        var mails = danvan.SendGrid.Reminders.Where(m => m.Arg("unitCode") == code && m.Arg("periodId") == periodId).ToList();
        var mail = Assert.Single(mails);
        Assert.Equal([$"{code}@example.org"], mail.To);
        Assert.Equal(stage, mail.Arg("stage"));
        Assert.Contains("Sở Thử nghiệm đầu cuối", mail.Text);
        Assert.Empty(danvan.SendGrid.Violations);
        var ledger = await danvan.Table("reminders").GetEntityAsync<TableEntity>(periodId, $"{code}~{stage}");
        Assert.Equal(mail.MessageId, ledger.Value.GetString("MessageId"));
    }

    [Fact]
    public async Task A_dry_run_lists_the_unit_and_sends_nothing()
    {
        var (code, _) = await danvan.UnitWithTokenAsync("nhac");
        var before = danvan.SendGrid.Requests;

        var (periodId, stage) = await DueStageAsync(code);

        Assert.Equal(before, danvan.SendGrid.Requests);
        Assert.False(string.IsNullOrEmpty(stage));
        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => danvan.Table("reminders").GetEntityAsync<TableEntity>(periodId, $"{code}~{stage}"));
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
