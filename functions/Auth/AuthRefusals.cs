using DanVan.Domain;

namespace DanVan.Auth;

/// <summary>The refusals of a credential (a unit's access code, a staff token), worded here; their codes are in <see cref="RefusalCodes"/>.</summary>
public static class AuthRefusals
{
    public static DomainException Unauthorized() =>
        RefusalCodes.Unauthorized.Because("Thiếu hoặc sai thông tin xác thực (Authorization: Bearer …).");

    /// <summary>A unit's credential after the unit's last day in the registry.</summary>
    public static DomainException UnitEnded(Unit unit) =>
        RefusalCodes.UnitEnded.Because(
            $"Đơn vị \"{unit.Name}\" đã kết thúc hoạt động ngày {VietnamTime.FormatDate(unit.ActiveTo!.Value)}; mã truy cập của đơn vị không còn dùng được. Báo cáo đã nộp vẫn được lưu trong hồ sơ.");
}
