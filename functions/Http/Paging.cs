using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace DanVan.Http;

/// <summary>
/// <c>?limit=&amp;continuation=</c> on a listing: the page size (1 to <see cref="MaxLimit"/>) and the opaque token
/// the previous page answered with in the <see cref="Header"/> response header (absent: the last page).
/// </summary>
public static class Paging
{
    public const string Header = "X-Continuation";
    public const int MaxLimit = 1000;

    public static (int Limit, string? Continuation) Read(HttpRequest request, int defaultLimit, Func<string, bool> isContinuation)
    {
        string? limitText = request.Query["limit"];
        var limit = defaultLimit;
        if (!string.IsNullOrEmpty(limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            throw Problems.BadParameter("limit", $"Tham số limit phải là số nguyên từ 1 đến {MaxLimit}.");
        }

        string? continuation = request.Query["continuation"];
        if (string.IsNullOrEmpty(continuation))
        {
            return (limit, null);
        }

        return isContinuation(continuation)
            ? (limit, continuation)
            : throw Problems.BadParameter("continuation", "Tham số continuation không hợp lệ: dùng đúng giá trị mà trang trước trả về (tiêu đề X-Continuation).");
    }

    /// <summary>Tells the caller where the next page starts; nothing when this page is the last.</summary>
    public static void Answer(HttpRequest request, string? continuation)
    {
        if (continuation is not null)
        {
            request.HttpContext.Response.Headers[Header] = continuation;
        }
    }
}
