using DanVan.Tests.Support;
using Microsoft.Playwright;

namespace DanVan.BrowserTests.Support;

/// <summary>
/// One browser context and page for one test: records every request the page makes and every
/// console error (a CSP violation shows there), so a test can assert nothing left the origin.
/// </summary>
public sealed class PageSession : IAsyncDisposable
{
    private readonly IBrowserContext context;

    private PageSession(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.Request += (_, request) => { lock (Requests) { Requests.Add(request.Url); } };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (ConsoleErrors) { ConsoleErrors.Add(message.Text); }
            }
        };
    }

    public IPage Page { get; }

    public List<string> Requests { get; } = [];

    public List<string> ConsoleErrors { get; } = [];

    /// <summary>
    /// A desktop-sized page (or a phone-sized one), Vietnamese locale, in Vietnam's time zone, its clock
    /// standing at the suite's instant like the app's (timers still run).
    /// </summary>
    public static async Task<PageSession> OpenAsync(BrowserApp app, bool phone = false)
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            Locale = "vi-VN",
            TimezoneId = "Asia/Ho_Chi_Minh",
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            AcceptDownloads = true,
        });
        await context.Clock.SetFixedTimeAsync(SuiteClock.Now.UtcDateTime);
        return new PageSession(context, await context.NewPageAsync());
    }

    /// <summary>Every request so far that went anywhere but the app's own origin (data: and blob: URLs are local).</summary>
    public IReadOnlyList<string> OffOriginRequests(Uri origin)
    {
        lock (Requests)
        {
            return Requests.Where(url =>
                !url.StartsWith("data:", StringComparison.Ordinal) &&
                !url.StartsWith("blob:", StringComparison.Ordinal) &&
                !(Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme == origin.Scheme && u.Host == origin.Host && u.Port == origin.Port)).ToList();
        }
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.ScreenshotDirectory, name), FullPage = true });

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
