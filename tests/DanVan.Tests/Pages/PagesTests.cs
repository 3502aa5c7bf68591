using System.Text.RegularExpressions;
using DanVan.Configuration;
using DanVan.Functions;
using DanVan.Pages;
using DanVan.Tests.Support;
using Microsoft.Extensions.Options;

namespace DanVan.Tests.Pages;

/// <summary>The pages as the worker sends them: headers, content and what the strict CSP allows.</summary>
public sealed partial class PagesTests
{
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private readonly PagesFunctions functions = new(new PageFiles(Options.Create(new DanVanOptions { AdminToken = TestApp.AdminToken, MaxUploadBytes = 12_345_678 })));

    public static TheoryData<string> PageNames => ["upload", "dashboard"];

    [Theory]
    [MemberData(nameof(PageNames))]
    public async Task A_page_is_vietnamese_html_with_a_strict_content_security_policy(string page)
    {
        var response = await Get(page);

        Assert.Equal(200, response.Status);
        Assert.Equal("text/html; charset=utf-8", response.ContentType);
        Assert.Equal(Csp, response.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", response.Headers.XContentTypeOptions.ToString());
        Assert.Equal("no-referrer", response.Headers["Referrer-Policy"].ToString());
        Assert.Equal("no-cache", response.Headers.CacheControl.ToString());
        Assert.Contains("<html lang=\"vi\">", response.Text);
        Assert.Contains("name=\"viewport\"", response.Text);
    }

    [Theory]
    [MemberData(nameof(PageNames))]
    public async Task A_page_needs_nothing_the_policy_forbids(string page)
    {
        var html = (await Get(page)).Text;

        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(InlineHandlerOrStyle(), html);
        Assert.DoesNotMatch(ForeignUrl(), html);
    }

    [Fact]
    public async Task The_upload_page_carries_the_configured_upload_limit()
    {
        var html = (await Get("upload")).Text;

        Assert.Contains("data-max-upload-bytes=\"12345678\"", html);
        Assert.DoesNotContain("{{", html);
    }

    [Theory]
    [InlineData("app.css", "text/css; charset=utf-8")]
    [InlineData("common.js", "text/javascript; charset=utf-8")]
    [InlineData("upload.js", "text/javascript; charset=utf-8")]
    [InlineData("dashboard.js", "text/javascript; charset=utf-8")]
    public async Task The_script_and_style_files_are_served_with_their_types_and_the_same_headers(string file, string type)
    {
        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/pages/" + file), r => Task.FromResult(functions.PageAsset(r, file)));

        Assert.Equal(200, response.Status);
        Assert.Equal(type, response.ContentType);
        Assert.Equal(Csp, response.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", response.Headers.XContentTypeOptions.ToString());
        Assert.DoesNotMatch(ForeignUrl(), response.Text);
    }

    [Theory]
    [InlineData("openapi.json")]
    [InlineData("upload.html")]
    [InlineData("..%2Fhost.json")]
    [InlineData("nothing.js")]
    public async Task Any_other_file_name_is_a_404_problem_in_vietnamese(string file)
    {
        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/pages/" + file), r => Task.FromResult(functions.PageAsset(r, file)));

        Assert.Equal(404, response.Status);
        Assert.Equal("not_found", response.Code);
        Assert.Equal("Không tìm thấy", response.Json.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_browser_that_has_the_page_already_gets_304_without_a_body()
    {
        var first = await Get("dashboard");
        var request = TestHttp.Request("GET", "/api/dashboard");
        request.Headers.IfNoneMatch = first.Headers.ETag;

        var second = await TestHttp.InvokeAsync(request, r => Task.FromResult(functions.DashboardPage(r)));

        Assert.Equal(304, second.Status);
        Assert.Empty(second.Body);
    }

    private Task<TestResponse> Get(string page) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/" + page), r => Task.FromResult(page == "upload" ? functions.UploadPage(r) : functions.DashboardPage(r)));

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\s(on[a-z]+|style)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandlerOrStyle();

    [GeneratedRegex(@"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", RegexOptions.IgnoreCase)]
    private static partial Regex ForeignUrl();
}
