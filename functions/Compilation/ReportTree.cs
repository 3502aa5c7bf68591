using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DanVan.Compilation;

/// <summary>What a line of a unit's report is: its text, the title block or signature around it (never content).</summary>
public enum LineRole
{
    Text,
    TitleBlock,
    Signature,
}

/// <summary>
/// One line of a unit's report as read: its source paragraph, its number ("II.", "1.", "a)", typed or Word's
/// automatic numbering; empty when none), its words, whether it is a heading, how deep it sits and its parent
/// heading (-1 at the top). A run-in heading ("a) Tuyên truyền: Sở đã …") gives a heading line and a text line
/// for the same paragraph.
/// </summary>
public sealed record TreeLine(int Paragraph, string Label, string Text, bool Heading, int Depth, int Parent, LineRole Role, string? Mark = null)
{
    /// <summary>The line as the unit wrote it (its number, then its words).</summary>
    public string Original => Label.Length == 0 ? Text : $"{Label} {Text}";
}

/// <summary>
/// Reads a unit's paragraphs as a tree: levels from "Phần …", Roman numerals, Arabic numbers ("1.", "1.2."), letters
/// ("a)"), heading styles and Word's automatic numbering, and bold or capitalised short lines. The level of each kind
/// is the order in which the report first uses it, as a reader sees it: whatever comes first is the top. The title
/// block (issuer, "BÁO CÁO", the title, "Kính gửi", the opening "… như sau:") and the signature block ("Nơi nhận",
/// "GIÁM ĐỐC") are marked, never content. A table row is one line. A PDF's lines have no styles: its levels come
/// from numbering alone.
/// </summary>
public static partial class ReportTree
{
    /// <summary>A heading is at most this long; a longer numbered paragraph is a numbered item of text.</summary>
    public const int MaxHeadingLength = 150;

    [GeneratedRegex(@"^(PHẦN|Phần|phần)\s+(THỨ\s+\p{L}+|Thứ\s+\p{L}+|thứ\s+\p{L}+|[IVX]{1,5}|\d{1,2})\s*[\.:\-–]?\s*")]
    private static partial Regex PartLabel();

    [GeneratedRegex(@"^([IVXL]{1,6})\s*[\.\):\-–]\s*")]
    private static partial Regex RomanLabel();

    [GeneratedRegex(@"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s*[\):]?\s+")]
    private static partial Regex NestedLabel();

    [GeneratedRegex(@"^(\d{1,2})\s*[\.\)/:]\s*(?!\d)")]
    private static partial Regex ArabicLabel();

    [GeneratedRegex(@"^([a-zđ])\s*[\)\./]\s+")]
    private static partial Regex LetterLabel();

    [GeneratedRegex(@"^[\-\+•\*–·]\s*")]
    private static partial Regex BulletLabel();

    [GeneratedRegex(@"^(KT\.|TM\.|TL\.|Q\.|QUYỀN|KÝ THAY|THAY MẶT)?\s*(PHÓ\s+)?(GIÁM ĐỐC|CHỦ TỊCH|TRƯỞNG BAN|THỦ TRƯỞNG|TRƯỞNG PHÒNG|CHÁNH VĂN PHÒNG|CHÁNH THANH TRA|HIỆU TRƯỞNG|VIỆN TRƯỞNG|TỔNG BIÊN TẬP|BAN GIÁM ĐỐC)\b")]
    private static partial Regex SignatureRole();

    private sealed record Raw(int Paragraph, string Text, bool Bold, bool Table, DocxStyle? Style, int? OutlineLevel, string? Mark = null);

    public static IReadOnlyList<TreeLine> Read(IReadOnlyList<ReportParagraph> paragraphs, DocxFormat? format = null)
    {
        var raws = Lines(paragraphs, format ?? DocxFormat.Empty);
        var kinds = raws.Select(Kind).ToList();
        var (titleEnd, signatureStart) = Frame(raws, kinds);

        var lines = new List<TreeLine>();
        var stack = new List<(string Kind, int Line)>();
        for (var i = 0; i < raws.Count; i++)
        {
            var raw = raws[i];
            var (label, text) = Split(raw.Text);
            if (i <= titleEnd || i >= signatureStart)
            {
                lines.Add(new TreeLine(raw.Paragraph, label, text, false, 0, -1, i <= titleEnd ? LineRole.TitleBlock : LineRole.Signature));
                continue;
            }

            if (kinds[i] is not { } kind)
            {
                lines.Add(new TreeLine(raw.Paragraph, label, text, false, stack.Count, stack.Count > 0 ? stack[^1].Line : -1, LineRole.Text));
                continue;
            }

            var at = stack.FindIndex(s => s.Kind == kind);
            if (at >= 0)
            {
                stack.RemoveRange(at, stack.Count - at);
            }

            var parent = stack.Count > 0 ? stack[^1].Line : -1;
            var runIn = RunIn(text);
            lines.Add(new TreeLine(raw.Paragraph, label, runIn ?? text, true, stack.Count, parent, LineRole.Text, raw.Mark));
            stack.Add((kind, lines.Count - 1));
            if (runIn is not null)
            {
                lines.Add(new TreeLine(raw.Paragraph, label, text, false, stack.Count, lines.Count - 1, LineRole.Text));
            }
        }

        return lines;
    }

