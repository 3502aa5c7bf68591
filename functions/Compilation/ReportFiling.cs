using DanVan.Outline;

namespace DanVan.Compilation;

/// <summary>Where a line of a unit's report went.</summary>
public enum FilingOutcome
{
    /// <summary>Under a part (and content) of the outline.</summary>
    Placed,

    /// <summary>DanVan could not tell where it belongs: the draft lists it under "Cần xem lại".</summary>
    Review,

    /// <summary>Title block, signature block or a heading that decided where its text goes: not content.</summary>
    Skipped,
}

/// <summary>One line of a unit's report and where it was filed: (part, content) of the outline, and the heading it came from.</summary>
public sealed record FiledLine(TreeLine Line, string? Part, string? Content, string Heading, FilingOutcome Outcome)
{
    /// <summary>For a heading: whether DanVan knows where it leads (false: its text goes to review).</summary>
    public bool Known { get; init; } = true;
}

/// <summary>
/// Files a unit's report tree under the province's outline. A heading of the outline template is where its hidden mark says. Any other heading's meaning comes from its words and its parent:
/// at the top, the part or content its words name; under a part with contents (II, III), the content its words name
/// ("1. Ưu điểm" under "Đánh giá chung" is a strength, not content 1); under a content, or a part without contents,
/// it stays where its parent is unless it starts with the words of somewhere else ("2. Kiến nghị" under
/// "Phương hướng"). Text is filed where its nearest heading is; text under no heading by its opening words ("Về công
/// tác tuyên truyền, …"). What cannot be placed goes to review, never to a guessed content. In a part whose contents
/// are read from the text (V), each paragraph goes to the content its own words name (whom it asks).
/// </summary>
public static class ReportFiling
{
    public const string NoHeading = "(không có tiêu đề)";

    private static readonly string[] LeadIns = ["về ", "công tác ", "những ", "một số ", "các ", "việc ", "đối với ", "thực hiện ", "tiếp tục "];

    private sealed record Meaning(string? Part, string? Content, bool Resolved);

    private sealed record Candidate(OutlinePart Part, OutlineContent? Content, IReadOnlyList<string> Words);

    public static IReadOnlyList<FiledLine> File(ReportOutline outline, IReadOnlyList<TreeLine> lines)
    {
        var candidates = Candidates(outline);
        var meanings = new Meaning?[lines.Count];
        var filed = new List<FiledLine>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Role != LineRole.Text)
            {
                filed.Add(new FiledLine(line, null, null, "", FilingOutcome.Skipped));
                continue;
            }

            var parent = line.Parent >= 0 ? meanings[line.Parent] : null;
            var heading = line.Parent >= 0 ? lines[line.Parent].Original : NoHeading;
            if (line.Heading)
            {
                var meaning = meanings[i] = Marked(outline, line.Mark) ?? Heading(outline, candidates, line.Text, parent);
                // A heading that only repeats where its parent is (a sub-heading inside a content) is part of the text.
                var inherited = parent is not null && meaning == parent && outline.Find(meaning.Part)?.Contents.Count is > 0 && meaning.Content is not null;
                filed.Add(inherited ? Placed(line, meaning, heading) : new FiledLine(line, meaning.Part, meaning.Content, heading, FilingOutcome.Skipped) { Known = meaning.Resolved });
                continue;
            }

            var at = parent ?? Opening(candidates, line.Text);
            if (at is { Resolved: true } && outline.Find(at.Part) is { ContentsByText: true } byText && at.Content is null)
            {
                at = at with { Content = ByText(byText, line.Text) };
            }

