namespace DanVan.Uploads;

/// <summary>
/// What an upload request says in its headers (read at the edge by <see cref="Http.UploadRequestReader"/>, before a byte of the body): how the file travels
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
    /// <summary>The report format a sanitized name claims, or 415 <c>unsupported_file_type</c>.</summary>
    public static FileType RequireFileType(string fileName) =>
        FileTypes.ByName(fileName) ?? throw UploadProblems.UnsupportedFileType(fileName);
}
