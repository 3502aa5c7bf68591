using System.Text.RegularExpressions;
using DanVan.Domain;

namespace DanVan.Outline;

/// <summary>
/// One content of a part: under II the plan's contents (key "1" … "9", the figures' section numbers), under III
/// strengths and limitations, under V whom a recommendation asks. <see cref="Words"/> are the words that name it
/// in a unit's heading (or, for a part whose contents are read from the text, in the paragraph itself).
/// </summary>
public sealed record OutlineContent(string Key, string Heading, IReadOnlyList<string> Words)
{
    /// <summary>The figures' section this content holds (its key as a number 1–99), or null.</summary>
    public int? Section => int.TryParse(Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}

/// <summary>
/// One part of the province's report ("I" … "V"). <see cref="ContentsByText"/>: the contents are chosen by the words
/// of each paragraph (recommendations grouped by whom they ask), not by a unit's headings.
/// </summary>
public sealed record OutlinePart(string Key, string Heading, IReadOnlyList<string> Words, IReadOnlyList<OutlineContent> Contents, bool ContentsByText)
{
    public OutlineContent? Find(string? key) => key is null ? null : Contents.FirstOrDefault(c => c.Key == key);
}

/// <summary>
/// The outline of a report code's report (H1, Y) from one moment on: a numbered version, never changed once stored;
/// a period keeps the version it was first used with. Version 0 is the built-in sample (Kế hoạch 158), used only
/// while Sở Nội vụ has stored none.
/// </summary>
public sealed record ReportOutline(string ReportCode, int Version, DateTimeOffset CreatedAt, string CreatedBy, IReadOnlyList<OutlinePart> Parts)
{
    public OutlinePart? Find(string? key) => key is null ? null : Parts.FirstOrDefault(p => p.Key == key);

    /// <summary>"III.2. Hạn chế, nguyên nhân": where a (part, content) is, as the draft numbers it.</summary>
    public string Describe(string? part, string? content)
    {
        if (Find(part) is not { } p)
        {
            return "Cần xem lại";
        }

        var c = p.Find(content);
        return c is null ? $"{p.Key}. {p.Heading}" : $"{p.Key}.{ContentNumber(p, c)}. {c.Heading}";
    }

    /// <summary>A content's number within its part (1, 2, …), as the draft shows it.</summary>
    public static int ContentNumber(OutlinePart part, OutlineContent content) => part.Contents.ToList().IndexOf(content) + 1;
}

/// <summary>The outline as the admin API and the sample file write it.</summary>
public sealed record OutlineRecord(List<OutlinePartRecord?>? Parts)
{
    public static OutlineRecord From(ReportOutline outline) => new(outline.Parts.Select(p => (OutlinePartRecord?)new OutlinePartRecord(
        p.Key, p.Heading, p.Words.ToList<string?>(), p.ContentsByText ? OutlineRules.ByText : OutlineRules.ByHeading,
        p.Contents.Select(c => (OutlineContentRecord?)new OutlineContentRecord(c.Key, c.Heading, c.Words.ToList<string?>())).ToList())).ToList());
}

public sealed record OutlinePartRecord(string? Key, string? Heading, List<string?>? Words, string? ContentsBy, List<OutlineContentRecord?>? Contents);

public sealed record OutlineContentRecord(string? Key, string? Heading, List<string?>? Words);

/// <summary>A stored outline as the admin API answers it.</summary>
public sealed record OutlineView(string ReportCode, int Version, DateTimeOffset? CreatedAt, string CreatedBy, List<OutlinePartRecord?> Parts)
{
    public static OutlineView From(ReportOutline o) =>
        new(o.ReportCode, o.Version, o.Version == 0 ? null : VietnamTime.ToVietnam(o.CreatedAt), o.CreatedBy, OutlineRecord.From(o).Parts!);
}

/// <summary>What an outline must satisfy before it is stored: every problem at once.</summary>
public static partial class OutlineRules
{
    public const string ByHeading = "heading";
    public const string ByText = "text";
    public const int MaxParts = 10;
    public const int MaxContents = 30;
    public const int MaxWords = 30;
    public const int MaxHeadingLength = 200;
    public const int MaxWordLength = 80;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")]
    private static partial Regex KeyPattern();

