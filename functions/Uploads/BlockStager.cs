using System.Buffers;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace DanVan.Uploads;

/// <summary>Inspects the first block of a file before anything is stored; throws a problem to refuse it.</summary>
public delegate void FirstBlockCheck(ReadOnlySpan<byte> head);

/// <summary>A file whose blocks are staged (uncommitted, invisible) in its blob, with what was learnt reading it.</summary>
public sealed record StagedFile(IReadOnlyList<string> BlockIds, long SizeBytes, byte[] Sha256)
{
    public string Sha256Hex => Convert.ToHexStringLower(Sha256);
}

/// <summary>
/// Streams a file into a block blob: reads fixed-size blocks, hashes them in order, and stages each
/// (a few in flight), so memory stays at a few blocks whatever the file's size. Staged blocks are
/// invisible until <see cref="CommitAsync"/>; a refused file is simply never committed and the
/// service discards its blocks.
/// </summary>
public static class BlockStager
{
    public const int BlockSize = 4 * 1024 * 1024;

    private const int MaxInFlight = 2;

    /// <summary>
    /// Reads <paramref name="source"/> to its end into staged blocks. Never reads more than
    /// <paramref name="maxBytes"/> + 1 bytes: one byte over the limit is 413 <c>file_too_large</c>.
    /// <paramref name="hash"/> sees each block before it is staged.
    /// </summary>
    public static async Task<StagedFile> StageAsync(BlockBlobClient blob, Stream source, long maxBytes, FirstBlockCheck checkFirstBlock, BodyHash hash, CancellationToken ct)
    {
        var blockIds = new List<string>();
        var inFlight = new Queue<(Task Staging, byte[] Buffer)>();
        long total = 0;
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
                int filled;
                try
                {
                    filled = await FillAsync(source, buffer, maxBytes - total, ct);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }

                total += filled;
                if (total > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw UploadProblems.FileTooLarge(maxBytes);
                }

                if (blockIds.Count == 0)
                {
                    if (filled == 0)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        throw UploadProblems.EmptyFile();
                    }

                    try
                    {
                        checkFirstBlock(buffer.AsSpan(0, filled));
                    }
                    catch
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        throw;
                    }
                }

                if (filled == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                hash.Append(buffer.AsSpan(0, filled));
                var id = BlockId(blockIds.Count);
                blockIds.Add(id);
                inFlight.Enqueue((blob.StageBlockAsync(id, new MemoryStream(buffer, 0, filled, writable: false), cancellationToken: ct), buffer));
                if (inFlight.Count >= MaxInFlight)
                {
                    var (staging, done) = inFlight.Dequeue();
                    try
                    {
                        await staging;
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(done);
                    }
                }

                if (filled < BlockSize)
                {
                    break;
                }
            }

            while (inFlight.Count > 0)
            {
                var (staging, done) = inFlight.Dequeue();
                try
                {
                    await staging;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(done);
                }
            }
        }
        finally
        {
            // On failure, let the stagings still running finish before their buffers go back to the pool.
            while (inFlight.Count > 0)
            {
                var (staging, done) = inFlight.Dequeue();
                await Task.WhenAny(staging);
                ArrayPool<byte>.Shared.Return(done);
            }
        }

        return new StagedFile(blockIds, total, hash.Sha256());
    }

    /// <summary>
    /// Commits the staged blocks as the blob, only if no blob exists at that name (if-none-match *):
    /// an accepted report is never overwritten.
    /// </summary>
    public static async Task CommitAsync(BlockBlobClient blob, StagedFile file, string contentType, IDictionary<string, string> metadata, CancellationToken ct)
    {
        try
        {
            await blob.CommitBlockListAsync(
                file.BlockIds,
                new CommitBlockListOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                    Metadata = metadata,
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            // The name is this upload's alone, so a blob already there is this commit, whose reply was lost
            // and whose retry met it. Read back rather than assume: same receipt, same size.
            var stored = await blob.GetPropertiesAsync(cancellationToken: ct);
            if (stored.Value.ContentLength != file.SizeBytes
                || !stored.Value.Metadata.TryGetValue("receiptid", out var receiptId)
                || !metadata.TryGetValue("receiptid", out var ours)
                || receiptId != ours)
            {
                throw;
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> up to the block size or the end of the stream, asking for at most
    /// one byte more than <paramref name="allowance"/> so an oversized body is noticed without reading on.
    /// </summary>
    private static async Task<int> FillAsync(Stream source, byte[] buffer, long allowance, CancellationToken ct)
    {
        var want = (int)Math.Min(BlockSize, Math.Max(0, allowance) + 1);
        var filled = 0;
        while (filled < want)
        {
            var read = await source.ReadAsync(buffer.AsMemory(filled, want - filled), ct);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>Block ids must all have the same length: "000000", "000001", … in base64.</summary>
    private static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)));
}
