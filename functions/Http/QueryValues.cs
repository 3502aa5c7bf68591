using Microsoft.AspNetCore.Http;

namespace DanVan.Http;

/// <summary>
/// Query parameters DanVan reads strictly: a value it does not understand is a 400 <c>invalid_parameter</c>,
/// never taken as the default. (<c>?dryRun=maybe</c> once applied an import for real.)
/// </summary>
public static class QueryValues
{
    /// <summary>
    /// A yes/no switch: absent is false; <c>true</c> or <c>false</c> (any case) is that; anything else (empty,
    /// <c>1</c>, <c>yes</c>, the parameter given twice) is refused.
    /// </summary>
    public static bool Flag(HttpRequest request, string name)
    {
        if (!request.Query.TryGetValue(name, out var values))
        {
            return false;
        }

        return values.Count == 1 && bool.TryParse(values[0], out var flag) && values[0]!.Trim() == values[0]
            ? flag
            : throw Problems.BadParameter(name, $"Tham số {name} phải là true hoặc false.");
    }

    /// <summary>
    /// A parameter that may be left out but, when given, is one value that <paramref name="valid"/> accepts
    /// (an empty <c>?name=</c> is given, and refused); otherwise 400 with <paramref name="detail"/>.
    /// </summary>
    public static string? Optional(HttpRequest request, string name, Func<string, bool> valid, string detail)
    {
        if (!request.Query.TryGetValue(name, out var values))
        {
            return null;
        }

        return values.Count == 1 && values[0] is { Length: > 0 } value && valid(value) ? value : throw Problems.BadParameter(name, detail);
    }
}
