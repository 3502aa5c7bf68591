namespace DanVan.Domain;

/// <summary>
/// Every refusal DanVan answers with, each code defined here once: its kind (which alone decides the HTTP status,
/// in <c>Http/ProblemMiddleware</c>), its stable English code and its Vietnamese title. The words of a particular
/// case (the detail) are written where it is refused, by the folder's factories (e.g. <c>Uploads/UploadProblems</c>).
/// A code used by several folders (<see cref="PeriodFinalized"/>, <see cref="UnknownUnit"/>) is still this one entry.
/// </summary>
public static class RefusalCodes
{
    // Any request
    public static readonly RefusalCode Unauthorized = new(Refusal.Unauthenticated, "unauthorized", "Chưa xác thực");
    public static readonly RefusalCode Forbidden = new(Refusal.Forbidden, "forbidden", "Không có quyền");
    public static readonly RefusalCode RoleRequired = new(Refusal.Forbidden, "role_required", "Không đủ vai trò");
    public static readonly RefusalCode UnitEnded = new(Refusal.Forbidden, "unit_ended", "Đơn vị đã ngừng hoạt động");
    public static readonly RefusalCode IdentityUnavailable = new(Refusal.Unavailable, "identity_unavailable", "Tạm thời không kiểm tra được đăng nhập");
    public static readonly RefusalCode StorageUnavailable = new(Refusal.Unavailable, "storage_unavailable", "Hệ thống tạm thời không truy cập được kho lưu trữ");
    public static readonly RefusalCode InternalError = new(Refusal.Failure, "internal_error", "Lỗi hệ thống");
    public static readonly RefusalCode TooManyRequests = new(Refusal.TooManyRequests, "too_many_requests", "Quá nhiều yêu cầu");
    public static readonly RefusalCode NotFound = new(Refusal.NotFound, "not_found", "Không tìm thấy");
    public static readonly RefusalCode InvalidParameter = new(Refusal.Invalid, "invalid_parameter", "Tham số không hợp lệ");
    public static readonly RefusalCode ValidationFailed = new(Refusal.Invalid, "validation_failed", "Dữ liệu không hợp lệ");
    public static readonly RefusalCode InvalidJson = new(Refusal.Invalid, "invalid_json", "Dữ liệu JSON không hợp lệ");
    public static readonly RefusalCode BodyTooLarge = new(Refusal.TooLarge, "body_too_large", "Dữ liệu quá lớn");
    public static readonly RefusalCode BodyIncomplete = new(Refusal.Invalid, "body_incomplete", "Nội dung yêu cầu không trọn vẹn");
    public static readonly RefusalCode UnsupportedMediaType = new(Refusal.UnsupportedType, "unsupported_media_type", "Kiểu nội dung không được hỗ trợ");
    public static readonly RefusalCode NoteTooLong = new(Refusal.Invalid, "note_too_long", "Ghi chú quá dài");

    // Periods and units
    public static readonly RefusalCode UnknownPeriod = new(Refusal.NotFound, "unknown_period", "Không tìm thấy kỳ báo cáo");
    public static readonly RefusalCode UnknownUnit = new(Refusal.NotFound, "unknown_unit", "Không tìm thấy đơn vị");
    public static readonly RefusalCode PeriodNotOpen = new(Refusal.Conflict, "period_not_open", "Kỳ báo cáo chưa mở");
    public static readonly RefusalCode PeriodFinalized = new(Refusal.Conflict, "period_finalized", "Kỳ báo cáo đã khóa sổ");
    public static readonly RefusalCode UnitInactive = new(Refusal.Conflict, "unit_inactive", "Đơn vị không thuộc diện báo cáo");
    public static readonly RefusalCode UnitRequired = new(Refusal.Invalid, "unit_required", "Thiếu mã đơn vị");

