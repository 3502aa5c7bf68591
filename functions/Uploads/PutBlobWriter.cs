using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

using DanVan.Storage;
using Microsoft.Extensions.Logging;

namespace DanVan.Uploads;

/// <summary>What was learnt reading a file while it was written: its size and SHA-256.</summary>
public sealed record WrittenFile(long SizeBytes, byte[] Sha256)
{
    public string Sha256Hex => Convert.ToHexStringLower(Sha256);
}

/// <summary>
/// Writes a raw body whose Content-Length is known as ONE Put Blob streamed from the request (no staged
/// blocks, no buffering). Put Blob is atomic: the service creates the blob only when it received the whole
/// body. The stream handed to the SDK (<see cref="VerifiedBody"/>) hashes on the way and holds back the
/// end of the body: before it returns the bytes that complete it, the size and the Content-Digest are
/// verified, and a failed check throws instead, so the request is aborted and nothing is created.
/// The first bytes are checked before the request starts.
/// </summary>
public static class PutBlobWriter
{
    /// <summary>
    /// How much of the body is read before the write starts, for the type check. PDF, CFB and ODF
    /// are recognised in their first bytes; an OOXML package may name its <c>[Content_Types].xml</c>
    /// further in, so it gets the same first block the staged path checks.
    /// </summary>
    public static int HeadSize(FileType type) => type.Family == FileFamily.Ooxml ? BlockStager.BlockSize : 64 * 1024;

    public static async Task<WrittenFile> WriteAsync(
        BlockBlobClient blob,
        Stream source,
        long length,
        FileType type,
        FirstBlockCheck checkFirstBlock,
        BodyHash hash,
        byte[]? expectedSha256,
        IDictionary<string, string> metadata,
        ILogger logger,
        CancellationToken ct)
    {
        if (length == 0)
        {
            throw UploadProblems.EmptyFile();
        }

        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await using var body = await VerifiedBody.OpenAsync(source, length, HeadSize(type), checkFirstBlock, hash, expectedSha256, abort, ct);
        try
        {
            await blob.UploadAsync(body, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = type.ContentType },
                Metadata = metadata,
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                // One request whatever the size (the SDK would otherwise split above 256 MiB), and no
                // checksum that would make it read the body twice.
                TransferOptions = new StorageTransferOptions { InitialTransferSize = length + 1, MaximumConcurrency = 1 },
                TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.None },
            }, abort.Token);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException or IOException || body.Failure is not null)
        {
            await body.StopPumpAsync();
            // Put Blob is all or nothing and this name is this request's alone; deleting makes sure even a
            // write the service completed but whose answer was lost leaves nothing behind.
            await StorageFailures.DeleteUnreferencedAsync(blob, logger);
            if (body.Failure is { } failure)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            if (ct.IsCancellationRequested)
            {
                throw;
            }

            throw UploadProblems.StorageInterrupted();
        }

        await body.StopPumpAsync();
        return body.Result ?? throw new InvalidOperationException("Put Blob returned before the body was read to its end.");
    }
}
