using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using DanVan.Reading;

namespace DanVan.Uploads;

/// <summary>
/// The request body as the SDK's single-shot upload wants it: seekable, with Length = Content-Length.
/// A pump reads the request into a bounded pipe (<see cref="PipeBytes"/>), feeding each chunk to the body's hash
/// (for a PDF, its signature scan) on its way, while the SDK sends what the pipe holds: hashing and scanning overlap
/// the send instead of delaying it. The pump releases the bytes that complete the body only once the size and the
/// Content-Digest are verified. It cannot go back: a seek anywhere but the current position (a retry
/// rewinding) fails the upload. Any failure is remembered in <see cref="Failure"/> and cancels <c>abort</c>,
/// so the pipeline does not retry a body that cannot be replayed.
/// </summary>
internal sealed class VerifiedBody : ForwardOnlyStream
{
    /// <summary>What the pipe may hold ahead of the send: memory stays flat whatever the file's size.</summary>
    public const int PipeBytes = 1024 * 1024;

    private const int ChunkBytes = 64 * 1024;

    private readonly Stream source;
    private readonly byte[]? expectedSha256;
    private readonly BodyHash hash;
    private readonly CancellationTokenSource abort;
    private readonly Pipe pipe = new(new PipeOptions(pauseWriterThreshold: PipeBytes, resumeWriterThreshold: PipeBytes / 2, useSynchronizationContext: false));
    private Task pump = Task.CompletedTask;
    private volatile bool stopping;
    private bool disposed;

    private VerifiedBody(Stream source, long length, BodyHash hash, byte[]? expectedSha256, CancellationTokenSource abort)
        : base(length)
    {
        this.source = source;
        this.hash = hash;
        this.expectedSha256 = expectedSha256;
        this.abort = abort;
    }

    public Exception? Failure { get; private set; }

    public WrittenFile? Result { get; private set; }

    /// <summary>Reads and checks the first bytes before anything is sent, then starts the pump.</summary>
    public static async Task<VerifiedBody> OpenAsync(Stream source, long length, int headSize, FirstBlockCheck check, BodyHash hash, byte[]? expectedSha256, CancellationTokenSource abort, CancellationToken ct)
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

            var body = new VerifiedBody(source, length, hash, expectedSha256, abort);
            body.pump = Task.Run(() => body.PumpAsync(head.AsMemory(0, filled)), CancellationToken.None)
                .ContinueWith(_ => ArrayPool<byte>.Shared.Return(head), TaskScheduler.Default);
            return body;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(head);
            throw;
        }
    }

    /// <summary>The request into the pipe: the first bytes, then the rest, each chunk hashed (and scanned) before it is released.</summary>
    private async Task PumpAsync(ReadOnlyMemory<byte> head)
    {
        var writer = pipe.Writer;
        try
        {
            long pumped = 0;
            var pending = head;
            while (true)
            {
                if (pending.IsEmpty)
                {
                    var memory = writer.GetMemory((int)Math.Min(ChunkBytes, Math.Max(1, Length - pumped)));
                    var want = (int)Math.Min(memory.Length, Length - pumped);
                    var n = await source.ReadAsync(memory[..want], abort.Token);
                    if (n == 0)
                    {
                        throw UploadProblems.ContentLengthMismatch(Length);
                    }

                    pending = memory[..n];
                }
                else
                {
                    pending.Span.CopyTo(writer.GetSpan(pending.Length));
                }

                hash.Append(pending.Span);
                pumped += pending.Length;
                writer.Advance(pending.Length);
                pending = ReadOnlyMemory<byte>.Empty;
                if (pumped == Length)
                {
                    // These bytes complete the body: verify everything before they reach the send.
                    await VerifyEndAsync(abort.Token);
                    await writer.FlushAsync(abort.Token);
                    await writer.CompleteAsync();
                    return;
                }

                var flushed = await writer.FlushAsync(abort.Token);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    return; // the send stopped reading
                }
            }
        }
        catch (Exception ex) when (stopping)
        {
            await writer.CompleteAsync(ex);
        }
        catch (Exception ex)
        {
            Fail(ex);
            await writer.CompleteAsync(ex);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        if (Position == Length || buffer.Length == 0)
        {
            return 0;
        }

        try
        {
            var available = await ReleasedAsync(cancellationToken);
            var n = (int)Math.Min(buffer.Length, available.Length);
            available.Slice(0, n).CopyTo(buffer.Span);
            Taken(available, n);
            return n;
        }
        catch (Exception ex)
        {
            Fail(Failure ?? ex);
            throw;
        }
    }

    /// <summary>
    /// How the SDK sends the body: the pipe's segments go to the request stream as they are, with no copy into a
    /// buffer of its own. Same rules as <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>.
    /// </summary>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        try
        {
            while (Position < Length)
            {
                var available = await ReleasedAsync(cancellationToken);
                foreach (var segment in available)
                {
                    await destination.WriteAsync(segment, cancellationToken);
                }

                Taken(available, available.Length);
            }
        }
        catch (Exception ex)
        {
            Fail(Failure ?? ex);
            throw;
        }
    }

    /// <summary>The bytes the pump has released that the send has not taken yet; never empty (a body that ends early is a mismatch).</summary>
    private async ValueTask<ReadOnlySequence<byte>> ReleasedAsync(CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        var available = (await pipe.Reader.ReadAsync(cancellationToken)).Buffer;
        return available.IsEmpty ? throw UploadProblems.ContentLengthMismatch(Length) : available;
    }

    /// <summary>The send took the first <paramref name="n"/> of the <paramref name="available"/> bytes.</summary>
    private void Taken(ReadOnlySequence<byte> available, long n)
    {
        pipe.Reader.AdvanceTo(available.GetPosition(n));
        Advance(n);
    }

    private async Task VerifyEndAsync(CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        if (await source.ReadAsync(probe, cancellationToken) > 0)
        {
            throw UploadProblems.ContentLengthMismatch(Length);
        }

        var sha256 = hash.Sha256();
        if (expectedSha256 is not null && !CryptographicOperations.FixedTimeEquals(expectedSha256, sha256))
        {
            throw UploadProblems.DigestMismatch();
        }

        Result = new WrittenFile(Length, sha256);
    }

    /// <summary>
    /// Stops the pump and waits for it (it has stopped by itself when the send read the last byte), so
    /// <see cref="Failure"/> is settled and the hash is no longer fed.
    /// </summary>
    public async Task StopPumpAsync()
    {
        if (!pump.IsCompleted)
        {
            stopping = true;
            await pipe.Reader.CompleteAsync();
            try
            {
                abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        await pump;
    }

    /// <summary>A rewind (the SDK retrying) fails the upload: the body cannot be read again.</summary>
    protected override Exception Replayed(long target)
    {
        var ex = base.Replayed(target);
        Fail(UploadProblems.StorageInterrupted());
        return ex;
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

    public override async ValueTask DisposeAsync()
    {
        if (!disposed)
        {
            disposed = true;
            await StopPumpAsync();
            await pipe.Reader.CompleteAsync();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}
