using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using DanVan.TestHost;
using DanVan.Tests.Email;
using DanVan.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace DanVan.EndToEnd.Support;

/// <summary>
/// One real DanVan worker for the whole end-to-end run, like WebApplicationFactory: the build
/// output of functions/ started by <see cref="FunctionsWorkerHost"/> on free loopback ports, against
/// the shared Azurite with a storage prefix of its own and a known admin token. The worker is
/// killed by PID when the run ends, whatever the tests did.
/// </summary>
public sealed class DanVanHost : IAsyncLifetime
{
    public const string AdminToken = "e2e-admin-token-0123456789abcdef";

    private readonly ConcurrentQueue<string> logs = new();
    private static readonly Stopwatch Uptime = Stopwatch.StartNew();
    private FunctionsWorkerHost? host;

    public FunctionsWorkerHost Host => host ?? throw new InvalidOperationException("The host has not started.");

    /// <summary>The local sign-in provider the worker accepts people's tokens from (the admin token is break-glass).</summary>
    public DevIdentity Identity { get; private set; } = null!;

    /// <summary>Where the worker sends email: a local server speaking SendGrid's v3 API.</summary>
    public SendGridStub SendGrid { get; private set; } = null!;

    /// <summary>A client for the host's front door; add credentials per request (<see cref="Admin"/>, <see cref="As"/>).</summary>
    public HttpClient Client { get; private set; } = null!;

    public string StoragePrefix { get; } = "e" + Guid.NewGuid().ToString("N")[..10];

    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    public TimeSpan StartupTime { get; private set; }

    public TableServiceClient Tables => new(Azurite.ConnectionString);

    public BlobServiceClient Blobs => new(Azurite.ConnectionString);

    /// <summary>A table as DanVan names it under this run's prefix (see functions/Storage/StorageNames.cs).</summary>
    public TableClient Table(string name) => Tables.GetTableClient(StoragePrefix + name);

    public BlobContainerClient Container(string name) => Blobs.GetBlobContainerClient(StoragePrefix + name);

    public async Task InitializeAsync()
    {
        Identity = await DevIdentity.StartAsync();
        var settings = WorkerSettings.For(StoragePrefix, AdminToken, Identity);
        SendGrid = await SendGridStub.StartAsync();
        settings["DanVan__Email__SendGridApiKey"] = SendGridStub.ApiKey;
        settings["DanVan__Email__SendGridHost"] = SendGrid.Host;
        // The test PKI's root is the one anchor, so a signed upload can be "valid" end to end.
        settings["DanVan__Signatures__TrustedRoots"] = TestPki.Shared.RootPem;
        Settings = settings;

        var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter(WorkerChannel.WorkerLogPrefix + "Azure", LogLevel.Warning)
            .AddFilter(WorkerChannel.WorkerLogPrefix + "Microsoft", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Grpc", LogLevel.Warning)
            .AddFilter("DanVan.TestHost.WorkerConsole", LogLevel.Debug) // the worker's own output too: OperationsTests reads every line
            .AddProvider(new QueueLoggerProvider(logs)));
        var clock = Stopwatch.StartNew();
        host = await FunctionsWorkerHost.StartAsync(new WorkerHostOptions
        {
            FunctionAppDirectory = FunctionAppDirectory(),
            Settings = settings,
            LoggerFactory = loggers,
        });
        StartupTime = clock.Elapsed;
        Client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = host.BaseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
    }

    /// <summary>
    /// The functions/ build output of the same configuration as these tests (scripts/test builds the
    /// solution first); DANVAN_E2E_APP_DIR points elsewhere, e.g. at a <c>dotnet publish</c> output.
    /// </summary>
    public static string FunctionAppDirectory()
    {
        if (Environment.GetEnvironmentVariable("DANVAN_E2E_APP_DIR") is { Length: > 0 } given)
        {
            return given;
        }

        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (configuration, framework) = (here.Parent!.Name, here.Name);
        return Path.Combine(Azurite.RepositoryRoot, "functions", "bin", configuration, framework);
    }

    public HttpRequestMessage Admin(HttpMethod method, string path, HttpContent? content = null) => As(AdminToken, method, path, content);

    public static HttpRequestMessage As(string? token, HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

    /// <summary>
    /// Invokes a timer the way a person does with <c>func start</c>: <c>POST /admin/functions/{name}</c>
    /// with <c>{"input": ""}</c> (202), then waits for that invocation to finish in the worker.
    /// </summary>
    public async Task<InvocationResult> RunTimerAsync(string functionName)
    {
        using var response = await Client.PostAsync($"admin/functions/{functionName}", new StringContent("""{"input": ""}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var invocationId = response.Headers.GetValues("x-ms-invocation-id").Single();
        return await Host.WaitForInvocationAsync(invocationId).WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> generated bytes as the body, streamed with a Content-Length and
    /// never held in memory: for uploads past the worker Kestrel's default 30,000,000-byte limit.
    /// With <c>Expect: 100-continue</c> (as curl sends for large bodies), so a request the function
    /// refuses before reading is answered without the body being sent.
    /// </summary>
    public Task<HttpResponseMessage> SendLargeBodyAsync(HttpMethod method, string path, long bytes, string contentType, string? token = AdminToken, Action<HttpRequestMessage>? configure = null, byte[]? startingWith = null)
    {
        var request = As(token, method, path, new GeneratedContent(bytes, contentType, startingWith ?? []));
        request.Headers.ExpectContinue = true;
        configure?.Invoke(request);
        return SendAsync(request);
    }

    public IReadOnlyList<string> Logs => logs.ToArray();

    /// <summary>Host and worker logs so far (worker categories start with "Worker.").</summary>
    public void WriteLogsTo(ITestOutputHelper output, int last = 200)
    {
        foreach (var line in logs.ToArray().TakeLast(last))
        {
            output.WriteLine(line);
        }
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        if (SendGrid is not null)
        {
            await SendGrid.DisposeAsync();
        }

        if (Identity is not null)
        {
            await Identity.DisposeAsync();
        }
    }

    private sealed class GeneratedContent : HttpContent
    {
        private readonly long length;
        private readonly byte[] head;

        public GeneratedContent(long length, string contentType, byte[] head)
        {
            this.length = length;
            this.head = head;
            Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var chunk = new byte[81920];
            new Random(7).NextBytes(chunk);
            await stream.WriteAsync(head);
            for (var left = length - head.Length; left > 0; left -= chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = this.length;
            return true;
        }
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class QueueLogger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lines.Enqueue($"{Uptime.Elapsed.TotalSeconds,8:F3} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
                while (lines.Count > 5000 && lines.TryDequeue(out _))
                {
                }
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DanVanHostCollection : ICollectionFixture<DanVanHost>
{
    public const string Name = "DanVan host";
}
