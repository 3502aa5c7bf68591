using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using DanVan.Domain;
using DanVan.Http;

namespace DanVan.Registry;

/// <summary>
/// A unit as the API reads and writes it: <c>{code, name, group, emails, headEmail, activeFrom, activeTo}</c>,
/// dates as Vietnam calendar dates (yyyy-MM-dd), <c>activeTo</c> empty while the unit is active.
/// </summary>
public sealed record UnitRecord(
    string? Code,
    string? Name,
    string? Group,
    IReadOnlyList<string>? Emails,
    string? HeadEmail,
    string? ActiveFrom,
    string? ActiveTo)
{
    public static UnitRecord From(Unit unit) => new(
        unit.Code,
        unit.Name,
        unit.Group,
        unit.Emails,
        unit.HeadEmail,
        unit.ActiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        unit.ActiveTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
}

public static partial class UnitRules
{
    public const int MaxCodeLength = 63;
    public const int MaxNameLength = 200;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Slug();

    public static bool IsValidCode(string? code) => code is { Length: > 0 and <= MaxCodeLength } && Slug().IsMatch(code);

    /// <summary>
    /// Checks one record and turns it into a <see cref="Unit"/>; every problem found is added to
    /// <paramref name="errors"/> (with <paramref name="index"/> for imports).
    /// </summary>
    public static Unit? Validate(UnitRecord record, int? index, List<Violation> errors)
    {
        var before = errors.Count;
        void Fail(string field, string code, string detail) => errors.Add(new Violation(index, field, code, detail));

        if (!IsValidCode(record.Code))
        {
            Fail("code", "invalid_code", "Mã đơn vị phải là chữ thường không dấu, số và dấu gạch ngang (ví dụ: so-noi-vu), tối đa 63 ký tự.");
        }

        var name = record.Name?.Trim().Normalize();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            Fail("name", "invalid_name", "Tên đơn vị là bắt buộc, tối đa 200 ký tự.");
        }

        var group = record.Group?.Trim().Normalize();
        if (string.IsNullOrEmpty(group) || group.Length > MaxNameLength || group.Any(char.IsControl))
        {
            Fail("group", "invalid_group", "Nhóm đơn vị là bắt buộc (ví dụ: Sở, ban, ngành).");
        }

        var emails = (record.Emails ?? []).Select(e => e?.Trim() ?? "").ToList();
        if (emails.Count > 10 || emails.Any(e => !IsEmail(e)))
        {
            Fail("emails", "invalid_email", "Danh sách email liên hệ có địa chỉ không hợp lệ (tối đa 10 địa chỉ).");
        }
        else if (emails.FirstOrDefault(HasListSeparator) is { } unlisted)
        {
            Fail("emails", "unsupported_email", UnsupportedEmailDetail(unlisted));
        }

        var head = string.IsNullOrWhiteSpace(record.HeadEmail) ? null : record.HeadEmail.Trim();
        if (head is not null && !IsEmail(head))
        {
            Fail("headEmail", "invalid_email", "Email thủ trưởng đơn vị không hợp lệ.");
        }
        else if (head is not null && HasListSeparator(head))
        {
            Fail("headEmail", "unsupported_email", UnsupportedEmailDetail(head));
        }

        var from = ParseDate(record.ActiveFrom);
        if (from is null)
        {
            Fail("activeFrom", "invalid_date", "Ngày bắt đầu (activeFrom) là bắt buộc, dạng yyyy-MM-dd, từ năm 1900 đến năm 2099.");
        }

        DateOnly? to = null;
        if (!string.IsNullOrWhiteSpace(record.ActiveTo))
        {
            to = ParseDate(record.ActiveTo);
            if (to is null)
            {
                Fail("activeTo", "invalid_date", "Ngày kết thúc (activeTo) phải có dạng yyyy-MM-dd, từ năm 1900 đến năm 2099, hoặc để trống.");
            }
            else if (from is not null && to < from)
            {
                Fail("activeTo", "invalid_range", "Ngày kết thúc không được trước ngày bắt đầu.");
            }
        }

        return errors.Count > before ? null : new Unit(record.Code!, name!, group!, emails, head, from!.Value, to);
    }

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && VietnamTime.IsInRange(d) ? d : null;

    /// <summary>
    /// Where DanVan keeps or shows a list of addresses it separates them with ';' (the registry's row,
    /// the reminder ledger) or ',' (email headers). RFC 5322 allows both inside a quoted local part
    /// (<c>"a;b"@example.org</c>), but such an address would come back from the list as two broken
    /// ones; it is refused rather than stored in a form that does not round-trip.
    /// </summary>
    private static bool HasListSeparator(string address) => address.AsSpan().IndexOfAny(';', ',') >= 0;

    private static string UnsupportedEmailDetail(string address) =>
        $"Địa chỉ email \"{address}\" chứa dấu chấm phẩy (;) hoặc dấu phẩy (,): DanVan không lưu và gửi thư được tới địa chỉ như vậy. Vui lòng dùng địa chỉ khác.";

    private static bool IsEmail(string text) =>
        text.Length is > 3 and <= 254 && MailAddress.TryCreate(text, out var address) && address.Address == text && address.DisplayName.Length == 0;
}
