namespace DanVan.Reading;

/// <summary>
/// The write-only counterpart of <see cref="ReadOnlyStream"/> (a blob being written, a hash on the way to it): it
/// cannot read, seek or tell its length, and counts what was written as its <see cref="Position"/>. A subclass writes
/// a span, and a memory asynchronously.
/// </summary>
public abstract class WriteOnlyStream : Stream
{
    public sealed override bool CanRead => false;

    public sealed override bool CanSeek => false;

    public sealed override bool CanWrite => true;

    public sealed override long Length => throw new NotSupportedException();

    /// <summary>Bytes written so far.</summary>
    public sealed override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    protected abstract long Written { get; }

    public abstract override void Write(ReadOnlySpan<byte> buffer);

    public abstract override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public sealed override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();
}
