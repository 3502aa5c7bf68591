using System.Buffers;
using System.Security.Cryptography;
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
        BodyObserver? observe,
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
        await using var body = await VerifiedBody.OpenAsync(source, length, HeadSize(type), checkFirstBlock, observe, expectedSha256, abort, ct);
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
        catch (Exception ex) when (body.Failure is not null || ex is RequestFailedException or OperationCanceledException or IOException)
        {
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

        return body.Result ?? throw new InvalidOperationException("Put Blob returned before the body was read to its end.");
    }

    /// <summary>
    /// The request body as the SDK's single-shot upload wants it: seekable, with Length = Content-Length.
    /// It cannot go back: a seek anywhere but the current position (a retry rewinding) fails the upload.
    /// Any failure is remembered in <see cref="Failure"/> and cancels <c>abort</c>, so the pipeline does
    /// not retry a body that cannot be replayed.
    /// </summary>
    private sealed class VerifiedBody : Stream
    {
        private readonly Stream source;
        private readonly long length;
        private readonly byte[] head;
        private readonly int headCount;
        private readonly byte[]? expectedSha256;
        private readonly BodyObserver? observe;
        private readonly CancellationTokenSource abort;
        private readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long position;
        private bool disposed;

        private VerifiedBody(Stream source, long length, byte[] head, int headCount, BodyObserver? observe, byte[]? expectedSha256, CancellationTokenSource abort)
        {
            this.observe = observe;
            this.source = source;
            this.length = length;
            this.head = head;
            this.headCount = headCount;
            this.expectedSha256 = expectedSha256;
            this.abort = abort;
        }

        public Exception? Failure { get; private set; }

        public WrittenFile? Result { get; private set; }

        /// <summary>Reads and checks the first bytes before anything is sent.</summary>
        public static async Task<VerifiedBody> OpenAsync(Stream source, long length, int headSize, FirstBlockCheck check, BodyObserver? observe, byte[]? expectedSha256, CancellationTokenSource abort, CancellationToken ct)
        {
            var want = (int)Math.Min(length, headSize);
            var head = ArrayPool<byte>.Shared.Rent(want);
            try
            {
                var filled = 0;
                int read;
                while (filled < want && (read = await source.ReadAsync(head.AsMemory(filled, want - filled), ct)) > 0)
                {
                    filled += read;
                }

                if (filled == 0)
                {
                    throw UploadProblems.EmptyFile();
                }

                check(head.AsSpan(0, filled));
                if (filled < want)
                {
                    throw UploadProblems.ContentLengthMismatch(length);
                }

                var body = new VerifiedBody(source, length, head, filled, observe, expectedSha256, abort);
                body.sha.AppendData(head, 0, filled);
                observe?.Invoke(head.AsSpan(0, filled));
                return body;
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(head);
                throw;
            }
        }

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            if (position == length || buffer.Length == 0)
            {
                return 0;
            }

            try
            {
                int n;
                if (position < headCount)
                {
                    n = (int)Math.Min(buffer.Length, headCount - position);
                    head.AsMemory((int)position, n).CopyTo(buffer);
                }
                else
                {
                    var want = (int)Math.Min(buffer.Length, length - position);
                    n = await source.ReadAsync(buffer[..want], cancellationToken);
                    if (n == 0)
                    {
                        throw UploadProblems.ContentLengthMismatch(length);
                    }

                    sha.AppendData(buffer.Span[..n]);
                    observe?.Invoke(buffer.Span[..n]);
                }

                if (position + n == length)
                {
                    // These bytes complete the body: verify everything before handing them over.
                    await VerifyEndAsync(cancellationToken);
                }

                position += n;
                return n;
            }
            catch (Exception ex)
            {
                Fail(ex);
                throw;
            }
        }

        private async Task VerifyEndAsync(CancellationToken cancellationToken)
        {
            var probe = new byte[1];
            if (await source.ReadAsync(probe, cancellationToken) > 0)
            {
                throw UploadProblems.ContentLengthMismatch(length);
            }

            var hash = sha.GetHashAndReset();
            if (expectedSha256 is not null && !CryptographicOperations.FixedTimeEquals(expectedSha256, hash))
            {
                throw UploadProblems.DigestMismatch();
            }

            Result = new WrittenFile(length, hash);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        /// <summary>The body comes from the request, which is read asynchronously only.</summary>
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The upload body is read asynchronously.");

        public override long Seek(long offset, SeekOrigin origin)
        {
            var target = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => position + offset,
                _ => length + offset,
            };
            if (target != position)
            {
                var ex = new NotSupportedException($"The upload body cannot be replayed (seek to {target} at {position}).");
                Fail(UploadProblems.StorageInterrupted());
                throw ex;
            }

            return position;
        }

        private void Fail(Exception ex)
        {
            Failure ??= ex;
            try
            {
                abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !disposed)
            {
                disposed = true;
                sha.Dispose();
                ArrayPool<byte>.Shared.Return(head);
            }

            base.Dispose(disposing);
        }
    }
}
