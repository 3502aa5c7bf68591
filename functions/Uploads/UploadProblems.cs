using DanVan.Domain;
using DanVan.Http;

namespace DanVan.Uploads;

/// <summary>Why an upload is refused: stable English codes, Vietnamese words for people.</summary>
public static class UploadProblems
{
    public static ProblemException EmptyFile() =>
        new(400, "empty_file", "Tệp rỗng", "Tệp báo cáo không có nội dung.");

    public static ProblemException FileTooLarge(long maxBytes) =>
        new(413, "file_too_large", "Tệp quá lớn", $"Tệp báo cáo vượt quá giới hạn {maxBytes.ToString("N0", VietnamTime.Culture)} byte ({(maxBytes / (1024.0 * 1024.0)).ToString("0.#", VietnamTime.Culture)} MB).");

    public static ProblemException UnsupportedFileType(string fileName) =>
        new(415, "unsupported_file_type", "Định dạng tệp không được chấp nhận",
            $"Tệp \"{fileName}\" không thuộc các định dạng được chấp nhận: PDF, DOCX, DOC, XLSX, XLS, ODT, ODS.");

    public static ProblemException FileTypeMismatch(string fileName, string extension) =>
        new(415, "file_type_mismatch", "Nội dung tệp không khớp với phần mở rộng",
            $"Tệp \"{fileName}\" có phần mở rộng .{extension} nhưng nội dung không phải là tệp .{extension} hợp lệ.");

    public static ProblemException InvalidDigest() =>
        new(400, "invalid_digest", "Giá trị Content-Digest không hợp lệ",
            "Tiêu đề Content-Digest phải có dạng sha-256=:<base64 của 32 byte>: (RFC 9530).");

    public static ProblemException DigestMismatch() =>
        new(400, "digest_mismatch", "Mã băm không khớp",
            "Mã băm SHA-256 của nội dung nhận được khác với giá trị trong Content-Digest: tệp có thể đã bị hỏng trên đường truyền.");

    public static ProblemException PeriodNotOpen(Period period) =>
        new(409, "period_not_open", "Kỳ báo cáo chưa mở",
            $"{period.Title} bắt đầu nhận báo cáo từ {VietnamTime.FormatDateTime(period.OpensAt)}.");

    public static ProblemException PeriodFinalized(Period period, DateTimeOffset finalizedAt) =>
        new(409, "period_finalized", "Kỳ báo cáo đã khóa sổ",
            $"{period.Title} đã được Sở Nội vụ khóa sổ lúc {VietnamTime.FormatDateTime(finalizedAt)}; không nhận thêm báo cáo.");

    public static ProblemException UnitInactive(Unit unit, Period period) =>
        new(409, "unit_inactive", "Đơn vị không thuộc diện báo cáo",
            $"Đơn vị \"{unit.Name}\" không thuộc diện phải nộp {period.Title} (không hoạt động vào ngày {VietnamTime.FormatDate(period.LastOnTimeDay)}).");

    public static ProblemException UnitRequired() =>
        new(400, "unit_required", "Thiếu mã đơn vị",
            "Quản trị viên nộp báo cáo thay đơn vị phải chỉ rõ đơn vị bằng tham số ?unit={mã đơn vị}.");

    public static ProblemException MissingFilePart() =>
        new(400, "missing_file_part", "Thiếu tệp báo cáo", "Biểu mẫu multipart/form-data phải có đúng một phần tên \"file\" chứa tệp báo cáo.");

    public static ProblemException MultipleFileParts() =>
        new(400, "multiple_file_parts", "Nhiều tệp trong một lần nộp", "Mỗi lần nộp chỉ được gửi một tệp báo cáo (một phần \"file\").");

    public static ProblemException MissingFileName() =>
        new(400, "missing_file_name", "Thiếu tên tệp",
            "Cần tên tệp: tiêu đề X-File-Name (mã hóa phần trăm UTF-8) khi gửi tệp trực tiếp, hoặc filename trong phần \"file\" của biểu mẫu.");

    public static ProblemException InvalidFileName() =>
        new(400, "invalid_file_name", "Tên tệp không hợp lệ",
            "Không đọc được tên tệp: X-File-Name phải là tên tệp UTF-8 được mã hóa phần trăm (ví dụ B%C3%A1o%20c%C3%A1o.pdf).");

    public static ProblemException UnsupportedMediaType() =>
        new(415, "unsupported_media_type", "Kiểu nội dung không được hỗ trợ",
            "Gửi tệp bằng multipart/form-data (phần \"file\"), hoặc gửi trực tiếp nội dung tệp kèm Content-Type và X-File-Name.");

    public static ProblemException InvalidMultipart(string detail) =>
        new(400, "invalid_multipart", "Biểu mẫu multipart không hợp lệ", detail);

    public static ProblemException NoteTooLong(int maxChars) =>
        new(400, "note_too_long", "Ghi chú quá dài", $"Ghi chú dài tối đa {maxChars} ký tự.");

    public static ProblemException InvalidIdempotencyKey() =>
        new(400, "invalid_idempotency_key", "Idempotency-Key không hợp lệ", "Idempotency-Key phải dài từ 1 đến 255 ký tự ASCII in được.");

    /// <summary><paramref name="version"/> as the route gave it, also when it is no number at all (shown cut to 20 characters).</summary>
    public static ProblemException UnknownVersion(string unitCode, string version) =>
        new(404, "unknown_version", "Không tìm thấy phiên bản",
            $"Đơn vị \"{unitCode}\" không có phiên bản \"{(version.Length > 20 ? version[..20] + "…" : version)}\" trong kỳ báo cáo này.");

    public static ProblemException ContentLengthMismatch(long contentLength) =>
        new(400, "content_length_mismatch", "Kích thước nội dung không khớp",
            $"Nội dung nhận được không dài đúng {contentLength.ToString("N0", VietnamTime.Culture)} byte như tiêu đề Content-Length: tệp có thể đã bị cắt trên đường truyền.");

    public static ProblemException IdempotencyKeyReused(int version) =>
        new(422, "idempotency_key_reused", "Khoá Idempotency-Key đã dùng cho tệp khác",
            $"Khoá Idempotency-Key này đã được dùng cho phiên bản {version} với nội dung khác; tệp này chưa được lưu. Hãy dùng một khoá mới cho mỗi tệp mới.");

    public static ProblemException Busy() => RetryLater(
        new(503, "upload_busy", "Hệ thống đang bận", "Có quá nhiều lượt nộp cùng lúc cho kỳ báo cáo này nên tệp chưa được lưu. Vui lòng gửi lại."));

    public static ProblemException StorageInterrupted() => RetryLater(
        new(503, "upload_interrupted", "Việc lưu tệp bị gián đoạn",
            "Kho lưu trữ không xác nhận đã lưu tệp. Vui lòng gửi lại (cùng Idempotency-Key nếu có: nếu tệp đã được lưu, biên nhận cũ sẽ được trả lại)."));

    /// <summary>A 503 says when to try again (RFC 9110 Retry-After, in seconds).</summary>
    private static ProblemException RetryLater(ProblemException problem)
    {
        problem.Headers["Retry-After"] = "5";
        return problem;
    }
}
