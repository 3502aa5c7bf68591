using System.Net;
using DanVan.EndToEnd.Support;
using DanVan.Telemetry;
using DanVan.Tests.Email;
using DanVan.Tests.Support;

namespace DanVan.EndToEnd;

/// <summary>
/// What the people who run DanVan see, through the real worker: the health route, DanVan's events in the worker's
/// log (what Application Insights receives as custom events), and no credential or email text in any log line.
/// </summary>
[Collection(DanVanHostCollection.Name)]
public sealed class OperationsTests(DanVanHost danvan)
{
    [Fact]
    public async Task Health_is_anonymous_and_answers_200_with_nothing_but_its_status()
    {
        using var response = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, "api/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task A_full_run_reports_its_events_with_their_dimensions_and_no_log_line_holds_a_credential_or_an_email_s_text()
    {
        var (code, token) = await danvan.UnitWithTokenAsync("ops");
        // The unit is reminded about the newest overdue period (within the reminder stages) and uploads to another
        // one: the current period, or, on days when the current period is that overdue one, an older period (late).
        var overdue = SamplePlan.Overdue(SuiteClock.Now)[0].Id;
        var current = SamplePlan.Current(SuiteClock.Now).Id is var now && now != overdue ? now : SamplePlan.Overdue(SuiteClock.Now)[1].Id;

        await danvan.UploadAsync(token, current);
        using var refused = await danvan.SendAsync(Scenario.UploadRequest(token, current, pdf: []));
        var refusal = (await refused.Content.ReadAsStringAsync(), (int)refused.StatusCode);
        var timer = await danvan.RunTimerAsync("RemindersTimer");
        var mails = new[]
        {
            await WaitForMailAsync(m => !m.IsReminder && !m.IsDigest && m.Arg("unitCode") == code),
            await WaitForMailAsync(m => m.IsReminder && m.Arg("unitCode") == code && m.Arg("periodId") == overdue),
        };
        var reminderStage = mails[1].Arg("stage");
        await Task.Delay(TimeSpan.FromSeconds(2)); // the sender's own lines after SendGrid answered
        var logs = danvan.Logs;

        Assert.True(timer.Succeeded, timer.Error);
        Assert.InRange(refusal.Item2, 400, 499);
        var refusedCode = System.Text.Json.JsonDocument.Parse(refusal.Item1).RootElement.GetProperty("code").GetString();
        Assert.Contains(logs, l => Event(l, DanVanTelemetry.Events.UploadAccepted, $"periodId={current}", $"unitCode={code}", "version=1", "created=true"));
        Assert.Contains(logs, l => Event(l, DanVanTelemetry.Events.UploadRefused, $"periodId={current}", $"unitCode={code}", $"code={refusedCode}", $"status={refusal.Item2}"));
        Assert.Contains(logs, l => Event(l, DanVanTelemetry.Events.TimerRun, "timer=RemindersTimer", "outcome=succeeded", "durationMs="));
        Assert.Contains(logs, l => Event(l, DanVanTelemetry.Events.EmailSent, "kind=receipt", $"unitCode={code}"));
        Assert.Contains(logs, l => Event(l, DanVanTelemetry.Events.EmailSent, "kind=reminder", $"periodId={overdue}", $"unitCode={code}", $"stage={reminderStage}"));

        string[] secrets = [DanVanHost.AdminToken, token, SendGridStub.ApiKey];
        Assert.All(secrets, secret => Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal)));
        foreach (var mail in mails)
        {
            var bodyLines = mail.Text.Split('\n').Select(l => l.Trim()).Where(l => l.Length >= 20).ToList();
            Assert.NotEmpty(bodyLines);
            Assert.All(bodyLines, line => Assert.DoesNotContain(logs, l => l.Contains(line, StringComparison.Ordinal)));
            Assert.DoesNotContain(logs, l => l.Contains(mail.Subject, StringComparison.Ordinal));
        }
    }

    /// <summary>One of DanVan's events as the worker logged it: "Worker.DanVan.Events: {name} key=value …".</summary>
    private static bool Event(string line, string name, params string[] dimensions)
    {
        var at = line.IndexOf($"{DanVanTelemetry.Category}: {name} ", StringComparison.Ordinal);
        return at >= 0 && dimensions.All(d => line.AsSpan(at).Contains($" {d}", StringComparison.Ordinal));
    }

    private async Task<ReceivedMail> WaitForMailAsync(Func<ReceivedMail, bool> which)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (danvan.SendGrid.Received.FirstOrDefault(which) is { } mail)
            {
                return mail;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The email did not arrive within 30 s. Host log:\n{string.Join("\n", danvan.Logs.TakeLast(80))}");
    }
}
