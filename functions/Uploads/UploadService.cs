using System.Security.Cryptography;
using Azure.Storage.Blobs.Specialized;
using DanVan.Audit;
using DanVan.Auth;
using DanVan.Configuration;
using DanVan.Decisions;
using DanVan.Domain;
using DanVan.Email;
using DanVan.Http;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Signatures;
using DanVan.Storage;
using DanVan.Submissions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DanVan.Uploads;

/// <summary>The outcome of an upload: a new version (201) or the receipt of an earlier one (200).</summary>
/// <summary>An upload's answer; <c>Conflicts</c> and <c>Retries</c> are its version transaction's (<see cref="AppendOutcome"/>), for its event.</summary>
public sealed record UploadOutcome(Receipt Receipt, bool Created, int Conflicts = 0, int Retries = 0);

/// <summary>
/// Receives one report file: checks who, which period and which unit before reading the body, then
/// writes the blob while hashing and sniffing the body. A raw body of known length goes as one Put Blob
/// (<see cref="PutBlobWriter"/>: the checks run before the body completes, so a refused one is never
/// created); a multipart form or a body of unknown length is staged in blocks (<see cref="BlockStager"/>)
/// and committed only when every check passed. Either way the same steps follow: the next version number
/// in one entity-group transaction, the audit, the receipt email. Whatever is refused leaves no committed
/// blob and no row; a crash after the blob write leaves only an orphan blob.
/// </summary>
public sealed class UploadService(
    DanVanStore store,
    SubmissionStore submissions,
    AuditLog audit,
    ReceiptEmails receiptEmails,
    PdfSignatureVerifier signatures,
    TimeProvider clock,
    IOptions<DanVanOptions> options,
    ILogger<UploadService> logger)
{
    public const int MaxNoteLength = 1000;

    /// <summary>Room for multipart boundaries, part headers and the note beside the file itself.</summary>
    public const long MultipartAllowance = 1024 * 1024;

    private static readonly TimeSpan ReceiptEmailTimeout = TimeSpan.FromSeconds(20);

    private readonly long maxBytes = options.Value.MaxUploadBytes;

    /// <summary>
    /// Stores one file for <paramref name="target"/>: <paramref name="body"/> is the file (raw) or the form
    /// (multipart) as <paramref name="form"/> says; <paramref name="contentLength"/> is the body's declared
    /// length, when known. Plain values in, a receipt or a problem out.
    /// </summary>
    public async Task<UploadOutcome> UploadAsync(PeriodTarget target, UploadRequest form, Stream body, long? contentLength, CancellationToken ct)
    {
        var (caller, unit, period) = target;
        var unitCode = unit.Code;
        var pid = period.Id.ToString();
        // A key used before answers with its version's receipt, for the same bytes only: compared through the declared
        // Content-Digest of a raw body without reading it (the key is read first then); otherwise once the body has been
        // read, by the version's transaction itself (its key row is added with it, so a used key fails it) or, for a copy
        // of the latest version (no transaction), by reading the key then. No read of the key on every upload.
        var declared = !form.IsMultipart && form.ExpectedSha256 is { } sha ? Convert.ToHexStringLower(sha) : null;
        if (declared is not null && form.IdempotencyKeyHash is { } keyHash && await submissions.VersionForKeyAsync(pid, unitCode, keyHash, ct) is { } keyed)
        {
            return await ReplayAsync(caller, period, keyed, declared, ct);
        }

        var limit = form.IsMultipart ? maxBytes + MultipartAllowance : maxBytes;
        if (contentLength > limit)
        {
            throw UploadProblems.FileTooLarge(maxBytes);
        }

        // What the version append starts from (the unit's head, the period's row, its change begun in the index) is read
        // while the body streams; a refused upload gives it up, so its change does not stay in flight.
        var basis = submissions.AppendBasisAsync(pid, unitCode, ct);
        var appending = false;
        try
        {
            // The file is hashed, and a PDF's signatures scanned, as its bytes go to storage: it is never read back for them.
            PdfSignatureScan? scan = null;
            BodyHash? hash = null;
            BodyHash HashFor(FileType type) => hash = type.Family == FileFamily.Pdf ? BodyHash.Scanning(scan = signatures.Scan(SignatureLimits.Default)) : BodyHash.Plain();

            var receiptId = NewReceiptId();
            var blobName = SubmissionKeys.BlobName(pid, unitCode, receiptId);
            var blob = store.Reports.GetBlockBlobClient(blobName);
            var row = new SubmissionVersionEntity
            {
                PartitionKey = pid,
                ReceiptId = receiptId,
                UnitCode = unitCode,
                BlobName = blobName,
                UploadedBy = caller.Actor,
            };
            Written written;
            try
            {
                // Noted first, so the orphan sweep looks at this period while a blob of it may be young enough to judge.
                await submissions.NoteBlobWriteAsync(pid, ct);

                // The one place the write path is chosen: a raw body of known length goes as one Put Blob;
                // a multipart form or a body of unknown length is staged in blocks and committed.
                written = !form.IsMultipart && contentLength is { } length
                    ? await PutBlobAsync(body, length, form, HashFor(form.FileType!), blob, row, basis, ct)
                    : await StageAndCommitAsync(body, form, HashFor, blob, row, basis, ct);
                if (written.Identical is { } latest)
                {
                    if (await KeyedAsync(pid, unitCode, form.IdempotencyKeyHash, ct) is { } replayed)
                    {
                        return await ReplayAsync(caller, period, replayed, written.Sha256Hex, ct);
                    }

                    var duplicate = DuplicateOf.Compare(latest, row);
                    await audit.RecordAsync(caller, AuditActions.Upload, pid, unitCode, Describe(caller, unitCode, $"identical to v{latest.Version}, nothing stored{duplicate.Describe()}"), ct);
                    return new UploadOutcome(Receipt.From(latest, period) with { DuplicateOf = duplicate }, false);
                }

                // The leading bytes were checked while the body streamed; an OOXML or ODF package is checked whole
                // from its stored central directory (ranged reads, bounded), before any row points at it.
                var type = FileTypes.ByName(row.FileName)!;
                if (await FileTypes.CheckPackageAsync(type, row.SizeBytes, BlobRanges.Of(blob), ct) != SniffResult.Matches)
                {
                    await StorageFailures.DeleteUnreferencedAsync(blob, logger);
                    throw UploadProblems.FileTypeMismatch(row.FileName, type.Extension);
                }

                await CheckSignaturesAsync(type, row, blob, scan, ct);
            }
            catch (Exception ex) when (ex is not ProblemException && StorageFailures.Is(ex, ct))
            {
                // Storage failed before any row was attempted: staged blocks are discarded by the service, a
                // committed blob without a row is the orphan sweep's.
                logger.LogWarning(ex, "Upload of {Unit} for {Period} interrupted by storage before its version", unitCode, pid);
                throw UploadProblems.StorageInterrupted();
            }
            finally
            {
                hash?.Dispose();
                scan?.Dispose();
            }

            appending = true;
            return await RecordVersionAsync(caller, unit, period, row, blob, form.IdempotencyKeyHash, written.Basis, ct);
        }
        finally
        {
            if (!appending)
            {
                await ForgoAsync(basis);
            }
        }
    }

    /// <summary>Gives up the basis of a version that will not be appended; a basis that could not be read has nothing to give up.</summary>
    private async Task ForgoAsync(Task<AppendBasis> basis)
    {
        try
        {
            await submissions.ForgoAsync(await basis);
        }
        catch (Exception ex) when (StorageFailures.Is(ex, CancellationToken.None) || ex is OperationCanceledException)
        {
            // AppendBasisAsync dropped its change itself when the reads failed.
        }
    }

    /// <summary>
    /// What a write path learnt: the latest version when the file is a byte-identical copy of it (nothing
    /// new is kept), and the unit's head and the period's row as read, which the version append tries first.
    /// </summary>
    private sealed record Written(string Sha256Hex, SubmissionVersionEntity? Identical, AppendBasis Basis);

    /// <summary>
    /// Writes the raw body with one Put Blob: checks (type, size, digest) happen while it streams, so a
    /// refused body never completes the write. The hash is known only once the blob exists, so a
    /// byte-identical copy of the latest version is deleted again and that version returned.
    /// </summary>
    private async Task<Written> PutBlobAsync(Stream body, long length, UploadRequest form, BodyHash hash, BlockBlobClient blob, SubmissionVersionEntity row, Task<AppendBasis> basis, CancellationToken ct)
    {
        row.FileName = form.FileName!;
        row.ContentType = form.FileType!.ContentType;
        row.ReceivedAt = clock.GetUtcNow();
        var file = await PutBlobWriter.WriteAsync(blob, body, length, form.FileType, head => CheckContent(form.FileName!, form.FileType, head),
            hash, form.ExpectedSha256, Metadata(row, form.ExpectedSha256 is { } sha ? Convert.ToHexStringLower(sha) : null), logger, ct);
        row.ReceivedAt = clock.GetUtcNow();
        row.SizeBytes = file.SizeBytes;
        row.Sha256 = file.Sha256Hex;
        var written = await LatestIfIdenticalAsync(basis, row.PartitionKey, row.UnitCode, row.Sha256, ct);
        if (written.Identical is not null)
        {
            await blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }

        return written;
    }

    /// <summary>
    /// Stages the file in blocks, then commits them only when every check passed and the file is not a
    /// byte-identical copy of the latest version (returned instead, nothing committed).
    /// </summary>
    private async Task<Written> StageAndCommitAsync(Stream body, UploadRequest form, Func<FileType, BodyHash> hashFor, BlockBlobClient blob, SubmissionVersionEntity row, Task<AppendBasis> basis, CancellationToken ct)
    {
        var file = form.IsMultipart
            ? await MultipartReceiver.ReceiveAsync(body, form, blob, maxBytes, hashFor, ct)
            : await ReceiveRawAsync(body, form, hashFor(form.FileType!), blob, ct);
        row.ReceivedAt = clock.GetUtcNow();
        if (form.ExpectedSha256 is { } expected && !CryptographicOperations.FixedTimeEquals(expected, file.BodySha256))
        {
            throw UploadProblems.DigestMismatch();
        }

        // What this upload says of itself, also when it turns out a copy of the latest version (its answer names what differs).
        row.FileName = file.FileName;
        row.Note = file.Note;
        var written = await LatestIfIdenticalAsync(basis, row.PartitionKey, row.UnitCode, file.Staged.Sha256Hex, ct);
        if (written.Identical is not null)
        {
            return written;
        }

        row.ContentType = file.Type.ContentType;
        row.SizeBytes = file.Staged.SizeBytes;
        row.Sha256 = file.Staged.Sha256Hex;
        await BlockStager.CommitAsync(blob, file.Staged, file.Type.ContentType, Metadata(row, row.Sha256), ct);
        return written;
    }

    /// <summary>The latest version when its content has this hash (a byte-identical re-upload), else null.</summary>
    private async Task<Written> LatestIfIdenticalAsync(Task<AppendBasis> basisRead, string pid, string unitCode, string sha256Hex, CancellationToken ct)
    {
        var basis = await basisRead;
        var identical = basis.Head is { } head && head.LatestSha256 == sha256Hex
            ? await submissions.VersionAsync(pid, unitCode, head.LatestVersion, ct)
            : null;
        return new Written(sha256Hex, identical, basis);
    }

    /// <summary>
    /// What follows once the blob exists, whichever path wrote it: the version row (or the receipt of a
    /// concurrent upload with the same Idempotency-Key), the audit and the email. The blob is deleted only
    /// when storage proved that no row points at it and none can later; when the outcome is unknown it is
    /// left to the orphan sweep, and the client is told to send again (with its Idempotency-Key, it then
    /// gets the receipt if the version was stored after all).
    /// </summary>
    private async Task<UploadOutcome> RecordVersionAsync(Caller caller, Unit unit, Period period, SubmissionVersionEntity row, BlockBlobClient blob, string? keyHash, AppendBasis basis, CancellationToken ct)
    {
        var pid = row.PartitionKey;
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

            throw UploadProblems.PeriodFinalized(period, closed.ClosedAt);
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
    private async Task<UploadOutcome> AnswerAsync(Caller caller, Unit unit, Period period, SubmissionVersionEntity row, BlockBlobClient blob, AppendOutcome appended, CancellationToken ct)
    {
        if (appended.KeyTaken)
        {
            // A concurrent upload with the same key stored its version first.
            await StorageFailures.DeleteUnreferencedAsync(blob, logger);
            return await ReplayAsync(caller, period, appended.Version, row.Sha256, ct);
        }

        var receipt = Receipt.From(appended.Version, period);
        logger.LogInformation("Stored {Unit} v{Version} for {Period}: {SizeBytes} bytes", row.UnitCode, receipt.Version, row.PartitionKey, receipt.SizeBytes);

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
    /// A PDF's signatures, from the scan that saw its bytes on their way to storage (ranged reads of the stored blob
    /// only for an unusual layout), checked before any row points at it and kept with the version. Under
    /// <see cref="SignaturePolicy.Require"/> an unsigned, broken or later-changed PDF, and any file that is not a PDF,
    /// is refused and its blob deleted.
    /// </summary>
    private async Task CheckSignaturesAsync(FileType type, SubmissionVersionEntity row, BlockBlobClient blob, PdfSignatureScan? scan, CancellationToken ct)
    {
        if (type.Family != FileFamily.Pdf)
        {
            if (signatures.Policy == SignaturePolicy.Require)
            {
                await StorageFailures.DeleteUnreferencedAsync(blob, logger);
                throw SignatureProblems.SignedPdfRequired(row.FileName);
            }

            return;
        }

        var report = await signatures.VerifyScannedAsync(
            scan ?? throw new InvalidOperationException("A PDF was stored without its signature scan."),
            async (offset, length, t) => (await blob.DownloadStreamingAsync(new Azure.Storage.Blobs.Models.BlobDownloadOptions { Range = new Azure.HttpRange(offset, length) }, t)).Value.Content,
            row.ReceivedAt,
            SignatureLimits.Default,
            ct);
        logger.LogInformation("Signatures of {Unit} upload {Receipt}: {Verdict} ({Count})", row.UnitCode, row.ReceiptId, report.Verdict, report.Signatures.Count);
        if (signatures.Policy == SignaturePolicy.Require && report.NeedsAttention)
        {
            await StorageFailures.DeleteUnreferencedAsync(blob, logger);
            throw SignatureProblems.Refusal(report);
        }

        row.Signatures = report.ToJson();
    }

    /// <summary>
    /// The answer to a request whose Idempotency-Key already produced <paramref name="keyed"/>: its receipt when
    /// the bytes are the same (RFC-style replay, 200), 422 <c>idempotency_key_reused</c> when they differ.
    /// </summary>
    private async Task<UploadOutcome> ReplayAsync(Caller caller, Period period, SubmissionVersionEntity keyed, string sha256Hex, CancellationToken ct)
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
    private Task<SubmissionVersionEntity?> KeyedAsync(string pid, string unitCode, string? keyHash, CancellationToken ct) =>
        keyHash is null ? Task.FromResult<SubmissionVersionEntity?>(null) : submissions.VersionForKeyAsync(pid, unitCode, keyHash, ct);

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

    private async Task<ReceivedFile> ReceiveRawAsync(Stream body, UploadRequest form, BodyHash hash, BlockBlobClient blob, CancellationToken ct)
    {
        var staged = await BlockStager.StageAsync(blob, body, maxBytes, head => CheckContent(form.FileName!, form.FileType!, head), hash, ct);
        return new ReceivedFile(form.FileName!, form.FileType!, staged, null, staged.Sha256);
    }

    internal static void CheckContent(string fileName, FileType type, ReadOnlySpan<byte> head)
    {
        if (FileTypes.Sniff(type, head) != SniffResult.Matches)
        {
            throw UploadProblems.FileTypeMismatch(fileName, type.Extension);
        }
    }

    /// <summary>
    /// Blob metadata is ASCII: the name is percent-encoded; enough to reconcile an orphan blob without its
    /// row. A Put Blob sends it before the body is read, so there <c>receivedat</c> is when the write began
    /// and <c>sha256</c> is present only when the client declared it (Content-Digest).
    /// </summary>
    private static Dictionary<string, string> Metadata(SubmissionVersionEntity row, string? sha256Hex)
    {
        var metadata = new Dictionary<string, string>
        {
            ["periodid"] = row.PartitionKey,
            ["unitcode"] = row.UnitCode,
            ["receiptid"] = row.ReceiptId,
            ["filename"] = Uri.EscapeDataString(row.FileName),
            ["receivedat"] = row.ReceivedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["uploadedby"] = row.UploadedBy,
        };
        if (sha256Hex is not null)
        {
            metadata["sha256"] = sha256Hex;
        }

        return metadata;
    }

    private static string Describe(Caller caller, string unitCode, string what) =>
        caller.IsAdmin ? $"{what}; on behalf of {unitCode}" : what;

    /// <summary>Sorts by arrival (UTC to the millisecond), unique by its random tail.</summary>
    private string NewReceiptId() =>
        clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture)
        + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
