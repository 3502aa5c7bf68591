using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace DanVan.Compilation;

/// <summary>
/// A write-only stream into a new block blob that nobody sees until <see cref="CommitAsync"/>: each full
/// block is staged (uncommitted blocks are invisible, and the service discards them after a week),
/// then the block list is committed once, only if no blob exists at the name (if-none-match *). A write
/// that fails or is abandoned before the commit leaves nothing in the container, not even an empty blob
/// (which <c>OpenWriteAsync</c> would have created first). Holds one block in memory.
/// </summary>
public sealed class StagedBlobWriteStream(BlockBlobClient blob, string contentType, int blockSize = StagedBlobWriteStream.DefaultBlockSize) : Stream
{
    public const int DefaultBlockSize = 4 * 1024 * 1024;

    private readonly byte[] block = new byte[blockSize];
    private readonly List<string> blockIds = [];
    private int filled;
    private long written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            buffer = Fill(buffer);
            if (filled == block.Length)
            {
                blob.StageBlock(NextBlockId(), new MemoryStream(block, 0, filled, writable: false));
                filled = 0;
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
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

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Copies what fits into the block; returns the rest.</summary>
    private ReadOnlySpan<byte> Fill(ReadOnlySpan<byte> buffer)
    {
        var take = Math.Min(buffer.Length, block.Length - filled);
        buffer[..take].CopyTo(block.AsSpan(filled));
        filled += take;
        written += take;
        return buffer[take..];
    }

    private async Task StageAsync(CancellationToken ct)
    {
        await blob.StageBlockAsync(NextBlockId(), new MemoryStream(block, 0, filled, writable: false), cancellationToken: ct);
        filled = 0;
    }

    /// <summary>Block ids must all have the same length: "000000", "000001", … in base64.</summary>
    private string NextBlockId()
    {
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(blockIds.Count.ToString("D6", CultureInfo.InvariantCulture)));
        blockIds.Add(id);
        return id;
    }
}
