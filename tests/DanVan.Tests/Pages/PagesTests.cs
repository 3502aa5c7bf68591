using System.Text.RegularExpressions;
using DanVan.Auth;
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

    /// <summary>A province's own single sign-on, as DanVan__Auth__Authority names it (a realm under a path).</summary>
    private const string Authority = "https://sso.example.gov.vn/realms/so-noi-vu";

    private const string DashboardCsp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' https://sso.example.gov.vn; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private readonly PagesFunctions functions = new(new PageFiles(
        Options.Create(new DanVanOptions { AdminToken = TestApp.AdminToken, MaxUploadBytes = 12_345_678 }),
        Options.Create(new AuthOptions { Authority = Authority })));

    public static TheoryData<string> PageNames => ["upload", "dashboard"];

    [Theory]
    [MemberData(nameof(PageNames))]
    public async Task A_page_is_vietnamese_html_with_a_strict_content_security_policy(string page)
    {
        var response = await Get(page);

        Assert.Equal(200, response.Status);
        Assert.Equal("text/html; charset=utf-8", response.ContentType);
        Assert.Equal(page == "dashboard" ? DashboardCsp : Csp, response.Headers.ContentSecurityPolicy.ToString());
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

    [Theory]
    [InlineData("http://127.0.0.1:7080", "http://127.0.0.1:7080")]
    [InlineData("https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0", "https://login.microsoftonline.com")]
    [InlineData("https://sso.example.gov.vn:8443/realms/so-noi-vu/", "https://sso.example.gov.vn:8443")]
    public void The_dashboard_may_reach_only_the_configured_sign_in_provider_s_origin(string authority, string origin)
    {
        var policy = PageResults.ContentSecurityPolicyFor(authority);

        var connect = policy.Split("; ").Single(d => d.StartsWith("connect-src ", StringComparison.Ordinal));
        Assert.Equal($"connect-src 'self' {origin}", connect);
        Assert.Equal(Csp.Replace("connect-src 'self';", connect + ";", StringComparison.Ordinal), policy);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task Without_a_sign_in_provider_the_dashboard_keeps_the_strict_policy(string? authority)
    {
        var pages = new PagesFunctions(new PageFiles(Options.Create(new DanVanOptions { AdminToken = TestApp.AdminToken }), Options.Create(new AuthOptions { Authority = authority! })));

        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/dashboard"), r => Task.FromResult(pages.DashboardPage(r)));

        Assert.Equal(Csp, response.Headers.ContentSecurityPolicy.ToString());
    }

    /// <summary>The pages' OpenID Connect client is npm oauth4webapi exactly as package-lock.json pins it, not an edited copy.</summary>
    [Fact]
    public async Task The_shipped_oauth4webapi_is_the_pinned_npm_package_s_own_file()
    {
        var installed = Path.Combine(Azurite.RepositoryRoot, "node_modules", "oauth4webapi");
        Assert.True(File.Exists(Path.Combine(installed, "package.json")), $"npm oauth4webapi is not installed in {installed}: run 'npm ci' (scripts/test does).");
        using var package = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(installed, "package.json")));
        using var manifest = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Azurite.RepositoryRoot, "package.json")));
        var pinned = manifest.RootElement.GetProperty("devDependencies").GetProperty("oauth4webapi").GetString();

        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/pages/oauth4webapi.js"), r => Task.FromResult(functions.PageAsset(r, "oauth4webapi.js")));

        Assert.Equal(pinned, package.RootElement.GetProperty("version").GetString());
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(installed, "build", "index.js")), response.Body);
        Assert.Equal("text/javascript; charset=utf-8", response.ContentType);
    }

    /// <summary>
    /// The dashboard leaves out what the person's role would be refused: its table of the role each action needs agrees
    /// with the server's one table (<see cref="RouteRoles"/>) for the route that action calls.
    /// </summary>
    [Fact]
    public void The_dashboard_s_actions_need_the_roles_the_server_s_table_gives_their_routes()
    {
        var script = System.Text.Encoding.UTF8.GetString(new PageFiles(Options.Create(new DanVanOptions { AdminToken = TestApp.AdminToken }), Options.Create(new AuthOptions())).Get("dashboard.js").Content);
        var table = PageRoleTable().Match(script);
        Assert.True(table.Success, "dashboard.js has no NEEDS table");
        var page = PageRoleEntry().Matches(table.Groups[1].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var routes = new Dictionary<string, string>
        {
            ["remind"] = nameof(RemindersFunctions.SendReminders),
            ["compile"] = nameof(CompilationsFunctions.CreateCompilation),
            ["finalize"] = nameof(CompilationsFunctions.FinalizePeriod),
            ["decide-accept"] = nameof(DecisionsFunctions.ReviewReport),
            ["decide-return"] = nameof(DecisionsFunctions.ReviewReport),
            ["decide-extend"] = nameof(DecisionsFunctions.ExtendDeadline),
            ["decide-unextend"] = nameof(DecisionsFunctions.RevokeExtension),
            ["decide-exempt"] = nameof(DecisionsFunctions.ExemptUnit),
            ["decide-unexempt"] = nameof(DecisionsFunctions.RevokeExemption),
            ["registry-card"] = nameof(UnitsFunctions.ImportUnits),
        };

        Assert.Equal(routes.Keys.Order(), page.Keys.Order());
        foreach (var (action, function) in routes)
        {
            Assert.Equal((action, RouteRoles.Table[function].Role.ToString()), (action, page[action]));
        }
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
    [InlineData("signin.js", "text/javascript; charset=utf-8")]
    [InlineData("reminders.js", "text/javascript; charset=utf-8")]
    [InlineData("decisions.js", "text/javascript; charset=utf-8")]
    [InlineData("reading.js", "text/javascript; charset=utf-8")]
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

    /// <summary>Both pages come out of the one shell: one head, the page's own title and scripts in the order they run, the one credential form.</summary>
    [Fact]
    public async Task Each_page_is_its_own_content_in_the_one_shell()
    {
        var upload = (await Get("upload")).Text;
        var dashboard = (await Get("dashboard")).Text;

        foreach (var html in new[] { upload, dashboard })
        {
            Assert.Single(Regex.Matches(html, "<head>"));
            Assert.Single(Regex.Matches(html, "<form id=\"login-form\">"));
            Assert.DoesNotContain("{{", html);
            Assert.DoesNotContain("<!-- page", html);
            Assert.StartsWith("<!doctype html>", html);
        }

        Assert.Contains("<title>Nộp báo cáo công tác dân vận – Sở Nội vụ</title>", upload);
        Assert.Contains("<label for=\"token\">Mã quản trị</label>", dashboard);
        var scripts = Regex.Matches(dashboard, "<script src=\"pages/([a-z0-9]+\\.js)\"( type=\"module\"| defer)></script>").Select(m => m.Groups[1].Value + m.Groups[2].Value).ToList();
        Assert.Equal(["common.js defer", "signin.js type=\"module\"", "figures.js defer", "reading.js defer", "reminders.js defer", "decisions.js defer", "dashboard.js defer", "units.js defer"], scripts);
        Assert.All(scripts, s => Assert.Contains(s.Split(' ')[0], PageFiles.Assets));
    }

    [Theory]
    [InlineData("<!-- page\ntitle: T\n-->\n<p>{{nothing}}</p>", "slot {{nothing}} unfilled")]
    [InlineData("<!-- page\ntitle: T\ntitel: T\n-->\n<p></p>", "sets titel")]
    [InlineData("<p>no front matter</p>", "no front matter")]
    public void A_page_the_shell_cannot_fill_is_refused_at_start(string page, string problem)
    {
        var template = new PageTemplate("<title>{{title}}</title>{{main}}", "<form>{{login-label}}</form>");

        var error = Assert.Throws<InvalidOperationException>(() => template.Render("x.html", page, new Dictionary<string, string> { ["login-label"] = "L", ["login-help"] = "H" }));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    private Task<TestResponse> Get(string page) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/" + page), r => Task.FromResult(page == "upload" ? functions.UploadPage(r) : functions.DashboardPage(r)));

    [GeneratedRegex(@"const NEEDS = \{([^}]*)\};")]
    private static partial Regex PageRoleTable();

    [GeneratedRegex(@"'?([a-z-]+)'?: '([A-Za-z]+)'")]
    private static partial Regex PageRoleEntry();

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\s(on[a-z]+|style)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandlerOrStyle();

    [GeneratedRegex(@"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", RegexOptions.IgnoreCase)]
    private static partial Regex ForeignUrl();
}
