using DanVan.Domain;

namespace DanVan.Figures;

/// <summary>Why figures or a template are refused: stable English codes, Vietnamese words.</summary>
public static class FiguresProblems
{
    public static DomainException UnknownReport(string reportCode) =>
        new(Refusal.NotFound, "unknown_report", "Không tìm thấy loại báo cáo", $"Kế hoạch không có loại báo cáo \"{(reportCode.Length > 20 ? reportCode[..20] + "…" : reportCode)}\".");

    public static DomainException NoIndicators(Period period) =>
        new(Refusal.Conflict, "no_indicators", "Kỳ báo cáo chưa có chỉ tiêu số liệu", $"{period.Title} chưa có danh mục chỉ tiêu số liệu; Sở Nội vụ cần ban hành danh mục trước.");

    public static DomainException InvalidWorkbook(string why) =>
        new(Refusal.Invalid, "invalid_workbook", "Không đọc được bảng tính", $"Không đọc được tệp số liệu: {why}. Hãy tải biểu mẫu XLSX của DanVan, điền số liệu rồi gửi lại.");

    public static DomainException WorkbookHasMacros() =>
        new(Refusal.Invalid, "workbook_macros", "Bảng tính chứa macro", "Tệp số liệu chứa macro (VBA); DanVan chỉ nhận biểu mẫu XLSX không có macro. Hãy điền vào biểu mẫu tải từ DanVan.");

    public static DomainException WorkbookHasFormulas() =>
        new(Refusal.Invalid, "workbook_formulas", "Bảng tính chứa công thức", "Tệp số liệu có ô chứa công thức; hãy nhập trực tiếp con số vào cột Số liệu (sao chép và dán giá trị thay cho công thức).");

    public static DomainException NotATemplate() =>
        new(Refusal.Invalid, "not_a_template", "Không phải biểu mẫu số liệu của DanVan", "Tệp này không phải biểu mẫu số liệu do DanVan tạo. Hãy tải biểu mẫu của đơn vị cho kỳ báo cáo này rồi điền số liệu.");

    public static DomainException TemplateWrongPeriod(string templatePeriod, Period period) =>
        new(Refusal.Invalid, "template_wrong_period", "Biểu mẫu của kỳ báo cáo khác", $"Biểu mẫu này dành cho kỳ \"{Shorten(templatePeriod)}\", không phải {period.Title} ({period.Id}). Hãy tải biểu mẫu của kỳ này.");

    public static DomainException TemplateWrongUnit(string templateUnit, Unit unit) =>
        new(Refusal.Invalid, "template_wrong_unit", "Biểu mẫu của đơn vị khác", $"Biểu mẫu này dành cho đơn vị \"{Shorten(templateUnit)}\", không phải {unit.Name}. Hãy tải biểu mẫu của chính đơn vị.");

    public static DomainException TemplateOutdated(int templateVersion, int current) =>
        new(Refusal.Invalid, "template_outdated", "Biểu mẫu theo danh mục chỉ tiêu cũ", $"Biểu mẫu được lập theo danh mục chỉ tiêu số {templateVersion}, kỳ báo cáo này dùng danh mục số {current}. Hãy tải lại biểu mẫu.");

    public static DomainException TemplateAltered(string reference) =>
        new(Refusal.Invalid, "template_altered", "Biểu mẫu đã bị sửa cấu trúc", $"Ô {reference} của biểu mẫu không còn đúng mã chỉ tiêu (có thể đã chèn hoặc xoá dòng). Hãy tải lại biểu mẫu và chỉ nhập vào cột Số liệu.");

    public static DomainException WorkbookTooLarge(long maxBytes) =>
        new(Refusal.TooLarge, "workbook_too_large", "Tệp số liệu quá lớn", $"Tệp số liệu vượt quá {maxBytes / 1024} KB; biểu mẫu của DanVan nhỏ hơn nhiều.");

    public static DomainException NoteTooLong(int max) =>
        new(Refusal.Invalid, "note_too_long", "Ghi chú quá dài", $"Ghi chú dài tối đa {max} ký tự.");

    /// <summary>NUL and the other control characters (tab and line breaks aside) are no text a person wrote; they break what shows or exports the note.</summary>
    public static DomainException NoteHasControlCharacters() =>
        DomainException.Invalid("Ghi chú chứa ký tự điều khiển (ví dụ NUL); chỉ nhận văn bản, dấu tab và xuống dòng.",
            [new Violation(null, "note", "control_character", "Ghi chú không được chứa ký tự điều khiển (trừ tab và xuống dòng).")]);

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
