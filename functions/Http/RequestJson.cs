using System.Text.Json;
using DanVan.Domain;
using Microsoft.AspNetCore.Http;

namespace DanVan.Http;

public static class RequestJson
{
    /// <summary>The default cap of a JSON body: a registry of thousands of units fits well within it.</summary>
    public const long DefaultMaxBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Reads a JSON body of at most <paramref name="maxBytes"/>, or refuses it as a problem. The cap is on
    /// the bytes actually read (<see cref="BoundedBody"/>), so a chunked body or a wrong Content-Length
    /// cannot get past it; a declared Content-Length over the cap is refused before anything is read.
    /// A body that stops short (the client went away, or sent less than its Content-Length) is a 400
    /// <c>body_incomplete</c>, not a failure of DanVan.
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, long maxBytes = DefaultMaxBytes, CancellationToken ct = default)
    {
        if (request.ContentLength > maxBytes)
        {
            throw Problems.BodyTooLarge(maxBytes);
        }

        try
        {
            var body = new BoundedBody(request.Body, maxBytes, request.ContentLength);
            var value = await JsonSerializer.DeserializeAsync<T>(body, Json.Options, ct);
            return value ?? throw Problems.InvalidJson("Nội dung yêu cầu trống.");
        }
        catch (JsonException ex)
        {
            throw Problems.InvalidJson($"Không đọc được JSON (dòng {ex.LineNumber + 1}, vị trí {ex.Path ?? "$"}).");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server's own body limit was crossed first.
            throw Problems.BodyTooLarge(maxBytes);
        }
        catch (Exception ex) when (ex is IOException || (ex is OperationCanceledException && request.HttpContext.RequestAborted.IsCancellationRequested))
        {
            // Kestrel: BadHttpRequestException "Unexpected end of request content" (an IOException), a
            // reset connection, or the request aborted while its body was being read.
            throw Problems.BodyIncomplete();
        }
    }

    /// <summary>
    /// Reads a whole (small) body of at most <paramref name="maxBytes"/>, bounded as <see cref="ReadAsync{T}"/> is:
    /// a registry file to import.
    /// </summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, long maxBytes = DefaultMaxBytes, CancellationToken ct = default)
    {
        if (request.ContentLength > maxBytes)
        {
            throw Problems.BodyTooLarge(maxBytes);
        }

        try
        {
            using var copy = new MemoryStream();
            await new BoundedBody(request.Body, maxBytes, request.ContentLength).CopyToAsync(copy, ct);
            return copy.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw Problems.BodyTooLarge(maxBytes);
        }
        catch (Exception ex) when (ex is IOException || (ex is OperationCanceledException && request.HttpContext.RequestAborted.IsCancellationRequested))
        {
            throw Problems.BodyIncomplete();
        }
    }

    /// <summary>
    /// A read-only view of a request body that counts what it hands out: past <c>maxBytes</c> it throws
    /// <c>body_too_large</c> (having read at most one byte more than the cap), and at the end of a body
    /// shorter than its Content-Length it throws <c>body_incomplete</c>.
    /// </summary>
    private sealed class BoundedBody(Stream inner, long maxBytes, long? contentLength) : Stream
    {
        private long read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => read;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(Limit(buffer), cancellationToken);
            return Count(n, buffer.Length);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) =>
            Count(inner.Read(Limit(buffer.AsMemory(offset, count)).Span), count);

        /// <summary>Never asks for more than one byte past the cap: that byte is the proof of "too large".</summary>
        private Memory<byte> Limit(Memory<byte> buffer) => buffer[..(int)Math.Min(buffer.Length, maxBytes + 1 - read)];

        private int Count(int n, int asked)
        {
            read += n;
            if (read > maxBytes)
            {
                throw Problems.BodyTooLarge(maxBytes);
            }

            if (n == 0 && asked > 0 && read < contentLength)
            {
                throw Problems.BodyIncomplete();
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
