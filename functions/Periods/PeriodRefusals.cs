using DanVan.Domain;

namespace DanVan.Periods;

/// <summary>The refusals of acting on a period (<see cref="PeriodTargets"/>; a version refused because the period closed meanwhile).</summary>
public static class PeriodRefusals
{
    public static DomainException NotOpen(Period period) =>
        new(Refusal.Conflict, "period_not_open", "Kỳ báo cáo chưa mở",
            $"{period.Title} bắt đầu nhận báo cáo từ {VietnamTime.FormatDateTime(period.OpensAt)}.");

    public static DomainException Finalized(Period period, DateTimeOffset finalizedAt) =>
        new(Refusal.Conflict, "period_finalized", "Kỳ báo cáo đã khóa sổ",
            $"{period.Title} đã được Sở Nội vụ khóa sổ lúc {VietnamTime.FormatDateTime(finalizedAt)}; không nhận thêm báo cáo.");

    public static DomainException UnitInactive(Unit unit, Period period) =>
        new(Refusal.Conflict, "unit_inactive", "Đơn vị không thuộc diện báo cáo",
            $"Đơn vị \"{unit.Name}\" không thuộc diện phải nộp {period.Title} (không hoạt động vào ngày {VietnamTime.FormatDate(period.LastOnTimeDay)}).");

    public static DomainException UnitRequired() =>
        new(Refusal.Invalid, "unit_required", "Thiếu mã đơn vị",
            "Quản trị viên nộp báo cáo thay đơn vị phải chỉ rõ đơn vị bằng tham số ?unit={mã đơn vị}.");

    public static DomainException UnknownUnit(string unitCode) =>
        new(Refusal.NotFound, "unknown_unit", "Không tìm thấy đơn vị", $"Đơn vị \"{unitCode}\" không có trong danh sách đơn vị.");
}
