using System.Globalization;
using System.Text.RegularExpressions;
using DanVan.Domain;

namespace DanVan.Figures;

/// <summary>
/// One figure as it arrived, before it is checked: a number, a yes/no, or text (a spreadsheet cell a
/// person typed, e.g. "9.450" or "Có"). All three null: left empty.
/// </summary>
public readonly record struct RawFigure(decimal? Number, bool? Flag, string? Text)
{
    public static RawFigure Empty => default;

    public bool IsEmpty => Number is null && Flag is null && string.IsNullOrWhiteSpace(Text);
}

/// <summary>
/// The checks every entry passes, however it came (JSON, the page's form, the XLSX template): each code known
/// to the period's indicators, each figure of its indicator's type, not negative, within range. A required
/// figure left empty is not a refusal: the entry is kept and the unit's figures are "thiếu số liệu".
/// </summary>
public static partial class FigureRules
{
    [GeneratedRegex(@"^(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")]
    private static partial Regex VietnameseNumber();

    [GeneratedRegex(@"^\d+(\.\d+)?$")]
    private static partial Regex PlainNumber();

    /// <summary>
    /// The figures as stored (code → value; yes/no as 1/0), or a <c>validation_failed</c> refusal naming each bad one.
    /// <paramref name="numbersAnswerYesNo"/>: a number 1 or 0 answers a yes/no indicator, as in a spreadsheet cell a person
    /// typed; a program's JSON says yes or no with true or false, and a number there is the wrong type.
    /// </summary>
    public static IReadOnlyDictionary<string, decimal> Check(IndicatorSet set, IReadOnlyDictionary<string, RawFigure> raw, bool numbersAnswerYesNo = true)
    {
        var errors = new List<Violation>();
        var values = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (code, figure) in raw.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (set.Find(code) is not { } indicator)
            {
                errors.Add(new Violation(null, code, "unknown_indicator", $"Chỉ tiêu \"{Shorten(code)}\" không có trong danh mục chỉ tiêu của kỳ báo cáo này."));
                continue;
            }

            if (figure.IsEmpty)
            {
                continue;
            }

            if (Value(indicator, figure, numbersAnswerYesNo, out var problem) is { } value)
            {
                values[code] = value;
            }
            else
            {
                errors.Add(problem!);
            }
        }

        return errors.Count == 0 ? values : throw DomainException.Invalid("Số liệu không hợp lệ; chưa có số liệu nào được lưu.", errors);
    }

    /// <summary>The required indicators the figures leave empty, in the set's order.</summary>
    public static IReadOnlyList<string> MissingRequired(IndicatorSet set, IReadOnlyDictionary<string, decimal> values) =>
        set.Indicators.Where(i => i.Required && !values.ContainsKey(i.Code)).Select(i => i.Code).ToList();

    private static decimal? Value(Indicator indicator, RawFigure figure, bool numbersAnswerYesNo, out Violation? problem)
    {
        problem = null;
        var label = $"\"{indicator.Label}\" ({indicator.Code})";
        if (indicator.Type == IndicatorType.YesNo)
        {
            var flag = figure.Flag ?? (figure.Number is { } n ? (numbersAnswerYesNo && n is 0 or 1 ? (bool?)(n == 1) : null) : ParseYesNo(figure.Text));
            if (flag is null)
            {
                problem = new Violation(null, indicator.Code, "wrong_type", $"{label} chỉ nhận Có hoặc Không.");
                return null;
            }

            return flag.Value ? 1 : 0;
        }

        var number = figure.Number ?? ParseNumber(figure.Text);
        if (number is null || figure.Flag is not null)
        {
            problem = new Violation(null, indicator.Code, "wrong_type", $"{label} phải là một số (ví dụ 9.450 hoặc 12,5).");
            return null;
        }

        var value = number.Value;
        if (value < 0)
        {
            problem = new Violation(null, indicator.Code, "negative", $"{label} không được là số âm.");
        }
        else if (indicator.Type == IndicatorType.Integer && value != decimal.Truncate(value))
        {
            problem = new Violation(null, indicator.Code, "not_integer", $"{label} phải là số nguyên.");
        }
        else if (indicator.Type == IndicatorType.Percent && value > 100)
        {
            problem = new Violation(null, indicator.Code, "out_of_range", $"{label} là tỷ lệ phần trăm, từ 0 đến 100.");
        }
        else if (value > Indicator.MaxValue)
        {
            problem = new Violation(null, indicator.Code, "out_of_range", $"{label} vượt quá giá trị tối đa {IndicatorText.Format(Indicator.MaxValue)}.");
        }

        return problem is null ? decimal.Round(value, 4) : null;
    }

    /// <summary>"9.450", "12,5" (Vietnamese) or "12.5" / "9450" (as a program writes it); a lone group like "9.450" is Vietnamese.</summary>
    public static decimal? ParseNumber(string? text)
    {
        var t = text?.Trim().Replace(" ", "", StringComparison.Ordinal).Replace("\u00a0", "", StringComparison.Ordinal);
        if (string.IsNullOrEmpty(t) || t.Length > 40)
        {
            return null;
        }

        var negative = t.StartsWith('-');
        var digits = negative ? t[1..] : t;
        decimal? parsed = VietnameseNumber().IsMatch(digits)
            ? decimal.Parse(digits.Replace(".", "", StringComparison.Ordinal).Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture)
            : PlainNumber().IsMatch(digits) ? decimal.Parse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : null;
        return negative ? -parsed : parsed;
    }

    private static bool? ParseYesNo(string? text) => text?.Trim().ToLower(VietnamTime.Culture) switch
    {
        "có" or "co" or "x" or "1" => true,
        "không" or "khong" or "0" => false,
        _ => null,
    };

    private static string Shorten(string code) => code.Length > 40 ? code[..40] + "…" : code;
}
