using Azure.Storage.Blobs.Specialized;
using DanVan.Audit;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Email;
using DanVan.Periods;
using DanVan.Storage;
using DanVan.Submissions;
using Microsoft.Extensions.Logging;

namespace DanVan.Uploads;

/// <summary>
/// What follows once an upload's blob exists, whichever path wrote it (<see cref="UploadService"/>): the version appended
/// (or the receipt of an earlier or concurrent upload with the same Idempotency-Key, or of the identical latest version),
/// its audit record and its receipt email.
/// </summary>
public sealed class UploadVersions(SubmissionStore submissions, AuditLog audit, ReceiptEmails receiptEmails, ILogger<UploadVersions> logger)
{
    private static readonly TimeSpan ReceiptEmailTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The file is a byte-identical copy of the unit's latest version: nothing is stored; the answer is that version's
    /// receipt naming what differs, or the replay when the request's Idempotency-Key was used before.
    /// </summary>
    public async Task<UploadOutcome> IdenticalAsync(Caller caller, Period period, SubmissionVersion latest, SubmissionVersion sent, string sha256Hex, string? keyHash, CancellationToken ct)
    {
        if (await KeyedAsync(sent.PeriodId, sent.UnitCode, keyHash, ct) is { } replayed)
        {
            return await ReplayAsync(caller, period, replayed, sha256Hex, ct);
        }

        var duplicate = DuplicateOf.Compare(latest, sent);
        await audit.RecordAsync(caller, AuditActions.Upload, sent.PeriodId, sent.UnitCode, Describe(caller, sent.UnitCode, $"identical to v{latest.Version}, nothing stored{duplicate.Describe()}"), ct);
        return new UploadOutcome(Receipt.From(latest, period) with { DuplicateOf = duplicate }, false);
    }

    /// <summary>
    /// What follows once the blob exists, whichever path wrote it: the version row (or the receipt of a
    /// concurrent upload with the same Idempotency-Key), the audit and the email. The blob is deleted only
    /// when storage proved that no row points at it and none can later; when the outcome is unknown it is
    /// left to the orphan sweep, and the client is told to send again (with its Idempotency-Key, it then
    /// gets the receipt if the version was stored after all).
    /// </summary>
    public async Task<UploadOutcome> RecordAsync(Caller caller, Unit unit, Period period, SubmissionVersion row, BlockBlobClient blob, string? keyHash, AppendBasis basis, CancellationToken ct)
    {
        var pid = row.PeriodId;
        var unitCode = row.UnitCode;
        UploadOutcome? answer = null;
        try
        {
            // What follows the stored outcome goes while the store marks its change settled.
            await submissions.AppendVersionAsync(row, keyHash, basis, async appended => answer = await AnswerAsync(caller, unit, period, row, blob, appended, ct), ct);
        }
        catch (PeriodClosedException closed)
        {
            await StorageFailures.DeleteUnreferencedAsync(blob, logger);

            // A replay whose first upload was stored before the period closed still gets its receipt.
            if (await KeyedAsync(pid, unitCode, keyHash, ct) is { } replayed)
            {
                return await ReplayAsync(caller, period, replayed, row.Sha256, ct);
            }

            throw PeriodRefusals.Finalized(period, closed.ClosedAt);
        }
        catch (AppendFailedException failed)
        {
            if (failed.OutcomeKnown)
            {
                await StorageFailures.DeleteUnreferencedAsync(blob, logger);
            }

            logger.LogWarning(failed, "Version of {Unit} for {Period} not stored (outcome {Outcome}); blob {Blob} {Fate}",
                unitCode, pid, failed.OutcomeKnown ? "known" : "unknown", blob.Name, failed.OutcomeKnown ? "deleted" : "left to the orphan sweep");
            throw failed.OutcomeKnown ? UploadProblems.Busy() : UploadProblems.StorageInterrupted();
        }

        return answer ?? throw new InvalidOperationException("The version was appended without an answer.");
    }

