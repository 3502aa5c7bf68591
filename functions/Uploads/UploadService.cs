using System.Security.Cryptography;
using Azure.Storage.Blobs.Specialized;
using DanVan.Auth;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Http;
using DanVan.Periods;
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
/// in one entity-group transaction, the audit, the receipt email (<see cref="UploadVersions"/>). Whatever is refused leaves no committed
/// blob and no row; a crash after the blob write leaves only an orphan blob.
/// </summary>
public sealed class UploadService(
    DanVanStore store,
    SubmissionStore submissions,
    UploadVersions versions,
    SignaturePolicyCheck signatures,
    TimeProvider clock,
    IOptions<DanVanOptions> options,
    ILogger<UploadService> logger)
{
    public const int MaxNoteLength = 1000;

    /// <summary>Room for multipart boundaries, part headers and the note beside the file itself.</summary>
    public const long MultipartAllowance = 1024 * 1024;

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
            return await versions.ReplayAsync(caller, period, keyed, declared, ct);
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
            BodyHash HashFor(FileType type) => hash = type.Family == FileFamily.Pdf ? BodyHash.Scanning(scan = signatures.Scan()) : BodyHash.Plain();

            var receiptId = NewReceiptId();
            var blobName = SubmissionKeys.BlobName(pid, unitCode, receiptId);
            var blob = store.Reports.GetBlockBlobClient(blobName);
            var row = new SubmissionVersion
            {
                PeriodId = pid,
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
                    return await versions.IdenticalAsync(caller, period, latest, row, written.Sha256Hex, form.IdempotencyKeyHash, ct);
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
            catch (Exception ex) when (ex is not DomainException && StorageFailures.Is(ex, ct))
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
            return await versions.RecordAsync(caller, unit, period, row, blob, form.IdempotencyKeyHash, written.Basis, ct);
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
    private sealed record Written(string Sha256Hex, SubmissionVersion? Identical, AppendBasis Basis);

    /// <summary>
    /// Writes the raw body with one Put Blob: checks (type, size, digest) happen while it streams, so a
    /// refused body never completes the write. The hash is known only once the blob exists, so a
    /// byte-identical copy of the latest version is deleted again and that version returned.
    /// </summary>
    private async Task<Written> PutBlobAsync(Stream body, long length, UploadRequest form, BodyHash hash, BlockBlobClient blob, SubmissionVersion row, Task<AppendBasis> basis, CancellationToken ct)
    {
        row.FileName = form.FileName!;
        row.ContentType = form.FileType!.ContentType;
        row.ReceivedAt = clock.GetUtcNow();
        var file = await PutBlobWriter.WriteAsync(blob, body, length, form.FileType, head => CheckContent(form.FileName!, form.FileType, head),
            hash, form.ExpectedSha256, Metadata(row, form.ExpectedSha256 is { } sha ? Convert.ToHexStringLower(sha) : null), logger, ct);
        row.ReceivedAt = clock.GetUtcNow();
        row.SizeBytes = file.SizeBytes;
        row.Sha256 = file.Sha256Hex;
        var written = await LatestIfIdenticalAsync(basis, row.PeriodId, row.UnitCode, row.Sha256, ct);
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
    private async Task<Written> StageAndCommitAsync(Stream body, UploadRequest form, Func<FileType, BodyHash> hashFor, BlockBlobClient blob, SubmissionVersion row, Task<AppendBasis> basis, CancellationToken ct)
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
        var written = await LatestIfIdenticalAsync(basis, row.PeriodId, row.UnitCode, file.Staged.Sha256Hex, ct);
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
    /// The signature policy's decision on the stored file (<see cref="SignaturePolicyCheck"/>), before any row points at
    /// it: its signatures kept with the version, or its refusal (its blob deleted first).
    /// </summary>
    private async Task CheckSignaturesAsync(FileType type, SubmissionVersion row, BlockBlobClient blob, PdfSignatureScan? scan, CancellationToken ct)
    {
        var decision = await signatures.DecideAsync(row.FileName, type.Family == FileFamily.Pdf, scan,
            async (offset, length, t) => (await blob.DownloadStreamingAsync(new Azure.Storage.Blobs.Models.BlobDownloadOptions { Range = new Azure.HttpRange(offset, length) }, t)).Value.Content,
            row.ReceivedAt, $"{row.UnitCode} upload {row.ReceiptId}", ct);
        if (decision.Refusal is { } refusal)
        {
            await StorageFailures.DeleteUnreferencedAsync(blob, logger);
            throw refusal;
        }

        row.Signatures = decision.SignaturesJson;
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
    private static Dictionary<string, string> Metadata(SubmissionVersion row, string? sha256Hex)
    {
        var metadata = new Dictionary<string, string>
        {
            ["periodid"] = row.PeriodId,
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

    /// <summary>Sorts by arrival (UTC to the millisecond), unique by its random tail.</summary>
    private string NewReceiptId() =>
        clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture)
        + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