    /// <summary>Folded for comparison: NFC, lower case, one space, the new tone placement ("hoá" → "hóa", "uỷ" → "ủy").</summary>
    public static string Fold(string text)
    {
        var folded = Regex.Replace(text.Normalize(NormalizationForm.FormC).ToLower(Domain.VietnamTime.Culture), @"\s+", " ").Trim();
        foreach (var (old, now) in OldTones)
        {
            folded = folded.Replace(old, now, StringComparison.Ordinal);
        }

        return folded;
    }

    private static readonly (string, string)[] OldTones =
    [
        ("oá", "óa"), ("oà", "òa"), ("oả", "ỏa"), ("oã", "õa"), ("oạ", "ọa"), ("oé", "óe"), ("oè", "òe"), ("oẻ", "ỏe"), ("oẽ", "õe"), ("oẹ", "ọe"),
        ("uý", "úy"), ("uỳ", "ùy"), ("uỷ", "ủy"), ("uỹ", "ũy"), ("uỵ", "ụy"),
    ];

    /// <summary>The number a line starts with (or Word put before it) and its words.</summary>
    public static (string Label, string Text) Split(string text)
    {
        foreach (var pattern in new[] { PartLabel(), RomanLabel(), NestedLabel(), ArabicLabel(), LetterLabel() })
        {
            if (pattern.Match(text) is { Success: true } m && m.Length < text.Length)
            {
                return (m.Value.Trim(), text[m.Length..].Trim());
            }
        }

        return ("", text.Trim());
    }

    /// <summary>Paragraphs as lines: Word's automatic number written before the text, a table row joined into one.</summary>
    private static List<Raw> Lines(IReadOnlyList<ReportParagraph> paragraphs, DocxFormat format)
    {
        var numbering = new AutoNumbers(format);
        var lines = new List<Raw>();
        for (var i = 0; i < paragraphs.Count; i++)
        {
            var p = paragraphs[i];
            var style = format.Style(p.Style);
            var text = Regex.Replace(p.Text.Normalize(NormalizationForm.FormC), @"\s+", " ").Trim();
            if (p.TableRow > 0)
            {
                var cells = new List<(string Text, bool Bold)>();
                var first = i;
                for (; i < paragraphs.Count && paragraphs[i].TableRow == p.TableRow; i++)
                {
                    cells.Add((Regex.Replace(paragraphs[i].Text, @"\s+", " ").Trim(), paragraphs[i].Bold));
                }

                i--;
                cells.RemoveAll(c => c.Text.Length == 0);
                if (cells.Count > 1)
                {
                    lines.Add(new Raw(first, string.Join(" | ", cells.Select(c => c.Text)), cells.All(c => c.Bold), true, null, null));
                    continue;
                }

                text = cells.Count == 1 ? cells[0].Text : "";
                if (text.Length == 0)
                {
                    continue;
                }
            }

            var label = numbering.Next(p.NumId ?? style?.NumId, p.NumId is not null ? p.NumLevel : style?.NumLevel ?? 0);
            lines.Add(new Raw(i, label is null ? text : $"{label} {text}", p.Bold || (style?.Bold ?? false), false, style, p.OutlineLevel, p.Mark));
        }

        return lines;
    }

    /// <summary>The kind of heading a line is ("P", "R", "A", "A2", "L", "H0"…, "B"), or null for text.</summary>
    private static string? Kind(Raw raw)
    {
        if (raw.Table || raw.Style?.Title == true)
        {
            return null;
        }

        var (label, text) = Split(raw.Text);
        var headingStyle = raw.Style?.Heading ?? (raw.OutlineLevel is >= 0 and < 9 ? raw.OutlineLevel : null);
        var kind = label.Length == 0 ? null
            : PartLabel().IsMatch(raw.Text) ? "P"
            : RomanLabel().IsMatch(raw.Text) ? "R"
            : NestedLabel().Match(raw.Text) is { Success: true } nested ? "A" + nested.Groups[1].Value.Count(c => c == '.')
            : ArabicLabel().IsMatch(raw.Text) ? "A"
            : "L";
        if (kind is not null)
        {
            return headingStyle is not null || ShortHeading(text) || RunIn(text) is not null ? kind : null;
        }

        if (headingStyle is { } level)
        {
            return "H" + level.ToString(CultureInfo.InvariantCulture);
        }

        if (Outline.OutlineTemplate.FromPlace(raw.Mark) is not null)
        {
            return "M";
        }

        var letters = text.Where(char.IsLetter).ToList();
        var upper = letters.Count >= 4 && letters.All(char.IsUpper);
        return (raw.Bold || upper) && !BulletLabel().IsMatch(text) && text.Length <= MaxHeadingLength && !text.EndsWith(':') && !Sentence(text) ? "B" : null;
    }

    /// <summary>Short enough to be a heading and not a sentence ("1. Ưu điểm." is a heading; "a) Tổ chức 02 hội nghị quán triệt." a numbered item).</summary>
    private static bool ShortHeading(string text) => text.Length <= MaxHeadingLength && !Sentence(text);

