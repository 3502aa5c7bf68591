using DanVan.Domain;

namespace DanVan.Uploads;

/// <summary>Why an upload is refused, in Vietnamese words for people; the codes are in <see cref="RefusalCodes"/>.</summary>
public static class UploadProblems
{
    public static DomainException EmptyFile() => RefusalCodes.EmptyFile.Because("Tệp báo cáo không có nội dung.");

    public static DomainException FileTooLarge(long maxBytes) =>
        RefusalCodes.FileTooLarge.Because($"Tệp báo cáo vượt quá giới hạn {maxBytes.ToString("N0", VietnamTime.Culture)} byte ({(maxBytes / (1024.0 * 1024.0)).ToString("0.#", VietnamTime.Culture)} MB).");

    public static DomainException UnsupportedFileType(string fileName) =>
        RefusalCodes.UnsupportedFileType.Because($"Tệp \"{fileName}\" không thuộc các định dạng được chấp nhận: PDF, DOCX, DOC, XLSX, XLS, ODT, ODS.");

    public static DomainException FileTypeMismatch(string fileName, string extension) =>
        RefusalCodes.FileTypeMismatch.Because($"Tệp \"{fileName}\" có phần mở rộng .{extension} nhưng nội dung không phải là tệp .{extension} hợp lệ.");

    public static DomainException InvalidDigest() =>
        RefusalCodes.InvalidDigest.Because("Tiêu đề Content-Digest phải có dạng sha-256=:<base64 của 32 byte>: (RFC 9530).");

    public static DomainException DigestMismatch() =>
        RefusalCodes.DigestMismatch.Because("Mã băm SHA-256 của nội dung nhận được khác với giá trị trong Content-Digest: tệp có thể đã bị hỏng trên đường truyền.");

    public static DomainException MissingFilePart() =>
        RefusalCodes.MissingFilePart.Because("Biểu mẫu multipart/form-data phải có đúng một phần tên \"file\" chứa tệp báo cáo.");

    public static DomainException MultipleFileParts() =>
        RefusalCodes.MultipleFileParts.Because("Mỗi lần nộp chỉ được gửi một tệp báo cáo (một phần \"file\").");

    public static DomainException MissingFileName() =>
        RefusalCodes.MissingFileName.Because("Cần tên tệp: tiêu đề X-File-Name (mã hóa phần trăm UTF-8) khi gửi tệp trực tiếp, hoặc filename trong phần \"file\" của biểu mẫu.");

    public static DomainException InvalidFileName() =>
        RefusalCodes.InvalidFileName.Because("Không đọc được tên tệp: X-File-Name phải là tên tệp UTF-8 được mã hóa phần trăm (ví dụ B%C3%A1o%20c%C3%A1o.pdf).");

    public static DomainException UnsupportedMediaType() =>
        RefusalCodes.UnsupportedMediaType.Because("Gửi tệp bằng multipart/form-data (phần \"file\"), hoặc gửi trực tiếp nội dung tệp kèm Content-Type và X-File-Name.");

    public static DomainException InvalidMultipart(string detail) => RefusalCodes.InvalidMultipart.Because(detail);

    public static DomainException InvalidIdempotencyKey() =>
        RefusalCodes.InvalidIdempotencyKey.Because("Idempotency-Key phải dài từ 1 đến 255 ký tự ASCII in được.");

    /// <summary><paramref name="version"/> as the route gave it, also when it is no number at all (shown cut to 20 characters).</summary>
    public static DomainException UnknownVersion(string unitCode, string version) =>
        RefusalCodes.UnknownVersion.Because($"Đơn vị \"{unitCode}\" không có phiên bản \"{(version.Length > 20 ? version[..20] + "…" : version)}\" trong kỳ báo cáo này.");

    public static DomainException ContentLengthMismatch(long contentLength) =>
        RefusalCodes.ContentLengthMismatch.Because($"Nội dung nhận được không dài đúng {contentLength.ToString("N0", VietnamTime.Culture)} byte như tiêu đề Content-Length: tệp có thể đã bị cắt trên đường truyền.");

    public static DomainException IdempotencyKeyReused(int version) =>
        RefusalCodes.IdempotencyKeyReused.Because($"Khoá Idempotency-Key này đã được dùng cho phiên bản {version} với nội dung khác; tệp này chưa được lưu. Hãy dùng một khoá mới cho mỗi tệp mới.");

    public static DomainException Busy() =>
        new(RefusalCodes.UploadBusy, "Có quá nhiều lượt nộp cùng lúc cho kỳ báo cáo này nên tệp chưa được lưu. Vui lòng gửi lại.") { RetryAfter = DomainException.ShortWait };

    public static DomainException StorageInterrupted() =>
        new(RefusalCodes.UploadInterrupted, "Kho lưu trữ không xác nhận đã lưu tệp. Vui lòng gửi lại (cùng Idempotency-Key nếu có: nếu tệp đã được lưu, biên nhận cũ sẽ được trả lại).")
        {
            RetryAfter = DomainException.ShortWait,
        };
}
