using DanVan.Reading;

namespace DanVan.Uploads;

/// <summary>
/// A read-only view of a stream that hashes (<see cref="ContentHash"/>) and counts every byte read through it (the
/// Content-Digest of a multipart body; a backup file's SHA-256 and stored size as a restore reads it).
/// </summary>
internal sealed class HashingReadStream(Stream inner) : ReadOnlyStream
{
    private readonly ContentHash sha = new();

    public byte[] Hash() => sha.Current();

    /// <summary>Bytes read through this stream so far.</summary>
    public long BytesRead => sha.Bytes;

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        sha.Append(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        sha.Append(buffer.Span[..read]);
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            sha.Dispose();
        }

        base.Dispose(disposing);
    }
}
