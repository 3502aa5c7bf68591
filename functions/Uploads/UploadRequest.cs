using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace DanVan.Uploads;

/// <summary>
/// What an upload request says in its headers, read before a byte of the body: how the file travels
/// (multipart form or raw body), its name when raw, the Idempotency-Key and the Content-Digest.
/// </summary>
public sealed record UploadRequest(
    bool IsMultipart,
    string? Boundary,
    string? FileName,
    FileType? FileType,
    string? IdempotencyKeyHash,
    byte[]? ExpectedSha256)
{
    public const string FileNameHeader = "X-File-Name";
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ContentDigestHeader = "Content-Digest";

    public static UploadRequest Parse(HttpRequest request)
    {
        var keyHash = HashIdempotencyKey(request.Headers[IdempotencyKeyHeader].ToString());
        var digest = ParseContentDigest(request.Headers[ContentDigestHeader].ToString());
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.MediaType.Value is not { } type)
        {
            throw UploadProblems.UnsupportedMediaType();
        }

        if (type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
            if (string.IsNullOrEmpty(boundary) || boundary.Length > 70)
            {
                throw UploadProblems.InvalidMultipart("Content-Type multipart/form-data thiếu tham số boundary hợp lệ.");
            }

            return new UploadRequest(true, boundary, null, null, keyHash, digest);
        }

        if (type.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            throw UploadProblems.UnsupportedMediaType();
        }

        if (!request.Headers.TryGetValue(FileNameHeader, out var header) || string.IsNullOrWhiteSpace(header.ToString()))
        {
            throw UploadProblems.MissingFileName();
        }

        var name = FileNames.Sanitize(FileNames.DecodeHeader(header.ToString()) ?? throw UploadProblems.InvalidFileName())
            ?? throw UploadProblems.InvalidFileName();
        return new UploadRequest(false, null, name, RequireFileType(name), keyHash, digest);
    }

    /// <summary>The report format a sanitized name claims, or 415 <c>unsupported_file_type</c>.</summary>
    public static FileType RequireFileType(string fileName) =>
        FileTypes.ByName(fileName) ?? throw UploadProblems.UnsupportedFileType(fileName);

    /// <summary>Keys are stored hashed: the table row key stays short and free of forbidden characters.</summary>
    private static string? HashIdempotencyKey(string key)
    {
        if (key.Length == 0)
        {
            return null;
        }

        if (key.Length > 255 || key.Any(c => c is < ' ' or > '~'))
        {
            throw UploadProblems.InvalidIdempotencyKey();
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>
    /// The sha-256 member of an RFC 9530 <c>Content-Digest</c> dictionary (<c>sha-256=:base64:</c>);
    /// other algorithms are ignored. A header without a well-formed sha-256 member is 400 <c>invalid_digest</c>.
    /// </summary>
    public static byte[]? ParseContentDigest(string header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        foreach (var member in header.Split(','))
        {
            var eq = member.IndexOf('=');
            if (eq <= 0)
            {
                throw UploadProblems.InvalidDigest();
            }

            var algorithm = member[..eq].Trim();
            if (!algorithm.Equals("sha-256", StringComparison.Ordinal))
            {
                continue;
            }

            var value = member[(eq + 1)..].Trim();
            var semicolon = value.IndexOf(';');
            if (semicolon >= 0)
            {
                value = value[..semicolon].TrimEnd();
            }

            if (value.Length < 2 || value[0] != ':' || value[^1] != ':')
            {
                throw UploadProblems.InvalidDigest();
            }

            var bytes = new byte[32];
            return Convert.TryFromBase64String(value[1..^1], bytes, out var written) && written == 32 ? bytes : throw UploadProblems.InvalidDigest();
        }

        throw UploadProblems.InvalidDigest();
    }
}

/// <summary>A read-only view of the request body that hashes every byte read through it (the Content-Digest of a multipart body).</summary>
internal sealed class HashingReadStream(Stream inner) : Stream
{
    private readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public byte[] Hash() => sha.GetHashAndReset();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        sha.AppendData(buffer, offset, read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        sha.AppendData(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            sha.Dispose();
        }

        base.Dispose(disposing);
    }
}
