using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using DanVan.Auth;
using DanVan.Configuration;
using Microsoft.Extensions.Options;

namespace DanVan.Pages;

/// <summary>One file the pages are made of, ready to send: its bytes, media type, the CSP it is sent with and a strong ETag.</summary>
public sealed record PageFile(string Name, byte[] Content, string ContentType, string ContentSecurityPolicy)
{
    public string ETag { get; } = "\"" + Convert.ToHexStringLower(SHA256.HashData(Content))[..32] + "\"";
}

/// <summary>
/// The upload page, the dashboard, their script/style files and the OpenAPI document, embedded in the
/// assembly (no CDN, no build step). Each page file holds only what is its own (<see cref="PageTemplate"/>): its
/// front matter and its main content, put in the one shell (<c>layout.html</c>: the <c>&lt;head&gt;</c>, header and
/// footer) with the one credential form (<c>login-form.html</c>) when it asks for it. The pages get the configured
/// upload limit rendered into a data attribute, so the browser warns with the same number the server enforces. The dashboard's
/// policy lets it reach the configured sign-in provider (<see cref="AuthOptions.Authority"/>) and nothing else;
/// oauth4webapi.js is the pinned npm package's own file (a test checks it byte for byte).
/// </summary>
public sealed class PageFiles
{
    /// <summary>Files served under <c>/api/pages/{file}</c>; anything else is a 404.</summary>
    public static readonly IReadOnlyList<string> Assets = ["app.css", "upload.js", "dashboard.js", "common.js", "figures.js", "units.js", "resend.js", "reading.js", "reminders.js", "decisions.js", "signin.js", "oauth4webapi.js"];

    /// <summary>The pages, served at their own routes; each is rendered once, at start.</summary>
    public static readonly IReadOnlyList<string> Pages = ["upload.html", "dashboard.html"];

    private readonly FrozenDictionary<string, PageFile> files;

    public PageFiles(IOptions<DanVanOptions> options, IOptions<AuthOptions> auth)
    {
        var dashboardPolicy = PageResults.ContentSecurityPolicyFor(auth.Value.Authority);
        var maxBytes = options.Value.MaxUploadBytes.ToString(CultureInfo.InvariantCulture);
        var template = new PageTemplate(Read("layout.html"), Read("login-form.html"));
        var all = new Dictionary<string, PageFile>(StringComparer.Ordinal);
        foreach (var name in Assets.Concat(Pages).Append("openapi.json"))
        {
            var text = Read(name);
            if (Pages.Contains(name))
            {
                text = template.Render(name, text, new Dictionary<string, string> { ["maxUploadBytes"] = WebUtility.HtmlEncode(maxBytes) });
            }

            var policy = name == "dashboard.html" ? dashboardPolicy : PageResults.ContentSecurityPolicy;
            all[name] = new PageFile(name, Encoding.UTF8.GetBytes(text), ContentTypeOf(name), policy);
        }

        files = all.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public PageFile Get(string name) => files[name];

    public PageFile? FindAsset(string name) => Assets.Contains(name) ? files[name] : null;

    private static string Read(string name)
    {
        using var stream = typeof(PageFiles).Assembly.GetManifestResourceStream("DanVan.Pages." + name)
            ?? throw new InvalidOperationException($"Embedded page file '{name}' is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };
}