    // Uploads
    public static readonly RefusalCode EmptyFile = new(Refusal.Invalid, "empty_file", "Tệp rỗng");
    public static readonly RefusalCode FileTooLarge = new(Refusal.TooLarge, "file_too_large", "Tệp quá lớn");
    public static readonly RefusalCode UnsupportedFileType = new(Refusal.UnsupportedType, "unsupported_file_type", "Định dạng tệp không được chấp nhận");
    public static readonly RefusalCode FileTypeMismatch = new(Refusal.UnsupportedType, "file_type_mismatch", "Nội dung tệp không khớp với phần mở rộng");
    public static readonly RefusalCode InvalidDigest = new(Refusal.Invalid, "invalid_digest", "Giá trị Content-Digest không hợp lệ");
    public static readonly RefusalCode DigestMismatch = new(Refusal.Invalid, "digest_mismatch", "Mã băm không khớp");
    public static readonly RefusalCode MissingFilePart = new(Refusal.Invalid, "missing_file_part", "Thiếu tệp báo cáo");
    public static readonly RefusalCode MultipleFileParts = new(Refusal.Invalid, "multiple_file_parts", "Nhiều tệp trong một lần nộp");
    public static readonly RefusalCode MissingFileName = new(Refusal.Invalid, "missing_file_name", "Thiếu tên tệp");
    public static readonly RefusalCode InvalidFileName = new(Refusal.Invalid, "invalid_file_name", "Tên tệp không hợp lệ");
    public static readonly RefusalCode InvalidMultipart = new(Refusal.Invalid, "invalid_multipart", "Biểu mẫu multipart không hợp lệ");
    public static readonly RefusalCode InvalidIdempotencyKey = new(Refusal.Invalid, "invalid_idempotency_key", "Idempotency-Key không hợp lệ");
    public static readonly RefusalCode IdempotencyKeyReused = new(Refusal.Unacceptable, "idempotency_key_reused", "Khoá Idempotency-Key đã dùng cho tệp khác");
    public static readonly RefusalCode UnknownVersion = new(Refusal.NotFound, "unknown_version", "Không tìm thấy phiên bản");
    public static readonly RefusalCode ContentLengthMismatch = new(Refusal.Invalid, "content_length_mismatch", "Kích thước nội dung không khớp");
    public static readonly RefusalCode UploadBusy = new(Refusal.Unavailable, "upload_busy", "Hệ thống đang bận");
    public static readonly RefusalCode UploadInterrupted = new(Refusal.Unavailable, "upload_interrupted", "Việc lưu tệp bị gián đoạn");

    // Signatures
    public static readonly RefusalCode SignatureMissing = new(Refusal.Unacceptable, "signature_missing", "Tệp PDF chưa được ký số");
    public static readonly RefusalCode SignatureContentAppended = new(Refusal.Unacceptable, "signature_content_appended", "Tệp có nội dung được thêm sau chữ ký số");
    public static readonly RefusalCode SignatureInvalid = new(Refusal.Unacceptable, "signature_invalid", "Chữ ký số không hợp lệ");
    public static readonly RefusalCode SignatureUnverified = new(Refusal.Unavailable, "signature_unverified", "Chưa kiểm tra được chữ ký số");
    public static readonly RefusalCode SignedPdfRequired = new(Refusal.Unacceptable, "signed_pdf_required", "Chỉ nhận báo cáo PDF có chữ ký số");

    // Figures
    public static readonly RefusalCode UnknownReport = new(Refusal.NotFound, "unknown_report", "Không tìm thấy loại báo cáo");
    public static readonly RefusalCode NoIndicators = new(Refusal.Conflict, "no_indicators", "Kỳ báo cáo chưa có chỉ tiêu số liệu");
    public static readonly RefusalCode InvalidWorkbook = new(Refusal.Invalid, "invalid_workbook", "Không đọc được bảng tính");
    public static readonly RefusalCode WorkbookMacros = new(Refusal.Invalid, "workbook_macros", "Bảng tính chứa macro");
    public static readonly RefusalCode WorkbookFormulas = new(Refusal.Invalid, "workbook_formulas", "Bảng tính chứa công thức");
    public static readonly RefusalCode NotATemplate = new(Refusal.Invalid, "not_a_template", "Không phải biểu mẫu số liệu của DanVan");
    public static readonly RefusalCode TemplateWrongPeriod = new(Refusal.Invalid, "template_wrong_period", "Biểu mẫu của kỳ báo cáo khác");
    public static readonly RefusalCode TemplateWrongUnit = new(Refusal.Invalid, "template_wrong_unit", "Biểu mẫu của đơn vị khác");
    public static readonly RefusalCode TemplateOutdated = new(Refusal.Invalid, "template_outdated", "Biểu mẫu theo danh mục chỉ tiêu cũ");
    public static readonly RefusalCode TemplateAltered = new(Refusal.Invalid, "template_altered", "Biểu mẫu đã bị sửa cấu trúc");
    public static readonly RefusalCode WorkbookTooLarge = new(Refusal.TooLarge, "workbook_too_large", "Tệp số liệu quá lớn");

