using System.Text.RegularExpressions;
using DanVan.Domain;

namespace DanVan.Figures;

/// <summary>One indicator as the admin API and the sample file write it (camelCase JSON; enums as stable codes).</summary>
public sealed record IndicatorRecord(
    string? Code,
    string? Label,
    int? Section,
    string? Unit,
    string? Type,
    bool? Required,
    string? Totaling,
    string? Sentence)
{
    public static IndicatorRecord From(Indicator i) =>
        new(i.Code, i.Label, i.Section, i.Unit, i.Type.Code(), i.Required, i.Totaling.Code(), i.Sentence);
}

/// <summary>A set of indicators as the admin API answers it.</summary>
public sealed record IndicatorSetRecord(string ReportCode, int Version, DateTimeOffset CreatedAt, string CreatedBy, IReadOnlyList<IndicatorRecord> Indicators)
{
    public static IndicatorSetRecord From(IndicatorSet set) =>
        new(set.ReportCode, set.Version, VietnamTime.ToVietnam(set.CreatedAt), set.CreatedBy, set.Indicators.Select(IndicatorRecord.From).ToList());
}

/// <summary>What a definitions set must satisfy before it is stored: every problem of every row at once.</summary>
public static partial class IndicatorRules
{
    public const int MaxIndicators = 60;
    public const int MaxLabelLength = 200;
    public const int MaxUnitLength = 30;
    public const int MaxSentenceLength = 300;

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,39}$")]
    private static partial Regex CodePattern();

    /// <summary>"{HN_SO_LUOT_NGUOI}" in a sentence: another indicator's province total.</summary>
    [GeneratedRegex(@"\{([A-Z][A-Z0-9_]{0,39})\}")]
    public static partial Regex Placeholder();

    /// <summary>The indicators, or a <c>validation_failed</c> refusal listing every bad field.</summary>
    public static IReadOnlyList<Indicator> Validate(IReadOnlyList<IndicatorRecord?> records)
    {
        var errors = new List<Violation>();
        if (records.Count > MaxIndicators)
        {
            errors.Add(new Violation(null, "indicators", "too_many", $"Tối đa {MaxIndicators} chỉ tiêu cho một loại báo cáo."));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<Indicator>();
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i] is not { } r)
            {
                errors.Add(new Violation(i, "", "required", "Chỉ tiêu trống."));
                continue;
            }

            var before = errors.Count;
            var code = r.Code?.Trim() ?? "";
            if (!CodePattern().IsMatch(code))
            {
                errors.Add(new Violation(i, "code", "invalid_code", "Mã chỉ tiêu gồm chữ in hoa không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ cái, tối đa 40 ký tự (ví dụ HN_QUAN_TRIET_SO_CUOC)."));
            }
            else if (!seen.Add(code))
            {
                errors.Add(new Violation(i, "code", "duplicate_code", $"Mã chỉ tiêu \"{code}\" bị trùng."));
            }

            var label = r.Label?.Trim() ?? "";
            if (label.Length is 0 or > MaxLabelLength)
            {
                errors.Add(new Violation(i, "label", "invalid_label", $"Tên chỉ tiêu bắt buộc, tối đa {MaxLabelLength} ký tự."));
            }

            if (r.Section is not (>= 1 and <= 9))
            {
                errors.Add(new Violation(i, "section", "invalid_section", "Mục của kế hoạch phải từ 1 đến 9."));
            }

            var unit = r.Unit?.Trim() ?? "";
            if (unit.Length > MaxUnitLength)
            {
                errors.Add(new Violation(i, "unit", "invalid_unit", $"Đơn vị tính tối đa {MaxUnitLength} ký tự."));
            }

            var type = IndicatorText.ParseType(r.Type);
            if (type is null)
            {
                errors.Add(new Violation(i, "type", "invalid_type", "Kiểu số liệu phải là integer, decimal, percent hoặc yesno."));
            }

            var totaling = IndicatorText.ParseTotaling(r.Totaling ?? (type switch { IndicatorType.Percent => "none", IndicatorType.YesNo => "count_yes", _ => "sum" }));
            if (totaling is null)
            {
                errors.Add(new Violation(i, "totaling", "invalid_totaling", "Cách cộng phải là sum, count_yes hoặc none."));
            }
            else if (type is { } t && !Fits(t, totaling.Value))
            {
                errors.Add(new Violation(i, "totaling", "totaling_mismatch",
                    "Cách cộng không hợp với kiểu số liệu: tỷ lệ % không cộng (none), có/không đếm số đơn vị trả lời có (count_yes), số đếm cộng (sum)."));
            }

            var sentence = string.IsNullOrWhiteSpace(r.Sentence) ? null : r.Sentence.Trim();
            if (sentence is not null && (sentence.Length > MaxSentenceLength || !sentence.Contains("{total}", StringComparison.Ordinal)))
            {
                errors.Add(new Violation(i, "sentence", "invalid_sentence", $"Câu tổng hợp phải chứa {{total}} và dài tối đa {MaxSentenceLength} ký tự."));
            }

            if (errors.Count == before)
            {
                result.Add(new Indicator(code, label, r.Section!.Value, unit, type!.Value, r.Required ?? false, totaling!.Value, sentence));
            }
        }

        foreach (var (indicator, index) in result.Select((x, n) => (x, n)))
        {
            foreach (var code in indicator.Sentence is null ? Enumerable.Empty<string>() : Placeholder().Matches(indicator.Sentence).Select(m => m.Groups[1].Value))
            {
                if (!seen.Contains(code))
                {
                    errors.Add(new Violation(index, "sentence", "unknown_placeholder", $"Câu tổng hợp nhắc tới chỉ tiêu \"{code}\" không có trong danh mục."));
                }
            }
        }

        return errors.Count == 0 ? result : throw DomainException.Invalid("Danh mục chỉ tiêu không hợp lệ.", errors);
    }

    private static bool Fits(IndicatorType type, Totaling totaling) => (type, totaling) switch
    {
        (IndicatorType.Percent, not Totaling.None) => false,
        (IndicatorType.YesNo, Totaling.Sum) => false,
        (IndicatorType.Integer or IndicatorType.Decimal, Totaling.CountYes) => false,
        _ => true,
    };
}
