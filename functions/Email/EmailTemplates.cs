using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace DanVan.Email;

/// <summary>A template filled in: the subject, the plain text and the HTML of one email.</summary>
public sealed record RenderedEmail(string Subject, string Text, string Html);

/// <summary>
/// Email templates are files (embedded from <c>Email/Templates/</c>): <c>{name}.txt</c>, whose first line is
/// <c>Subject: …</c>, and <c>{name}.html</c>. Placeholders are <c>{{key}}</c>. Values go into the text as they
/// are and into the HTML encoded, every one of them, so a unit name can never inject markup.
/// A placeholder without a value is a bug in DanVan, not in the data: it throws.
/// </summary>
public static partial class EmailTemplates
{
    private const string SubjectPrefix = "Subject: ";

    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    [GeneratedRegex(@"\{\{([a-zA-Z][a-zA-Z0-9]*)\}\}")]
    private static partial Regex Placeholder();

    public static RenderedEmail Render(string name, IReadOnlyDictionary<string, string> values)
    {
        var text = Load(name + ".txt").ReplaceLineEndings("\n");
        var firstBreak = text.IndexOf('\n');
        if (!text.StartsWith(SubjectPrefix, StringComparison.Ordinal) || firstBreak < 0)
        {
            throw new InvalidOperationException($"Email template {name}.txt must start with a '{SubjectPrefix}' line.");
        }

        var subject = Fill(text[SubjectPrefix.Length..firstBreak], values, v => OneLine(v));
        var body = Fill(text[(firstBreak + 1)..].TrimStart('\n'), values, v => v);
        var html = Fill(Load(name + ".html"), values, HtmlEncode);
        return new RenderedEmail(subject.Trim(), body, html);
    }

    /// <summary>
    /// Encodes the five characters that matter in HTML text and attributes and nothing else, so
    /// Vietnamese letters stay readable in the source of the message.
    /// </summary>
    public static string HtmlEncode(string value)
    {
        var sb = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    private static string OneLine(string value) => value.ReplaceLineEndings(" ");

    private static string Fill(string template, IReadOnlyDictionary<string, string> values, Func<string, string> encode) =>
        Placeholder().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var v)
            ? encode(v)
            : throw new InvalidOperationException($"Email template placeholder {{{{{m.Groups[1].Value}}}}} has no value."));

    private static string Load(string file) => Cache.GetOrAdd(file, static f =>
    {
        using var stream = typeof(EmailTemplates).Assembly.GetManifestResourceStream("DanVan.Email.Templates." + f)
            ?? throw new InvalidOperationException($"Email template {f} is not embedded in the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });
}
