using DanVan.Audit;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Email;
using DanVan.Http;
using DanVan.Storage;
using DanVan.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DanVan.Functions;

/// <summary>The email queue's sender, and what the admin sees of the emails that could not be sent.</summary>
/// <summary>Which email an officer sends again: its ledger row, as <c>GET /api/emails/failed</c> lists it.</summary>
public sealed record EmailResendRequest(string? PartitionKey, string? RowKey);

/// <summary>One email whose outcome is unknown, for the dashboard.</summary>
public sealed record UnknownEmail(string PartitionKey, string RowKey, string Kind, string PeriodId, string? UnitCode, string? Stage, string To, string? Reason, DateTimeOffset? AttemptedAt);

public sealed class EmailFunctions(Authenticator auth, EmailSender sender, EmailQueue queue, DanVanTelemetry telemetry, EmailLedger ledger, AuditLog audit, ILogger<EmailFunctions> logger)
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
        await auth.RequireAsync(request, ct);
        var poisoned = await queue.PoisonedAsync(ct);
        var emails = new List<PoisonedEmail>();
        foreach (var p in poisoned.First)
        {
            var row = p is { PartitionKey: { } pk, RowKey: { } rk } ? await ledger.FindAsync(pk, rk, ct) : null;
            emails.Add(p with { Reason = row?.Reason });
        }

        var unknown = (await ledger.UnknownAsync(ct)).Select(r => new UnknownEmail(
            r.PartitionKey, r.RowKey, r.Kind, r.PeriodId, r.UnitCode.Length > 0 ? r.UnitCode : null, r.Stage.Length > 0 ? r.Stage : null,
            r.To.Replace(";", ", ", StringComparison.Ordinal), r.Reason ?? ReminderLineStatusReason, r.AttemptedAt ?? r.SendingAt)).ToList();
        return ApiResults.Json(new FailedEmailsAnswer(poisoned.Count, emails, unknown));
    }

    private const string ReminderLineStatusReason = "outcome unknown: the sender stopped after its request to SendGrid";

    /// <summary>
    /// An officer, having checked SendGrid's activity, sends one poisoned or unknown email again: the ledger row becomes
    /// <c>failed</c> under its claim and the email (kept for an unknown outcome, or taken from the poison queue) goes back
    /// on the queue, which sends it once. Audited with the officer. Without a kept email (a sender that stopped before
    /// recording) the row is released only: a reminder run claims it again while its stage is due.
    /// </summary>
    [Function(nameof(ResendEmail))]
    public async Task<IActionResult> ResendEmail(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "emails/resend")] HttpRequest request,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var body = await RequestJson.ReadAsync<EmailResendRequest>(request, maxBytes: 4096, ct: ct);
        if (body is not { PartitionKey.Length: > 0 and <= 200, RowKey.Length: > 0 and <= 200 })
        {
            throw DomainException.Invalid("Chưa chọn thư cần gửi lại.", [new Violation(null, "rowKey", "required", "Cần partitionKey và rowKey của thư, như danh sách thư lỗi trả về.")]);
        }

        (EmailLedgerRow? Row, string? Status) released;
        try
        {
            released = await ledger.ReleaseAsync(body.PartitionKey!, body.RowKey!, caller.Actor, ct);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 412)
        {
            throw RefusalCodes.EmailChanged.Because("Trạng thái của thư vừa thay đổi. Vui lòng tải lại danh sách.");
        }

        if (released.Row is not { } row)
        {
            throw released.Status is null
                ? Problems.NotFound("Không có thư này trong sổ gửi thư.")
                : RefusalCodes.EmailNotResendable.Because($"Thư đang ở trạng thái \"{released.Status}\": chỉ gửi lại thư chưa rõ kết quả hoặc gửi không thành công.");
        }

        var message = await queue.HeldAsync(row.PartitionKey, row.RowKey, ct) ?? await queue.TakePoisonedAsync(row.PartitionKey, row.RowKey, ct);
        var requeued = message is not null;
        if (message is not null)
        {
            await queue.RequeueAsync(message with { ClaimId = row.ClaimId! }, ct);
            await queue.TakeHeldAsync(row.PartitionKey, row.RowKey, ct);
        }

        await audit.RecordAsync(caller, AuditActions.EmailResend, row.PeriodId, row.UnitCode.Length > 0 ? row.UnitCode : null,
            $"{row.Kind} {row.RowKey} to {row.To.Replace(";", ", ", StringComparison.Ordinal)}; was {released.Status}; " + (requeued ? "queued again" : "released for the next reminder run"), ct);
        return ApiResults.Json(new EmailResendAnswer(row.PartitionKey, row.RowKey, released.Status, requeued), StatusCodes.Status202Accepted);
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
    /// Hourly (at a quarter past): the email ledger's sweep (<see cref="EmailLedger.SweepAsync"/>): rows stuck
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

/// <summary>Emails that failed: how many are in the poison queue, the first of them, and the ledger's unknown outcomes.</summary>
public sealed record FailedEmailsAnswer(int Count, List<PoisonedEmail> Emails, List<UnknownEmail> Unknown);

/// <summary>An email sent again: its ledger keys, the state it was in, and whether it went back on the queue.</summary>
public sealed record EmailResendAnswer(string PartitionKey, string RowKey, string? Was, bool Queued);