    private static bool Sentence(string text) =>
        (text.EndsWith('.') || text.EndsWith(';')) && text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 5
        || Regex.IsMatch(text, @"\.\s+\p{Lu}");

    /// <summary>"Tuyên truyền: Sở đã tổ chức …" — the heading run into its first sentence; null when there is none.</summary>
    private static string? RunIn(string text)
    {
        var colon = text.IndexOf(':');
        return text.Length > MaxHeadingLength / 2 && colon is > 2 and <= 100 && colon < text.Length - 10 && !text[..colon].Contains('.') ? text[..colon].Trim() : null;
    }

    /// <summary>
    /// The last line of the title block and the first of the signature block. The title block runs to "BÁO CÁO" and
    /// the lines of the title after it, to "Kính gửi", and to an opening that ends "như sau:"; with none of them, to
    /// the first numbered or styled heading. The signature block starts at "Nơi nhận" or a signer's title.
    /// </summary>
    private static (int TitleEnd, int SignatureStart) Frame(List<Raw> raws, List<string?> kinds)
    {
        var firstStructural = kinds.FindIndex(k => k is not null and not "B");
        var limit = firstStructural >= 0 ? firstStructural : Math.Min(raws.Count, 30);
        var end = -1;
        for (var i = 0; i < limit; i++)
        {
            var folded = Fold(raws[i].Text);
            if (folded == "báo cáo" || folded.StartsWith("báo cáo ", StringComparison.Ordinal) && raws[i].Text.Length <= 60 && raws[i].Text.Where(char.IsLetter).All(char.IsUpper))
            {
                end = i;
                for (var n = 0; n < 4 && end + 1 < limit && TitleLine(raws[end + 1]); n++)
                {
                    end++;
                }
            }
            else if (folded.StartsWith("kính gửi", StringComparison.Ordinal) || folded.TrimEnd(':', '.').EndsWith("như sau", StringComparison.Ordinal))
            {
                end = i;
            }
        }

        if (end < 0 && firstStructural > 0)
        {
            end = firstStructural - 1;
        }

        var signature = raws.Count;
        for (var i = raws.Count - 1; i > end; i--)
        {
            var text = raws[i].Text;
            if (Fold(text).StartsWith("nơi nhận", StringComparison.Ordinal) || text.Length <= 60 && SignatureRole().IsMatch(text) && text.Where(char.IsLetter).All(char.IsUpper))
            {
                signature = i;
            }
        }

        return (end, signature);
    }

    /// <summary>A line of the title under "BÁO CÁO": bold, capitalised or in brackets, unnumbered, not a sentence.</summary>
    private static bool TitleLine(Raw raw)
    {
        var text = raw.Text;
        var folded = Fold(text);
        return Split(text).Label.Length == 0 && text.Length <= 250 && !text.EndsWith(':') && !folded.StartsWith("kính gửi", StringComparison.Ordinal)
            && (raw.Bold || text.StartsWith('(') || text.Where(char.IsLetter).All(char.IsUpper) || !text.EndsWith('.'));
    }

    /// <summary>Word's automatic numbers in document order: one counter per abstract numbering and level; a level restarts when a higher one moves.</summary>
    private sealed class AutoNumbers(DocxFormat format)
    {
        private readonly Dictionary<int, int[]> counters = [];

        public string? Next(int? numId, int level)
        {
            if (numId is not (> 0) || level is < 0 or > 8 || format.Level(numId.Value, level) is not { } def || def.Format is "bullet" or "none")
            {
                return null;
            }

            var key = format.AbstractOf(numId.Value) ?? numId.Value;
            if (!counters.TryGetValue(key, out var counts))
            {
                counters[key] = counts = new int[9];
            }

            counts[level] = counts[level] == 0 ? def.Start : counts[level] + 1;
            Array.Clear(counts, level + 1, 8 - level);
            var label = Regex.Replace(def.Text, @"%([1-9])", m =>
            {
                var l = m.Groups[1].Value[0] - '1';
                var d = format.Level(numId.Value, l);
                return Render(counts[l] == 0 ? d?.Start ?? 1 : counts[l], d?.Format ?? "decimal");
            });
            return label.Trim().Length == 0 ? null : label.Trim();
        }

        private static string Render(int n, string format) => format switch
        {
            "upperRoman" => Roman(n),
            "lowerRoman" => Roman(n).ToLowerInvariant(),
            "upperLetter" => ((char)('A' + (n - 1) % 26)).ToString(),
            "lowerLetter" => ((char)('a' + (n - 1) % 26)).ToString(),
            "decimalZero" => n.ToString("00", CultureInfo.InvariantCulture),
            _ => n.ToString(CultureInfo.InvariantCulture),
        };

        private static string Roman(int n)
        {
            var result = new StringBuilder();
            foreach (var (value, numeral) in new[] { (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I") })
            {
                for (; n >= value; n -= value)
                {
                    result.Append(numeral);
                }
            }

            return result.ToString();
        }
    }
}
