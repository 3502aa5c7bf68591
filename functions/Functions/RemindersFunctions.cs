using DanVan.Auth;
using DanVan.Http;
using DanVan.Periods;
using DanVan.Reminders;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

/// <summary>Deadline reminders: the daily timer and the admin's "who would be reminded / send now".</summary>
public sealed class RemindersFunctions(Authenticator auth, PeriodCatalog periods, ReminderService reminders)
{
    /// <summary>Daily at 08:00 Vietnam time by default (<c>REMINDER_SCHEDULE</c> = <c>0 0 1 * * *</c>, UTC).</summary>
    [Function(nameof(RemindersTimer))]
    public Task RemindersTimer([TimerTrigger("%REMINDER_SCHEDULE%")] TimerInfo timer, CancellationToken ct) =>
        reminders.RunOpenPeriodsAsync("timer", ct);

    [Function(nameof(SendReminders))]
    public async Task<IActionResult> SendReminders(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "periods/{periodId}/reminders")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var dryRun = QueryValues.Flag(request, "dryRun");
        var period = periods.Get(periodId);
        var run = await reminders.RunAsync(period, dryRun, caller.Actor, ct);
        return ApiResults.Json(ReminderRunView.From(run));
    }
}

/// <summary>A reminder run as answered: its stage (or why it skipped) and one line per unit.</summary>
public sealed record ReminderRunView(string PeriodId, bool DryRun, string? Stage, string? Skipped, IEnumerable<ReminderLineView> Reminders)
{
    public static ReminderRunView From(ReminderRun run) => new(
        run.PeriodId,
        run.DryRun,
        run.Stage,
        run.Skipped,
        run.Reminders.Select(r => new ReminderLineView(r.UnitCode, r.UnitName, r.Stage, r.To, r.Cc, r.Status, r.Reason, r.MessageId)));
}

public sealed record ReminderLineView(string UnitCode, string UnitName, string Stage, IReadOnlyList<string> To, IReadOnlyList<string> Cc, string Status, string? Reason, string? MessageId);
