using DanVan.Reading;

namespace DanVan.Compilation;

/// <summary>A write-only pass-through that counts and hashes (<see cref="ContentHash"/>, SHA-256) what goes to the inner stream.</summary>
public sealed class HashingWriteStream(Stream inner) : WriteOnlyStream
{
    private readonly ContentHash sha = new();

    public long BytesWritten => sha.Bytes;

    public string Sha256Hex() => sha.CurrentHex();

    protected override long Written => sha.Bytes;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        sha.Append(buffer);
        inner.Write(buffer);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        sha.Append(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            sha.Dispose();
        }

        base.Dispose(disposing);
    }
}
