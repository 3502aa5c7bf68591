using DanVan.Domain;

namespace DanVan.Figures;

/// <summary>Why figures or a template are refused, in Vietnamese words; the codes are in <see cref="RefusalCodes"/>.</summary>
public static class FiguresProblems
{
    public static DomainException UnknownReport(string reportCode) =>
        RefusalCodes.UnknownReport.Because($"Kế hoạch không có loại báo cáo \"{(reportCode.Length > 20 ? reportCode[..20] + "…" : reportCode)}\".");

    public static DomainException NoIndicators(Period period) =>
        RefusalCodes.NoIndicators.Because($"{period.Title} chưa có danh mục chỉ tiêu số liệu; Sở Nội vụ cần ban hành danh mục trước.");

    public static DomainException InvalidWorkbook(string why) =>
        RefusalCodes.InvalidWorkbook.Because($"Không đọc được tệp số liệu: {why}. Hãy tải biểu mẫu XLSX của DanVan, điền số liệu rồi gửi lại.");

    public static DomainException WorkbookHasMacros() =>
        RefusalCodes.WorkbookMacros.Because("Tệp số liệu chứa macro (VBA); DanVan chỉ nhận biểu mẫu XLSX không có macro. Hãy điền vào biểu mẫu tải từ DanVan.");

    public static DomainException WorkbookHasFormulas() =>
        RefusalCodes.WorkbookFormulas.Because("Tệp số liệu có ô chứa công thức; hãy nhập trực tiếp con số vào cột Số liệu (sao chép và dán giá trị thay cho công thức).");

    public static DomainException NotATemplate() =>
        RefusalCodes.NotATemplate.Because("Tệp này không phải biểu mẫu số liệu do DanVan tạo. Hãy tải biểu mẫu của đơn vị cho kỳ báo cáo này rồi điền số liệu.");

    public static DomainException TemplateWrongPeriod(string templatePeriod, Period period) =>
        RefusalCodes.TemplateWrongPeriod.Because($"Biểu mẫu này dành cho kỳ \"{Shorten(templatePeriod)}\", không phải {period.Title} ({period.Id}). Hãy tải biểu mẫu của kỳ này.");

    public static DomainException TemplateWrongUnit(string templateUnit, Unit unit) =>
        RefusalCodes.TemplateWrongUnit.Because($"Biểu mẫu này dành cho đơn vị \"{Shorten(templateUnit)}\", không phải {unit.Name}. Hãy tải biểu mẫu của chính đơn vị.");

    public static DomainException TemplateOutdated(int templateVersion, int current) =>
        RefusalCodes.TemplateOutdated.Because($"Biểu mẫu được lập theo danh mục chỉ tiêu số {templateVersion}, kỳ báo cáo này dùng danh mục số {current}. Hãy tải lại biểu mẫu.");

    public static DomainException TemplateAltered(string reference) =>
        RefusalCodes.TemplateAltered.Because($"Ô {reference} của biểu mẫu không còn đúng mã chỉ tiêu (có thể đã chèn hoặc xoá dòng). Hãy tải lại biểu mẫu và chỉ nhập vào cột Số liệu.");

    public static DomainException WorkbookTooLarge(long maxBytes) =>
        RefusalCodes.WorkbookTooLarge.Because($"Tệp số liệu vượt quá {maxBytes / 1024} KB; biểu mẫu của DanVan nhỏ hơn nhiều.");

    /// <summary>NUL and the other control characters (tab and line breaks aside) are no text a person wrote; they break what shows or exports the note.</summary>
    public static DomainException NoteHasControlCharacters() =>
        DomainException.Invalid("Ghi chú chứa ký tự điều khiển (ví dụ NUL); chỉ nhận văn bản, dấu tab và xuống dòng.",
            [new Violation(null, "note", "control_character", "Ghi chú không được chứa ký tự điều khiển (trừ tab và xuống dòng).")]);

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
