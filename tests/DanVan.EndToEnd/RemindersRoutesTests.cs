using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using DanVan.EndToEnd.Support;

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

        using var asUnit = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Post, "api/periods/2026-H1/reminders?dryRun=true"));
        using var anonymous = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Post, "api/periods/2026-H1/reminders?dryRun=true"));

        Assert.Equal(HttpStatusCode.Forbidden, asUnit.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    /// <summary>The newest open period in which the dry run would remind <paramref name="code"/>, and at which stage.</summary>
    private async Task<(string PeriodId, string Stage)> DueStageAsync(string code)
    {
        using var list = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, "api/periods"));
        var periods = (await list.ReadJsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Where(p => p.GetProperty("isOpen").GetBoolean())
            .Select(p => p.GetProperty("id").GetString()!)
            .Reverse()
            .ToList();
        foreach (var periodId in periods)
        {
            using var dry = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/periods/{periodId}/reminders?dryRun=true"));
            var body = await dry.ReadJsonAsync(HttpStatusCode.OK);
            Assert.True(body.GetProperty("dryRun").GetBoolean());
            var mine = body.GetProperty("reminders").EnumerateArray().FirstOrDefault(r => r.GetProperty("unitCode").GetString() == code);
            if (mine.ValueKind == JsonValueKind.Object)
            {
                return (periodId, mine.GetProperty("stage").GetString()!);
            }
        }

        throw new InvalidOperationException($"No open period has a reminder stage due for {code} today.");
    }
}
