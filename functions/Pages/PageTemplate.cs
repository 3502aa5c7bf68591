namespace DanVan.Pages;

/// <summary>
/// The one shell every page is sent in. A page file starts with its front matter, an HTML comment of
/// <c>key: value</c> lines (<c>title</c>, <c>org</c>, <c>heading</c>, <c>scripts</c>, <c>noscript</c>, <c>footer</c>, and
/// <c>login-label</c>/<c>login-help</c> for the credential form), then its main content, where <c>{{login-form}}</c>
/// places the one credential form. <c>scripts</c> lists the page's script files in the order they run; a name
/// followed by <c>:module</c> is an ES module. The values are the pages' own trusted text, put in as written.
/// A slot left unfilled or a key the shell does not know is a build mistake, refused at start.
/// </summary>
public sealed class PageTemplate(string layout, string loginForm)
{
    private const string FrontMatterStart = "<!-- page\n";
    private const string FrontMatterEnd = "-->\n";

    public string Render(string name, string page, IReadOnlyDictionary<string, string> values)
    {
        page = page.ReplaceLineEndings("\n");
        var end = page.IndexOf(FrontMatterEnd, StringComparison.Ordinal);
        if (!page.StartsWith(FrontMatterStart, StringComparison.Ordinal) || end < 0)
        {
            throw new InvalidOperationException($"Page {name} has no front matter.");
        }

        var slots = new Dictionary<string, string>(values, StringComparer.Ordinal);
        foreach (var line in page[FrontMatterStart.Length..end].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            slots[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        if (slots.TryGetValue("scripts", out var scripts))
        {
            slots["scripts"] = string.Join("\n", scripts.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Script));
        }

        slots["login-form"] = Fill(name, loginForm.TrimEnd('\n'), slots);
        slots["main"] = Fill(name, page[(end + FrontMatterEnd.Length)..].Trim('\n'), slots);
        var used = new HashSet<string>(StringComparer.Ordinal) { "login-label", "login-help", "login-form" };
        var html = Fill(name, layout, slots, used);
        var unknown = slots.Keys.Where(k => !used.Contains(k)).ToList();
        return unknown.Count == 0 ? html : throw new InvalidOperationException($"Page {name} sets {string.Join(", ", unknown)}, which no slot takes.");
    }

    private static string Script(string entry) => entry.EndsWith(":module", StringComparison.Ordinal)
        ? $"  <script src=\"pages/{entry[..^":module".Length]}\" type=\"module\"></script>"
        : $"  <script src=\"pages/{entry}\" defer></script>";

    /// <summary>Puts each <c>{{slot}}</c>'s value in; a slot with no value is refused.</summary>
    private static string Fill(string name, string text, IReadOnlyDictionary<string, string> slots, HashSet<string>? used = null)
    {
        var parts = text.Split("{{");
        var result = new System.Text.StringBuilder(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            var close = part.IndexOf("}}", StringComparison.Ordinal);
            var slot = close < 0 ? part : part[..close];
            if (close < 0 || !slots.TryGetValue(slot, out var value))
            {
                throw new InvalidOperationException($"Page {name} leaves slot {{{{{slot}}}}} unfilled.");
            }

            used?.Add(slot);
            result.Append(value).Append(part, close + 2, part.Length - close - 2);
        }

        return result.ToString();
    }
}
