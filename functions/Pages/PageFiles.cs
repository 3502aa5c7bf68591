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
/// assembly (no CDN, no build step). The two HTML pages get the configured upload limit rendered
/// into a data attribute, so the browser warns with the same number the server enforces. The dashboard's
/// policy lets it reach the configured sign-in provider (<see cref="AuthOptions.Authority"/>) and nothing else;
/// oauth4webapi.js is the pinned npm package's own file (a test checks it byte for byte).
/// </summary>
public sealed class PageFiles
{
    /// <summary>Files served under <c>/api/pages/{file}</c>; anything else is a 404.</summary>
    public static readonly IReadOnlyList<string> Assets = ["app.css", "upload.js", "dashboard.js", "common.js", "figures.js", "units.js", "resend.js", "reading.js", "signin.js", "oauth4webapi.js"];

    private readonly FrozenDictionary<string, PageFile> files;

    public PageFiles(IOptions<DanVanOptions> options, IOptions<AuthOptions> auth)
    {
        var dashboardPolicy = PageResults.ContentSecurityPolicyFor(auth.Value.Authority);
        var maxBytes = options.Value.MaxUploadBytes.ToString(CultureInfo.InvariantCulture);
        var all = new Dictionary<string, PageFile>(StringComparer.Ordinal);
        foreach (var name in Assets.Concat(["upload.html", "dashboard.html", "openapi.json"]))
        {
            var text = Read(name);
            if (name.EndsWith(".html", StringComparison.Ordinal))
            {
                text = text.Replace("{{maxUploadBytes}}", WebUtility.HtmlEncode(maxBytes), StringComparison.Ordinal);
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