    // Decisions
    public static readonly RefusalCode NothingToReview = new(Refusal.Conflict, "nothing_to_review", "Đơn vị chưa nộp báo cáo");
    public static readonly RefusalCode VersionNotLatest = new(Refusal.Conflict, "version_not_latest", "Phiên bản không phải bản mới nhất");
    public static readonly RefusalCode NoExtension = new(Refusal.Conflict, "no_extension", "Đơn vị không được gia hạn");
    public static readonly RefusalCode NoExemption = new(Refusal.Conflict, "no_exemption", "Đơn vị không được miễn nộp");
    public static readonly RefusalCode DecisionConflict = new(Refusal.Conflict, "decision_conflict", "Quyết định vừa bị thay đổi");
    public static readonly RefusalCode DecisionChanged = new(Refusal.PreconditionFailed, "decision_changed", "Quyết định đã thay đổi");
    public static readonly RefusalCode UnitNotRequired = new(Refusal.Conflict, "unit_not_required", "Đơn vị không thuộc diện báo cáo");

    // Compilation
    public static readonly RefusalCode NoCompilation = new(Refusal.NotFound, "no_compilation", "Chưa có bản tổng hợp");
    public static readonly RefusalCode NoReport = new(Refusal.NotFound, "no_report", "Đơn vị chưa nộp báo cáo");

    // Unit registry imports (a file that cannot be read at all shares one title; see Registry/UnitFileReader)
    public static readonly RefusalCode UnsupportedImportFormat = new(Refusal.Invalid, "unsupported_import_format", "Không đọc được tệp danh sách đơn vị");
    public static readonly RefusalCode InvalidCsv = new(Refusal.Invalid, "invalid_csv", "Không đọc được tệp danh sách đơn vị");
    public static readonly RefusalCode InvalidEncoding = new(Refusal.Invalid, "invalid_encoding", "Không đọc được tệp danh sách đơn vị");
    public static readonly RefusalCode InvalidXlsx = new(Refusal.Invalid, "invalid_xlsx", "Không đọc được tệp danh sách đơn vị");
    public static readonly RefusalCode MacrosNotAllowed = new(Refusal.Invalid, "macros_not_allowed", "Không đọc được tệp danh sách đơn vị");
    public static readonly RefusalCode MissingColumns = new(Refusal.Invalid, "missing_columns", "Không đọc được tệp danh sách đơn vị");
    public static readonly RefusalCode TooManyRows = new(Refusal.Invalid, "too_many_rows", "Không đọc được tệp danh sách đơn vị");
    public static readonly RefusalCode ImportPreviewOutdated = new(Refusal.Conflict, "import_preview_outdated", "Bản xem trước đã cũ");

    // Email ledger
    public static readonly RefusalCode EmailChanged = new(Refusal.Conflict, "email_changed", "Thư vừa thay đổi trạng thái");
    public static readonly RefusalCode EmailNotResendable = new(Refusal.Conflict, "email_not_resendable", "Không thể gửi lại thư này");

    // Backup and restore
    public static readonly RefusalCode BackupFailed = new(Refusal.Conflict, "backup_failed", "Chưa sao lưu được dữ liệu");
    public static readonly RefusalCode UnknownBackup = new(Refusal.NotFound, "unknown_backup", "Không tìm thấy bản sao lưu");
    public static readonly RefusalCode RestoreTargetNotEmpty = new(Refusal.Conflict, "restore_target_not_empty", "Nơi khôi phục không trống");
    public static readonly RefusalCode BackupDamaged = new(Refusal.Conflict, "backup_damaged", "Bản sao lưu bị hỏng");
}
