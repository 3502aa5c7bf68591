using System.Globalization;

namespace DanVan.Domain;

/// <summary>
/// Vietnam is UTC+7 all year (Asia/Ho_Chi_Minh has no daylight saving), so a fixed offset is exact
/// and needs no time-zone database on the host. Storage keeps UTC; people see these values.
/// </summary>
public static class VietnamTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    public static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("vi-VN");

    public static DateTimeOffset ToVietnam(DateTimeOffset instant) => instant.ToOffset(Offset);

    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(Offset).DateTime);

    public static DateOnly Today(TimeProvider clock) => DateOf(clock.GetUtcNow());

    /// <summary>
    /// The calendar dates DanVan takes from people (a unit's dates, a deadline): 1/1/1900 to 31/12/2099. Outside
    /// them a date is a typing mistake, and 31/12/9999 has no next day to compute with.
    /// </summary>
    public static readonly DateOnly FirstDate = new(1900, 1, 1);

    public static readonly DateOnly LastDate = new(2099, 12, 31);

    public static bool IsInRange(DateOnly date) => date >= FirstDate && date <= LastDate;

    /// <summary>00:00 Vietnam time on <paramref name="date"/>.</summary>
    public static DateTimeOffset StartOfDay(DateOnly date) => new(date.ToDateTime(TimeOnly.MinValue), Offset);

    /// <summary>"14/05/2026 23:59" as Vietnamese readers write it.</summary>
    public static string FormatDateTime(DateTimeOffset instant) =>
        ToVietnam(instant).ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture);

    public static string FormatDate(DateOnly date) => date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    /// <summary>How the deadline reads in a sentence: "trước 00:00 ngày 15/05/2026".</summary>
    public static string DescribeDeadline(DateTimeOffset deadline) =>
        $"trước {ToVietnam(deadline):HH:mm} ngày {ToVietnam(deadline).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)}";

    /// <summary>Unit names sort the way Vietnamese readers expect (vi-VN collation).</summary>
    public static readonly StringComparer NameComparer = StringComparer.Create(Culture, CompareOptions.None);
}
