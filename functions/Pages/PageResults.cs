using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace DanVan.Pages;

/// <summary>Sends a <see cref="PageFile"/> with the security headers every page and asset carries.</summary>
public static class PageResults
{
    /// <summary>
    /// Strict: only this origin's own scripts, styles and API calls; no inline script or style, no
    /// frames, no foreign form targets. The pages are written to need nothing more.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// The dashboard's policy: the strict one, and the sign-in provider's origin for its discovery document and token
    /// endpoint (fetch). Going to the provider to sign in or out is a navigation, which no CSP directive governs.
    /// No provider configured: the strict policy.
    /// </summary>
    public static string ContentSecurityPolicyFor(string? authority)
    {
        if (string.IsNullOrWhiteSpace(authority) || !Uri.TryCreate(authority, UriKind.Absolute, out var uri))
        {
            return ContentSecurityPolicy;
        }

        var origin = uri.GetLeftPart(UriPartial.Authority);
        return ContentSecurityPolicy.Replace("connect-src 'self';", $"connect-src 'self' {origin};", StringComparison.Ordinal);
    }

    public static IActionResult File(PageFile file) => new PageFileResult(file);

    private sealed class PageFileResult(PageFile file) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var request = context.HttpContext.Request;
            var response = context.HttpContext.Response;
            var headers = response.Headers;
            headers.ContentSecurityPolicy = file.ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";

            // Revalidate every time (a deploy shows at once), but a slow line only pays for a 304.
            headers.CacheControl = "no-cache";
            headers.ETag = file.ETag;
            if (request.Headers.IfNoneMatch.Contains(file.ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = file.ContentType;
            response.ContentLength = file.Content.Length;
            if (!HttpMethods.IsHead(request.Method))
            {
                await response.Body.WriteAsync(file.Content);
            }
        }
    }
}
