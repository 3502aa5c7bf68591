using System.Globalization;
using System.Text;

namespace DanVan.Uploads;

/// <summary>
/// Turns the name a client sent into one that is safe to show, store and offer for download. The
/// name is only ever a label: blob paths come from period, unit and receipt id, never from it.
/// </summary>
public static class FileNames
{
    public const int MaxLength = 150;

    private const int MaxExtensionLength = 10;

    /// <summary>Names Windows refuses for a file, whatever the extension (CON.pdf is still CON).</summary>
    private static readonly HashSet<string> ReservedDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>
    /// The sanitized name: NFC (Vietnamese diacritics kept), last path segment only, no control or
    /// Windows-reserved characters, no reserved device name, no trailing dots or spaces, at most
    /// <see cref="MaxLength"/> characters with the extension kept. Null when nothing usable is left.
    /// </summary>
    public static string? Sanitize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var text = name.IsNormalized(NormalizationForm.FormC) ? name : name.Normalize(NormalizationForm.FormC);

        // Only the last path segment: "../../etc/passwd" is "passwd", "C:\x\y.pdf" is "y.pdf", "C:y.pdf" is "y.pdf".
        var cut = text.LastIndexOfAny(['/', '\\']);
        text = text[(cut + 1)..];
        if (text.Length >= 2 && char.IsAsciiLetter(text[0]) && text[1] == ':')
        {
            text = text[2..];
        }

        var clean = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                clean.Append(' ');
            }
            else if (!IsDropped(c))
            {
                clean.Append(IsForbidden(c) ? '_' : c);
            }
        }

        text = CollapseSpaces(clean.ToString()).Trim().TrimEnd('.', ' ').TrimStart('.', ' ');
        if (text.Length == 0)
        {
            return null;
        }

        var dot = text.LastIndexOf('.');
        var stem = dot > 0 ? text[..dot] : text;
        var extension = dot > 0 ? text[dot..] : "";
        if (extension.Length > MaxExtensionLength)
        {
            (stem, extension) = (text, "");
        }

        var device = stem.Split('.')[0].TrimEnd(' ');
        if (ReservedDeviceNames.Contains(device))
        {
            stem = "_" + stem;
        }

        var room = MaxLength - extension.Length;
        if (stem.Length > room)
        {
            stem = TruncateText(stem, room).TrimEnd('.', ' ');
        }

        return stem.Length == 0 ? null : stem + extension;
    }

    /// <summary>The lowercase extension without the dot ("pdf"), or "" when there is none.</summary>
    public static string Extension(string fileName)
    {
        var dot = fileName.LastIndexOf('.');
        return dot > 0 && dot < fileName.Length - 1 ? fileName[(dot + 1)..].ToLowerInvariant() : "";
    }

    /// <summary>
    /// Decodes a percent-encoded UTF-8 header value (<c>X-File-Name</c>). Null when it is not valid
    /// percent-encoding of valid UTF-8, so a mangled name is refused rather than stored garbled.
    /// </summary>
    public static string? DecodeHeader(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    return null;
                }

                bytes.Add(byte.Parse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else if (c is >= ' ' and < (char)127)
            {
                bytes.Add((byte)c);
            }
            else
            {
                return null;
            }
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsDropped(char c) =>
        char.IsControl(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
        || c == '\uFFFD';

    private static bool IsForbidden(char c) => c is '<' or '>' or ':' or '"' or '|' or '?' or '*';

    private static string CollapseSpaces(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == ' ' && result.Length > 0 && result[^1] == ' ')
            {
                continue;
            }

            result.Append(c);
        }

        return result.ToString();
    }

    /// <summary>Cuts at a text-element boundary so a letter never loses its diacritic or a surrogate half.</summary>
    private static string TruncateText(string text, int maxChars)
    {
        var end = 0;
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext())
        {
            var next = e.ElementIndex + e.GetTextElement().Length;
            if (next > maxChars)
            {
                break;
            }

            end = next;
        }

        return text[..end];
    }
}
