using DanVan.Auth;
using DanVan.Email;
using DanVan.Http;
using DanVan.Reminders;
using DanVan.Storage;
using DanVan.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DanVan.Functions;

/// <summary>The email queue's sender, and what the admin sees of the emails that could not be sent.</summary>
public sealed class EmailFunctions(Authenticator auth, EmailSender sender, EmailQueue queue, DanVanTelemetry telemetry, ReminderLedger ledger, ILogger<EmailFunctions> logger)
{
    /// <summary>
    /// Sends one queued receipt, reminder or digest. The queue is <c>%EMAIL_QUEUE%</c> (= StorageNames.EmailQueue,
    /// checked at start) on the <c>DanVanStorage</c> connection (<c>DanVanStorage__queueServiceUri</c> with the
    /// managed identity in Azure). A throw makes the host try again; after <c>maxDequeueCount</c> (host.json) the
    /// message goes to <c>{queue}-poison</c>.
    /// </summary>
    [Function(nameof(SendEmail))]
    public Task SendEmail(
        [QueueTrigger("%" + StorageNames.EmailQueueSetting + "%", Connection = DanVanServiceCollectionExtensions.StorageConnection)] string message,
        CancellationToken ct) =>
        sender.ProcessAsync(message, ct);

    /// <summary>How many emails ended in the poison queue (could not be sent), with the first few.</summary>
    [Function(nameof(ListFailedEmails))]
    public async Task<IActionResult> ListFailedEmails(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "emails/failed")] HttpRequest request,
        CancellationToken ct)
    {
        await auth.RequireAdminAsync(request, ct);
        var poisoned = await queue.PoisonedAsync(ct);
        return ApiResults.Json(new { poisoned.Count, Emails = poisoned.First });
    }

    /// <summary>
    /// Hourly (at half past): how many emails are in the poison queue, as the <c>EmailsPoisoned</c> event the
    /// "emails failing" alert reads (infra/modules/alerts.bicep). The count is reported even when zero, so the
    /// alert clears once the queue has been dealt with.
    /// </summary>
    [Function(nameof(CountPoisonedEmails))]
    public async Task CountPoisonedEmails([TimerTrigger("0 30 * * * *")] TimerInfo timer, CancellationToken ct) =>
        telemetry.EmailsPoisoned((await queue.PoisonedAsync(ct)).Count);

    /// <summary>
    /// Hourly (at a quarter past): the email ledger's sweep (<see cref="ReminderLedger.SweepAsync"/>): rows stuck
    /// <c>queued</c> or <c>sending</c> before their attempt become <c>failed</c> (safely sent again), rows whose sender
    /// stopped after its attempt become <c>unknown</c>.
    /// </summary>
    [Function(nameof(SweepEmailLedger))]
    public async Task SweepEmailLedger([TimerTrigger("0 15 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        var swept = await ledger.SweepAsync(ct);
        logger.LogInformation("Email ledger sweep: {NeverAttempted} never attempted (failed, to be sent again), {Unknown} unknown", swept.NeverAttempted, swept.Unknown);
    }
}