            filed.Add(at is { Resolved: true } ? Placed(line, at, heading) : new FiledLine(line, at?.Part, null, heading, FilingOutcome.Review));
        }

        return filed;
    }

    private static FiledLine Placed(TreeLine line, Meaning m, string heading) => new(line, m.Part, m.Content, heading, FilingOutcome.Placed);

    /// <summary>The place a heading of the outline template names by its hidden mark, when the outline has that place.</summary>
    private static Meaning? Marked(ReportOutline outline, string? mark) =>
        Outline.OutlineTemplate.FromPlace(mark) is { } place && outline.Find(place.Part) is { } part && (place.Content is null || part.Find(place.Content) is not null)
            ? new Meaning(place.Part, place.Content, true)
            : null;

    private static Meaning Heading(ReportOutline outline, List<Candidate> candidates, string text, Meaning? parent)
    {
        var folded = ReportTree.Fold(text);
        if (parent is not { Part: { } partKey } || !parent.Resolved && parent.Part is null)
        {
            return Best(candidates, folded, startOnly: false) ?? new Meaning(null, null, false);
        }

        var part = outline.Find(partKey)!;
        var moved = Best(candidates, folded, startOnly: true);
        var elsewhere = moved is not null && (moved.Part != partKey || moved.Content is not null && moved.Content != parent.Content);
        if (parent.Content is not null)
        {
            return elsewhere ? moved! : parent;
        }

        if (!part.ContentsByText && part.Contents.Count > 0)
        {
            var local = part.Contents.Select(c => (Content: c, At: Position(folded, c.Words))).Where(x => x.At >= 0).OrderBy(x => x.At).ToList();
            if (local.Count > 0)
            {
                return new Meaning(partKey, local[0].Content.Key, true);
            }

            // A heading that names its own part again ("Kết quả cụ thể" under "Kết quả thực hiện") is that part; one that names nothing is not known.
            return moved is null ? new Meaning(partKey, null, false) : elsewhere ? moved : new Meaning(partKey, null, true);
        }

        return elsewhere ? moved! : parent with { Resolved = true };
    }

    /// <summary>Text under no heading: placed only when it opens with the words of a part or content ("Về công tác tuyên truyền, …").</summary>
    private static Meaning? Opening(List<Candidate> candidates, string text)
    {
        var folded = ReportTree.Fold(text);
        var clause = folded.IndexOfAny([',', ':', ';', '.']) is var end and > 0 ? folded[..end] : folded;
        return Best(candidates, folded.Length > 120 ? folded[..120] : folded, startOnly: true)
            ?? (clause.Length <= 120 ? Best(candidates, clause, startOnly: false) : null);
    }

    /// <summary>
    /// The part or content whose words come first in the text (a part before a content at the same place, a longer
    /// phrase before a shorter); a part narrowed to its one content the text also names. <paramref name="startOnly"/>:
    /// only words the text opens with (after "Về", "Công tác", "Những" …).
    /// </summary>
    private static Meaning? Best(List<Candidate> candidates, string folded, bool startOnly)
    {
        var lead = LeadLength(folded);
        var found = candidates
            .Select(c => (Candidate: c, At: Position(folded, c.Words), Length: c.Words.Where(w => Position(folded, [w]) >= 0).Select(w => w.Length).DefaultIfEmpty(0).Max()))
            .Where(x => x.At >= 0 && (!startOnly || x.At <= lead))
            .OrderBy(x => x.At).ThenBy(x => x.Candidate.Content is null ? 0 : 1).ThenByDescending(x => x.Length)
            .ToList();
        if (found.Count == 0)
        {
            return null;
        }

        var best = found[0].Candidate;
        if (best.Content is null && !best.Part.ContentsByText)
        {
            var named = best.Part.Contents.Select(c => (c, At: Position(folded, c.Words))).Where(x => x.At >= 0 && (!startOnly || x.At <= lead)).Select(x => x.c).Distinct().ToList();
            if (named.Count == 1)
            {
                return new Meaning(best.Part.Key, named[0].Key, true);
            }
        }

        return new Meaning(best.Part.Key, best.Content?.Key, true);
    }

    /// <summary>The content of a part read from the text: the one whose words come first (whom a recommendation asks).</summary>
    private static string? ByText(OutlinePart part, string text)
    {
        var folded = ReportTree.Fold(text);
        return part.Contents.Select(c => (c.Key, At: Position(folded, c.Words))).Where(x => x.At >= 0).OrderBy(x => x.At).Select(x => x.Key).FirstOrDefault();
    }

    private static List<Candidate> Candidates(ReportOutline outline) =>
        outline.Parts.SelectMany(p => new[] { new Candidate(p, null, Folded(p.Words.Append(p.Heading))) }
            .Concat(p.ContentsByText ? [] : p.Contents.Select(c => new Candidate(p, c, Folded(c.Words))))).ToList();

    private static List<string> Folded(IEnumerable<string> words) => words.Select(ReportTree.Fold).Where(w => w.Length > 0).Distinct().ToList();

    /// <summary>Where the first of the words occurs as whole words in the folded text, or -1.</summary>
    private static int Position(string folded, IEnumerable<string> words)
    {
        var best = -1;
        foreach (var word in words)
        {
            var w = ReportTree.Fold(word);
            for (var at = folded.IndexOf(w, StringComparison.Ordinal); at >= 0; at = folded.IndexOf(w, at + 1, StringComparison.Ordinal))
            {
                var before = at == 0 || !char.IsLetterOrDigit(folded[at - 1]);
                var after = at + w.Length == folded.Length || !char.IsLetterOrDigit(folded[at + w.Length]);
                if (before && after)
                {
                    best = best < 0 ? at : Math.Min(best, at);
                    break;
                }
            }
        }

        return best;
    }

    private static int LeadLength(string folded)
    {
        var at = 0;
        for (var again = true; again;)
        {
            again = false;
            foreach (var lead in LeadIns)
            {
                if (string.CompareOrdinal(folded, at, lead, 0, lead.Length) == 0)
                {
                    at += lead.Length;
                    again = true;
                }
            }
        }

        return at;
    }
}
