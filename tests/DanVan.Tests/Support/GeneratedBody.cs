namespace DanVan.Tests.Support;

/// <summary>
/// A request body made on the fly (a PDF header, then pseudo-random bytes) that counts how much the
/// server pulled from it, to prove an oversized upload is cut off early.
/// </summary>
public sealed class GeneratedBody(long length, int maxChunk = 64 * 1024) : Stream
{
    private readonly Random random = new(42);

    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(Math.Min(buffer.Length, maxChunk), length - BytesRead);
        if (n <= 0)
        {
            return 0;
        }

        random.NextBytes(buffer[..n]);
        var header = "%PDF-1.7\n"u8;
        for (var i = 0; i < n && BytesRead + i < header.Length; i++)
        {
            buffer[i] = header[(int)BytesRead + i];
        }

        BytesRead += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
