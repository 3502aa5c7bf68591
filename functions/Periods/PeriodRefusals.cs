using DanVan.Domain;

namespace DanVan.Periods;

/// <summary>The refusals of acting on a period (<see cref="PeriodTargets"/>; a version refused because the period closed meanwhile).</summary>
public static class PeriodRefusals
{
    public static DomainException NotOpen(Period period) =>
        RefusalCodes.PeriodNotOpen.Because($"{period.Title} bắt đầu nhận báo cáo từ {VietnamTime.FormatDateTime(period.OpensAt)}.");

    public static DomainException Finalized(Period period, DateTimeOffset finalizedAt) =>
        RefusalCodes.PeriodFinalized.Because($"{period.Title} đã được Sở Nội vụ khóa sổ lúc {VietnamTime.FormatDateTime(finalizedAt)}; không nhận thêm báo cáo.");

    public static DomainException UnitInactive(Unit unit, Period period) =>
        RefusalCodes.UnitInactive.Because($"Đơn vị \"{unit.Name}\" không thuộc diện phải nộp {period.Title} (không hoạt động vào ngày {VietnamTime.FormatDate(period.LastOnTimeDay)}).");

    public static DomainException UnitRequired() =>
        RefusalCodes.UnitRequired.Because("Quản trị viên nộp báo cáo thay đơn vị phải chỉ rõ đơn vị bằng tham số ?unit={mã đơn vị}.");
}
