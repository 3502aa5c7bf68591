using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using DanVan.Configuration;
using DanVan.Storage;
using DanVan.Tests.Support;
using DanVan.TestHost;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace DanVan.BrowserTests.Support;

/// <summary>
/// The real, built worker hosted by <see cref="FunctionsWorkerHost"/> on the shared Azurite (its own
/// storage prefix), the local sign-in provider (<see cref="DevIdentity"/>) it trusts, and Debian's headless
/// Chromium driven by Playwright. One of each for all browser tests. <see cref="AdminToken"/> is the break-glass token.
/// </summary>
public sealed class BrowserApp : IAsyncLifetime
{
    public const string AdminToken = "browser-admin-token-0123456789abcdef";

    /// <summary>The system browser from Debian's chromium package; Playwright never downloads one here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    public const long MaxUploadBytes = 20L * 1024 * 1024;

    private readonly string prefix = "b" + Guid.NewGuid().ToString("N")[..10];
    private IPlaywright? playwright;

    public FunctionsWorkerHost Host { get; private set; } = null!;

    /// <summary>The local sign-in provider, sending people back to the dashboard of <see cref="Host"/>.</summary>
    public DevIdentity Identity { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress => Host.BaseAddress;

    /// <summary>An HTTP client with the admin credential, for setting up data through the API.</summary>
    public HttpClient Admin { get; private set; } = null!;

    public StorageNames Names { get; private set; } = null!;

    public static string ScreenshotDirectory { get; } = Path.Combine(Azurite.RepositoryRoot, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        Names = new StorageNames(Options.Create(new DanVanOptions { AdminToken = AdminToken, StoragePrefix = prefix }));
        var configuration = typeof(BrowserApp).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

        // The provider must know where to send people back, and the worker which provider it trusts: the port first.
        var port = FunctionsWorkerHost.FreePort();
        Identity = await DevIdentity.StartAsync($"http://127.0.0.1:{port}/api/dashboard");
        Host = await FunctionsWorkerHost.StartAsync(new WorkerHostOptions
        {
            FunctionAppDirectory = Path.Combine(Azurite.RepositoryRoot, "functions", "bin", configuration, "net10.0"),
            Settings = Settings(),
            HttpPort = port,
        });
        Admin = new HttpClient { BaseAddress = Host.BaseAddress };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium and chromium-driver packages (.ci/run does).");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    /// <summary>The suites' shared settings (<see cref="WorkerSettings"/>), with this run's upload limit; email goes to the outbox.</summary>
    private Dictionary<string, string> Settings()
    {
        var settings = WorkerSettings.For(prefix, AdminToken, Identity);
        settings["DanVan__MaxUploadBytes"] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>A unit in the registry, through the admin API.</summary>
    public async Task PutUnitAsync(string code, string name, string? activeFrom = null, string? activeTo = null)
    {
        activeFrom ??= WorkerSettings.ActiveFrom;
        var response = await Admin.PutAsJsonAsync($"api/units/{code}", new
        {
            code,
            name,
            group = "Sở, ban, ngành",
            emails = new[] { $"{code}@example.org" },
            headEmail = $"thu-truong.{code}@example.org",
            activeFrom,
            activeTo,
        });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A small PDF uploaded by the break-glass caller on the unit's behalf, through the API.</summary>
    public async Task UploadAsync(string periodId, string unit)
    {
        using var content = new ByteArrayContent(UploadPageTests.Pdf(2048));
        content.Headers.ContentType = new("application/pdf");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/periods/{periodId}/reports?unit={unit}") { Content = content };
        request.Headers.Add("X-File-Name", Uri.EscapeDataString("Báo cáo.pdf"));
        (await Admin.SendAsync(request)).EnsureSuccessStatusCode();
    }

    /// <summary>A fresh unit credential, through the admin API.</summary>
    public async Task<string> IssueTokenAsync(string code)
    {
        var response = await Admin.PostAsync($"api/units/{code}/token", null);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("token").GetString()!;
    }

    /// <summary>The worker's storage, as DanVan itself addresses it (its tables, containers and queues under this run's prefix).</summary>
    public DanVanStore Store => new(
        new TableServiceClient(Azurite.ConnectionString),
        new BlobServiceClient(Azurite.ConnectionString),
        new Azure.Storage.Queues.QueueServiceClient(Azurite.ConnectionString, new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 }),
        Names);

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        Admin?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Identity is not null)
        {
            await Identity.DisposeAsync();
        }

        var tables = new TableServiceClient(Azurite.ConnectionString);
        await foreach (var table in tables.QueryAsync(t => t.Name.CompareTo(prefix) >= 0 && t.Name.CompareTo(prefix + "~") < 0))
        {
            await tables.DeleteTableAsync(table.Name);
        }

        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        await foreach (var container in blobs.GetBlobContainersAsync(prefix: prefix))
        {
            await blobs.DeleteBlobContainerAsync(container.Name);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserApp>
{
    public const string Name = "browser";
}
