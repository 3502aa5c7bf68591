namespace DanVan.Reading;

/// <summary>
/// A body of known length read once, front to back, as the Storage SDK's single-shot upload wants it: seekable, with
/// <see cref="Length"/>, but a seek succeeds only to where the body stands (the SDK asks for its position before it sends);
/// a seek anywhere else (a retry rewinding the body) throws <see cref="Replayed"/>. Read asynchronously only; a subclass
/// reads into memory and tells how far it got with <see cref="Advance"/>.
/// </summary>
public abstract class ForwardOnlyStream(long length) : Stream
{
    private long position;

    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => true;

    public sealed override bool CanWrite => false;

    public sealed override long Length => length;

    public sealed override long Position
    {
        get => position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The body comes from a request, which is read asynchronously only.</summary>
    public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The upload body is read asynchronously.");

    public sealed override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            _ => length + offset,
        };
        return target == position ? position : throw Replayed(target);
    }

    /// <summary>What a seek to <paramref name="target"/>, away from where the body stands, throws; a subclass may fail itself first.</summary>
    protected virtual Exception Replayed(long target) =>
        new NotSupportedException($"The upload body cannot be replayed (seek to {target} at {position}).");

    /// <summary>The subclass's read took the next <paramref name="bytes"/> of the body.</summary>
    protected void Advance(long bytes) => position += bytes;

    public sealed override void Flush()
    {
    }

    public sealed override void SetLength(long value) => throw new NotSupportedException();

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