    public static IReadOnlyList<OutlinePart> Validate(IReadOnlyList<OutlinePartRecord?>? records)
    {
        var errors = new List<Violation>();
        var parts = new List<OutlinePart>();
        if (records is null || records.Count is 0 or > MaxParts)
        {
            errors.Add(new Violation(null, "parts", "invalid_parts", $"Đề cương có từ 1 đến {MaxParts} phần."));
            records = [];
        }

        var partKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i] is not { } r)
            {
                errors.Add(new Violation(i, "", "required", "Phần trống."));
                continue;
            }

            var before = errors.Count;
            var key = Key(r.Key, i, "key", partKeys, errors);
            var heading = Heading(r.Heading, i, "heading", errors);
            var words = Words(r.Words, i, "words", errors);
            var byText = r.ContentsBy switch
            {
                null or ByHeading => false,
                ByText => true,
                _ => Invalid(errors, new Violation(i, "contentsBy", "invalid_contents_by", "contentsBy là \"heading\" (mục con theo tiêu đề) hoặc \"text\" (theo lời văn của đoạn).")),
            };
            var contents = new List<OutlineContent>();
            var contentKeys = new HashSet<string>(StringComparer.Ordinal);
            if (r.Contents is { Count: > MaxContents })
            {
                errors.Add(new Violation(i, "contents", "too_many", $"Tối đa {MaxContents} nội dung trong một phần."));
            }

            foreach (var (c, j) in (r.Contents ?? []).Take(MaxContents).Select((c, j) => (c, j)))
            {
                var field = $"contents[{j}]";
                if (c is null)
                {
                    errors.Add(new Violation(i, field, "required", "Nội dung trống."));
                    continue;
                }

                var ck = Key(c.Key, i, field + ".key", contentKeys, errors);
                var ch = Heading(c.Heading, i, field + ".heading", errors);
                var cw = Words(c.Words, i, field + ".words", errors);
                contents.Add(new OutlineContent(ck, ch, cw));
            }

            if (errors.Count == before)
            {
                parts.Add(new OutlinePart(key, heading, words, contents, byText));
            }
        }

        return errors.Count == 0 ? parts : throw DomainException.Invalid("Đề cương báo cáo không hợp lệ.", errors);
    }

    private static bool Invalid(List<Violation> errors, Violation v)
    {
        errors.Add(v);
        return false;
    }

    private static string Key(string? value, int index, string field, HashSet<string> seen, List<Violation> errors)
    {
        var key = value?.Trim() ?? "";
        if (!KeyPattern().IsMatch(key))
        {
            errors.Add(new Violation(index, field, "invalid_key", "Mã gồm chữ cái không dấu, chữ số và dấu gạch ngang, tối đa 20 ký tự (ví dụ II, 3, han-che)."));
        }
        else if (!seen.Add(key))
        {
            errors.Add(new Violation(index, field, "duplicate_key", $"Mã \"{key}\" bị trùng."));
        }

        return key;
    }

    private static string Heading(string? value, int index, string field, List<Violation> errors)
    {
        var heading = value?.Trim() ?? "";
        if (heading.Length is 0 or > MaxHeadingLength)
        {
            errors.Add(new Violation(index, field, "invalid_heading", $"Tiêu đề bắt buộc, tối đa {MaxHeadingLength} ký tự."));
        }

        return heading;
    }

    private static List<string> Words(List<string?>? values, int index, string field, List<Violation> errors)
    {
        var words = (values ?? []).Select(w => w?.Trim() ?? "").ToList();
        if (words.Count > MaxWords || words.Any(w => w.Length is < 2 or > MaxWordLength))
        {
            errors.Add(new Violation(index, field, "invalid_words", $"Tối đa {MaxWords} cụm từ, mỗi cụm từ 2 đến {MaxWordLength} ký tự."));
        }

        return words;
    }
}
