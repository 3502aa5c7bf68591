using System.Security.Cryptography;
using System.Text;
using DanVan.Domain;
using DanVan.Uploads;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace DanVan.Http;

/// <summary>
/// The edge of an upload: its headers read into an <see cref="UploadRequest"/> (how the file travels, its
/// name, the Idempotency-Key and the Content-Digest), and its body handed on with the server's own body
/// errors turned into DanVan's problems.
/// </summary>
public static class UploadRequestReader
{
    public const string FileNameHeader = "X-File-Name";
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ContentDigestHeader = "Content-Digest";

    /// <summary>The request's headers as plain values, read before a byte of the body; a bad header is its problem.</summary>
    public static UploadRequest Read(HttpRequest request)
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
        return new UploadRequest(false, null, name, UploadRequest.RequireFileType(name), keyHash, digest);
    }

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

    /// <summary>
    /// The request body for the upload service: Kestrel's own refusals while it is read become DanVan's
    /// answers (its body limit crossed: 413 <c>file_too_large</c>; a body cut short: 400 <c>body_incomplete</c>).
    /// </summary>
    public static Stream Body(HttpRequest request, long maxBytes) => new EdgeBody(request.Body, maxBytes);

    private sealed class EdgeBody(Stream inner, long maxBytes) : Reading.ReadOnlyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (BadHttpRequestException ex)
            {
                throw Translate(ex);
            }
        }

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (BadHttpRequestException ex)
            {
                throw Translate(ex);
            }
        }

        private DomainException Translate(BadHttpRequestException ex) =>
            ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? UploadProblems.FileTooLarge(maxBytes) : Problems.BodyIncomplete();
    }
}
