using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace DanVan.Http;

/// <summary>
/// Responses written straight to the worker's HttpResponse, with DanVan's JSON settings. Every one of
/// them (and every problem, see <see cref="ProblemMiddleware"/>) carries <see cref="ApplyHeaders"/>.
/// </summary>
public static class ApiResults
{
    /// <summary>
    /// The headers of every API answer. <c>no-store</c>: the answers carry credentials (a new unit
    /// token), personal data (contacts in the registry, who submitted what) or report files, none of
    /// which a browser or proxy may keep; one rule for all API answers is simpler to keep true than a
    /// list. <c>nosniff</c>: a browser renders a download or a JSON answer only as its declared type.
    /// The pages set their own (cacheable) headers in <c>PageResults</c>.
    /// </summary>
    public static void ApplyHeaders(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    public static IActionResult Json<T>(T body, int status = StatusCodes.Status200OK) => new JsonBodyResult<T>(body, status);

    public static IActionResult Text(string body, string contentType, string? fileName = null) =>
        new BytesResult(System.Text.Encoding.UTF8.GetBytes(body), contentType, fileName, null);

    public static IActionResult Bytes(byte[] body, string contentType, string? fileName = null) =>
        new BytesResult(body, contentType, fileName, null);

    public static IActionResult Stream(Stream body, string contentType, long? length, string? fileName) =>
        new StreamBodyResult(body, contentType, length, fileName);

    /// <summary>
    /// Content-Disposition for a Vietnamese file name: an ASCII fallback in <c>filename</c> and the
    /// UTF-8 name in <c>filename*</c> (RFC 6266 / RFC 5987).
    /// </summary>
    public static string ContentDisposition(string fileName)
    {
        var ascii = new string(RemoveDiacritics(fileName).Select(c => c is >= ' ' and < (char)127 and not '"' and not '\\' ? c : '_').ToArray());
        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }

    private static string RemoveDiacritics(string text)
    {
        var decomposed = text.Replace('đ', 'd').Replace('Đ', 'D').Normalize(System.Text.NormalizationForm.FormD);
        return new string(decomposed.Where(c => System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark).ToArray());
    }

    private sealed class JsonBodyResult<T>(T body, int status) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = status;
            ApplyHeaders(response);
            response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(response.Body, body, DanVan.Domain.Json.Options);
        }
    }

    private sealed class BytesResult(byte[] body, string contentType, string? fileName, int? status) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = status ?? StatusCodes.Status200OK;
            ApplyHeaders(response);
            response.ContentType = contentType;
            response.ContentLength = body.Length;
            if (fileName is not null)
            {
                response.Headers.ContentDisposition = ContentDisposition(fileName);
            }

            await response.Body.WriteAsync(body);
        }
    }

    private sealed class StreamBodyResult(Stream body, string contentType, long? length, string? fileName) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            await using var source = body;
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            ApplyHeaders(response);
            response.ContentType = contentType;
            response.ContentLength = length;
            if (fileName is not null)
            {
                response.Headers.ContentDisposition = ContentDisposition(fileName);
            }

            await source.CopyToAsync(response.Body, 81920, context.HttpContext.RequestAborted);
        }
    }
}
