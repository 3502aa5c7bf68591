using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DanVan.Reading;

namespace DanVan.Compilation;

/// <summary>
/// A write-only stream into a new block blob that nobody sees until <see cref="CommitAsync"/>: each full
/// block is staged (uncommitted blocks are invisible, and the service discards them after a week),
/// then the block list is committed once, only if no blob exists at the name (if-none-match *). A write
/// that fails or is abandoned before the commit leaves nothing in the container, not even an empty blob
/// (which <c>OpenWriteAsync</c> would have created first). Up to <c>concurrency</c> full blocks are staged in
/// the background while the writer fills the next one, so producing the bytes and uploading them overlap;
/// it holds at most <c>concurrency + 1</c> blocks in memory. Block ids follow the order of the bytes, whatever
/// order the stagings finish in.
/// </summary>
public sealed class StagedBlobWriteStream(BlockBlobClient blob, string contentType, int blockSize = StagedBlobWriteStream.DefaultBlockSize, int concurrency = StagedBlobWriteStream.DefaultConcurrency) : WriteOnlyStream
{
    public const int DefaultBlockSize = 4 * 1024 * 1024;

    /// <summary>Blocks in flight at once: enough to keep the upload busy while the next block is filled.</summary>
    public const int DefaultConcurrency = 2;

    private readonly List<string> blockIds = [];
    private readonly Queue<(Task Staging, byte[] Block)> staging = new();
    private readonly Stack<byte[]> spare = new();
    private byte[] block = new byte[blockSize];
    private ExceptionDispatchInfo? failure;
    private int filled;
    private long written;

    protected override long Written => written;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfFailed();
        while (buffer.Length > 0)
        {
            buffer = Fill(buffer);
            if (filled == block.Length)
            {
                // The synchronous path stages in line, after whatever is in flight.
                DrainAsync(CancellationToken.None).GetAwaiter().GetResult();
                blob.StageBlock(NextBlockId(), new MemoryStream(block, 0, filled, writable: false));
                filled = 0;
            }
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfFailed();
        while (buffer.Length > 0)
        {
            var rest = Fill(buffer.Span);
            buffer = buffer[(buffer.Length - rest.Length)..];
            if (filled == block.Length)
            {
                await StageAsync(cancellationToken);
            }
        }
    }

    /// <summary>Stages what is left and commits the blob. A 409 "already exists" is this commit, whose reply was lost and whose retry met it: the size is checked to be sure.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        if (filled > 0)
        {
            await StageAsync(ct);
        }

        await DrainAsync(ct);
        try
        {
            await blob.CommitBlockListAsync(
                blockIds,
                new CommitBlockListOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            // The name is this writer's alone (a fresh one per compilation attempt).
            var stored = await blob.GetPropertiesAsync(cancellationToken: ct);
            if (stored.Value.ContentLength != written)
            {
                throw;
            }
        }
    }

    public override void Flush()
    {
        // Blocks are staged when full and committed by CommitAsync; there is nothing to flush in between.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Copies what fits into the block; returns the rest.</summary>
    private ReadOnlySpan<byte> Fill(ReadOnlySpan<byte> buffer)
    {
        var take = Math.Min(buffer.Length, block.Length - filled);
        buffer[..take].CopyTo(block.AsSpan(filled));
        filled += take;
        written += take;
        return buffer[take..];
    }

    /// <summary>
    /// Starts staging the filled block and moves on to a free one, first waiting for the oldest staging when
    /// more than <c>concurrency</c> are in flight. After a staging failed the stream refuses every further write
    /// (a ZIP writer still writes its directory while unwinding), so no buffer in flight is ever written to.
    /// </summary>
    private async Task StageAsync(CancellationToken ct)
    {
        ThrowIfFailed();
        var full = block;
        staging.Enqueue((blob.StageBlockAsync(NextBlockId(), new MemoryStream(full, 0, filled, writable: false), cancellationToken: ct), full));
        filled = 0;
        if (staging.Count > Math.Max(1, concurrency))
        {
            await CompleteOldestAsync();
        }

        block = spare.TryPop(out var free) ? free : new byte[blockSize];
    }

    private async Task CompleteOldestAsync()
    {
        var (task, used) = staging.Peek();
        try
        {
            await task;
        }
        catch (Exception ex)
        {
            failure ??= ExceptionDispatchInfo.Capture(ex);
            throw;
        }

        staging.Dequeue();
        spare.Push(used);
    }

    /// <summary>Waits for every staging in flight; the first failure is thrown.</summary>
    private async Task DrainAsync(CancellationToken ct)
    {
        while (staging.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            await CompleteOldestAsync();
        }
    }

    private void ThrowIfFailed() => failure?.Throw();

    /// <summary>Waits for the stagings in flight, ignoring their outcome: a writer abandoned mid-way (a failed compile) leaves none running or unobserved.</summary>
    private async Task AbandonAsync()
    {
        while (staging.TryDequeue(out var inFlight))
        {
            try
            {
                await inFlight.Staging;
            }
            catch (Exception)
            {
                // The failure that matters was thrown to the writer already, or the blob is being discarded.
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await AbandonAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            AbandonAsync().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    /// <summary>Block ids must all have the same length: "000000", "000001", … in base64.</summary>
    private string NextBlockId()
    {
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(blockIds.Count.ToString("D6", CultureInfo.InvariantCulture)));
        blockIds.Add(id);
        return id;
    }
}
