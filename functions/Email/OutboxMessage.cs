using System.Globalization;
using System.Text;

namespace DanVan.Email;

/// <summary>
/// Writes a message as an RFC 5322 / MIME file (<c>.eml</c>) that any mail client opens: headers in
/// RFC 2047 encoded words, a multipart/alternative body with the text and HTML parts in UTF-8 sent
/// as 8bit, so the Vietnamese text is also readable in the raw file.
/// </summary>
public static class OutboxMessage
{
    public static byte[] Render(EmailMessage message, string from, string fromName, DateTimeOffset date, string messageId)
    {
        var boundary = "=_danvan_" + messageId;
        var sb = new StringBuilder();
        void Header(string name, string value) => sb.Append(name).Append(": ").Append(value).Append("\r\n");

        Header("Message-ID", $"<{messageId}@danvan.outbox>");
        Header("Date", date.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + date.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "", StringComparison.Ordinal));
        Header("From", $"{EncodeWord(fromName)} <{from}>");
        Header("To", string.Join(", ", message.To));
        if (message.DistinctCc.Count > 0)
        {
            Header("Cc", string.Join(", ", message.DistinctCc));
        }

        Header("Subject", EncodeWord(message.Subject));
        if (message.Categories.Count > 0)
        {
            Header("X-DanVan-Categories", string.Join(", ", message.Categories));
        }

        foreach (var (key, value) in message.CustomArgs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Header("X-DanVan-Arg", EncodeWord($"{key}={value}"));
        }

        Header("MIME-Version", "1.0");
        Header("Content-Type", $"multipart/alternative; boundary=\"{boundary}\"");
        sb.Append("\r\n");
        Part(sb, boundary, "text/plain", message.Text);
        Part(sb, boundary, "text/html", message.Html);
        sb.Append("--").Append(boundary).Append("--\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void Part(StringBuilder sb, string boundary, string type, string body)
    {
        sb.Append("--").Append(boundary).Append("\r\n");
        sb.Append("Content-Type: ").Append(type).Append("; charset=utf-8\r\n");
        sb.Append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        sb.Append(body.ReplaceLineEndings("\r\n"));
        if (!body.EndsWith('\n'))
        {
            sb.Append("\r\n");
        }
    }

    /// <summary>
    /// RFC 2047 "B" encoded words of at most 75 characters each, split between characters (never inside
    /// one), folded onto continuation lines. Plain ASCII stays as it is.
    /// </summary>
    public static string EncodeWord(string text)
    {
        if (text.All(c => c is >= ' ' and < (char)127))
        {
            return text;
        }

        var words = new List<string>();
        var chunk = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Encoding.UTF8.GetByteCount(chunk.ToString()) + rune.Utf8SequenceLength > 45)
            {
                words.Add(Word(chunk.ToString()));
                chunk.Clear();
            }

            chunk.Append(rune.ToString());
        }

        if (chunk.Length > 0)
        {
            words.Add(Word(chunk.ToString()));
        }

        return string.Join("\r\n ", words);
    }

    private static string Word(string text) => "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) + "?=";
}
