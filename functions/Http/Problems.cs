using DanVan.Domain;
namespace DanVan.Http;

/// <summary>The problems every part of the API shares. Feature-specific ones live beside their feature.</summary>
public static class Problems
{
    public static ProblemException Unauthorized()
    {
        var p = new ProblemException(401, "unauthorized", "Chưa xác thực", "Thiếu hoặc sai thông tin xác thực (Authorization: Bearer …).");
        p.Headers["WWW-Authenticate"] = "Bearer realm=\"danvan\"";
        return p;
    }

    /// <summary>Storage did not answer (after the SDK's retries): try again shortly.</summary>
    public static ProblemException StorageUnavailable()
    {
        var problem = new ProblemException(503, "storage_unavailable", "Hệ thống tạm thời không truy cập được kho lưu trữ",
            "Kho lưu trữ dữ liệu không phản hồi. Vui lòng thử lại sau ít phút.");
        problem.Headers["Retry-After"] = "5";
        return problem;
    }

    public static ProblemException Forbidden() =>
        new(403, "forbidden", "Không có quyền", "Thông tin xác thực này không được phép thực hiện thao tác này.");

    /// <summary>A unit's credential after the unit's last day in the registry.</summary>
    public static ProblemException UnitEnded(Unit unit) =>
        new(403, "unit_ended", "Đơn vị đã ngừng hoạt động",
            $"Đơn vị \"{unit.Name}\" đã kết thúc hoạt động ngày {VietnamTime.FormatDate(unit.ActiveTo!.Value)}; mã truy cập của đơn vị không còn dùng được. Báo cáo đã nộp vẫn được lưu trong hồ sơ.");

    public static ProblemException UnknownUnit(string unitCode) =>
        new(404, "unknown_unit", "Không tìm thấy đơn vị", $"Đơn vị \"{unitCode}\" không có trong danh sách đơn vị.");

    public static ProblemException InvalidJson(string detail) =>
        new(400, "invalid_json", "Dữ liệu JSON không hợp lệ", detail);

    public static ProblemException BodyTooLarge(long maxBytes) =>
        new(413, "body_too_large", "Dữ liệu quá lớn", $"Nội dung yêu cầu vượt quá {maxBytes.ToString("N0", Domain.VietnamTime.Culture)} byte.");

    public static ProblemException BodyIncomplete() =>
        new(400, "body_incomplete", "Nội dung yêu cầu không trọn vẹn",
            "Nội dung yêu cầu bị ngắt giữa chừng hoặc ngắn hơn tiêu đề Content-Length nên chưa được xử lý. Vui lòng gửi lại.");

    public static ProblemException Validation(string detail, IReadOnlyList<Violation> errors) =>
        new(400, "validation_failed", "Dữ liệu không hợp lệ", detail, errors);

    public static ProblemException BadParameter(string name, string detail) =>
        new(400, "invalid_parameter", "Tham số không hợp lệ", detail, [new Violation(null, name, "invalid", detail)]);

    public static ProblemException NotFound(string detail) =>
        new(404, "not_found", "Không tìm thấy", detail);
}
