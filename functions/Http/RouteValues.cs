using System.Globalization;

namespace DanVan.Http;

/// <summary>
/// Route values DanVan parses itself. A route constraint such as <c>{n:int}</c> would convert the value
/// before DanVan runs: an odd value ("01", "+1", "99999999999") then fails in the worker's binding as a
/// 500, and a refused value answers before the credential is checked. Routes take such values as
/// strings; the function authenticates first and then parses them here, strictly.
/// </summary>
public static class RouteValues
{
    /// <summary>
    /// A positive number written the one way DanVan writes it ("1", "12"): ASCII digits only, no sign,
    /// no leading zero, no spaces, within <see cref="int"/>; otherwise null.
    /// </summary>
    public static int? PositiveInt(string? text)
    {
        if (text is not { Length: > 0 and <= 10 } || text[0] == '0' || !text.All(char.IsAsciiDigit))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}
