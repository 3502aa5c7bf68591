using System.Text;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace DanVan.Uploads;

/// <summary>A file received into staged blocks (not yet committed), with what came beside it.</summary>
internal sealed record ReceivedFile(string FileName, FileType Type, StagedFile Staged, string? Note, byte[] BodySha256);

/// <summary>
/// Reads an upload sent as <c>multipart/form-data</c>: the one <c>file</c> part streamed into staged blocks,
/// the optional <c>note</c>, small unknown fields drained and ignored, anything else refused.
/// </summary>
internal static class MultipartReceiver
{
    /// <summary>
    /// Reads every part: exactly one <c>file</c> (streamed into the blob), an optional <c>note</c>, other
    /// small fields ignored. When a Content-Digest is given the whole body is hashed on the way: it
    /// covers the message content (RFC 9530), not the file inside it. <paramref name="hashFor"/> gives what
    /// sees the file's bytes on their way, once its type is known from its name.
    /// </summary>
    public static async Task<ReceivedFile> ReceiveAsync(Stream body, UploadRequest form, BlockBlobClient blob, long maxBytes, Func<FileType, BodyHash> hashFor, CancellationToken ct)
    {
        await using var hashing = form.ExpectedSha256 is null ? null : new HashingReadStream(body);
        var source = (Stream?)hashing ?? body;
        var reader = new MultipartReader(form.Boundary!, source) { BodyLengthLimit = maxBytes + 1 };
        (string Name, FileType Type, StagedFile Staged)? file = null;
        string? note = null;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    throw UploadProblems.InvalidMultipart("Mỗi phần của biểu mẫu phải có Content-Disposition: form-data; name=\"…\".");
                }

                switch (HeaderUtilities.RemoveQuotes(disposition.Name).Value)
                {
                    case "file":
                        if (file is not null)
                        {
                            throw UploadProblems.MultipleFileParts();
                        }

                        var sent = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                        if (string.IsNullOrWhiteSpace(sent))
                        {
                            throw UploadProblems.MissingFileName();
                        }

                        var name = FileNames.Sanitize(sent) ?? throw UploadProblems.InvalidFileName();
                        var type = UploadRequest.RequireFileType(name);
                        var staged = await BlockStager.StageAsync(blob, section.Body, maxBytes, head => UploadService.CheckContent(name, type, head), hashFor(type), ct);
                        file = (name, type, staged);
                        break;
                    case "note":
                        note = await ReadNoteAsync(section.Body, ct);
                        break;
                    default:
                        await DrainSmallAsync(section.Body, ct);
                        break;
                }
            }

            await DrainSmallAsync(source, ct);
        }
        catch (Exception ex) when (ex is InvalidDataException || ex is IOException)
        {
            throw UploadProblems.InvalidMultipart("Không đọc được biểu mẫu multipart/form-data: " + ex.Message);
        }

        if (file is not { } f)
        {
            throw UploadProblems.MissingFilePart();
        }

        return new ReceivedFile(f.Name, f.Type, f.Staged, note, hashing?.Hash() ?? []);
    }

    private static async Task<string?> ReadNoteAsync(Stream body, CancellationToken ct)
    {
        var maxBytes = UploadService.MaxNoteLength * 4 + 1;
        var buffer = new byte[maxBytes];
        var total = 0;
        int read;
        while (total < maxBytes && (read = await body.ReadAsync(buffer.AsMemory(total, maxBytes - total), ct)) > 0)
        {
            total += read;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(buffer, 0, total).Normalize(NormalizationForm.FormC).Trim();
        }
        catch (DecoderFallbackException)
        {
            throw UploadProblems.InvalidMultipart("Ghi chú phải là văn bản UTF-8.");
        }

        if (total == maxBytes || text.Length > UploadService.MaxNoteLength)
        {
            throw Domain.DomainException.NoteTooLong(UploadService.MaxNoteLength);
        }

        text = new string(text.Where(c => !char.IsControl(c) || c is '\n' or '\t').ToArray());
        return text.Length == 0 ? null : text;
    }

    /// <summary>Reads and discards a part DanVan does not use, refusing one that is not small.</summary>
    private static async Task DrainSmallAsync(Stream body, CancellationToken ct)
    {
        const int limit = 64 * 1024;
        var buffer = new byte[8192];
        var total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > limit)
            {
                throw UploadProblems.InvalidMultipart("Biểu mẫu chứa phần dữ liệu lạ quá lớn; chỉ gửi phần \"file\" và \"note\".");
            }
        }
    }
}