    /// <summary>The answer once the append's outcome is known: this upload's new version (audited, its receipt emailed) or the replay of a concurrent upload's.</summary>
    private async Task<UploadOutcome> AnswerAsync(Caller caller, Unit unit, Period period, SubmissionVersion row, BlockBlobClient blob, AppendOutcome appended, CancellationToken ct)
    {
        if (appended.KeyTaken)
        {
            // A concurrent upload with the same key stored its version first.
            await StorageFailures.DeleteUnreferencedAsync(blob, logger);
            return await ReplayAsync(caller, period, appended.Version, row.Sha256, ct);
        }

        var receipt = Receipt.From(appended.Version, period);
        logger.LogInformation("Stored {Unit} v{Version} for {Period}: {SizeBytes} bytes", row.UnitCode, receipt.Version, row.PeriodId, receipt.SizeBytes);

        // The version is stored; its audit record and its email receipt are independent of each other and go at once.
        await Task.WhenAll(RecordUploadAsync(caller, receipt, ct), SendReceiptEmailAsync(unit, period, receipt));
        return new UploadOutcome(receipt, true, appended.Conflicts, appended.Retries);
    }

    private async Task RecordUploadAsync(Caller caller, Receipt receipt, CancellationToken ct)
    {
        try
        {
            await audit.RecordAsync(caller, AuditActions.Upload, receipt.PeriodId, receipt.UnitCode,
                Describe(caller, receipt.UnitCode, $"v{receipt.Version} \"{receipt.FileName}\" {receipt.SizeBytes} bytes sha256={receipt.Sha256}{(receipt.OnTime ? "" : " late")}"), ct);
        }
        catch (Exception ex) when (StorageFailures.Is(ex, ct))
        {
            // The version is stored and is itself the record (who, when, what); the unit gets its receipt.
            logger.LogError(ex, "Audit record of {Unit} v{Version} for {Period} not written", receipt.UnitCode, receipt.Version, receipt.PeriodId);
        }
    }

    /// <summary>
    /// The answer to a request whose Idempotency-Key already produced <paramref name="keyed"/>: its receipt when
    /// the bytes are the same (RFC-style replay, 200), 422 <c>idempotency_key_reused</c> when they differ.
    /// </summary>
    public async Task<UploadOutcome> ReplayAsync(Caller caller, Period period, SubmissionVersion keyed, string sha256Hex, CancellationToken ct)
    {
        var pid = period.Id.ToString();
        if (!string.Equals(keyed.Sha256, sha256Hex, StringComparison.OrdinalIgnoreCase))
        {
            throw UploadProblems.IdempotencyKeyReused(keyed.Version);
        }

        var replay = Receipt.From(keyed, period);
        await audit.RecordAsync(caller, AuditActions.Upload, pid, keyed.UnitCode, Describe(caller, keyed.UnitCode, $"replay of v{replay.Version} (Idempotency-Key)"), ct);
        return new UploadOutcome(replay, false);
    }

    /// <summary>The version an Idempotency-Key produced for this unit, when the request has a key and it was used.</summary>
    private Task<SubmissionVersion?> KeyedAsync(string pid, string unitCode, string? keyHash, CancellationToken ct) =>
        keyHash is null ? Task.FromResult<SubmissionVersion?>(null) : submissions.VersionForKeyAsync(pid, unitCode, keyHash, ct);

    /// <summary>
    /// The unit's email receipt. The report is already stored, so a slow or failing mail service must not
    /// fail the upload: the send is bounded in time and its failure is logged, not thrown.
    /// </summary>
    private async Task SendReceiptEmailAsync(Unit unit, Period period, Receipt receipt)
    {
        if (unit.Emails.Count == 0)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(ReceiptEmailTimeout);
        try
        {
            var outcome = await receiptEmails.SendAsync(
                new ReceiptEmail(unit.Code, unit.Name, unit.Emails, receipt.PeriodId, period.Title, period.Deadline, receipt.Version, receipt.FileName, receipt.SizeBytes, receipt.Sha256, receipt.ReceivedAt, receipt.OnTime),
                timeout.Token);
            if (!outcome.Sent)
            {
                logger.LogWarning("Receipt email for {Unit} v{Version} not sent: {Reason}", unit.Code, receipt.Version, outcome.Reason);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or Azure.RequestFailedException)
        {
            logger.LogWarning(ex, "Receipt email for {Unit} v{Version} not sent", unit.Code, receipt.Version);
        }
    }

    private static string Describe(Caller caller, string unitCode, string what) =>
        caller.IsAdmin ? $"{what}; on behalf of {unitCode}" : what;
}
