using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using DanVan.TestHost;
using DanVan.Tests.Support;

namespace DanVan.Benchmarks;

/// <summary>
/// The upload path through the real worker: the test host (Functions gRPC protocol) forwards each HTTP
/// request, streamed, to the worker's own Kestrel, as the Functions host does. Measures a 20 MB upload's
/// time against the SDK's upload of the same bytes, and the worker process's resident memory (managed +
/// native: VmRSS from /proc) above its level before each upload of 5, 20 and 50 MB.
/// </summary>
public static class WorkerUploadScenario
{
    private const string AdminToken = "bench-admin-token-0123456789abcdef";

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        var appDir = Path.Combine(Azurite.RepositoryRoot, "functions", "bin", "Release", "net10.0");
        // The suites' worker settings: its clock stands at 23:59:59.999 on 14/5/2026, so 2026-H1 is open and on time.
        var settings = WorkerSettings.For("b" + Guid.NewGuid().ToString("N")[..10], AdminToken);
        await using var host = await FunctionsWorkerHost.StartAsync(new WorkerHostOptions { FunctionAppDirectory = appDir, Settings = settings });
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };

        var tokens = new List<string>();
        for (var i = 1; i <= 40; i++)
        {
            var code = $"don-vi-{i:D2}";
            using var put = Admin(HttpMethod.Put, $"api/units/{code}", JsonContent.Create(new { code, name = $"Đơn vị {i:D2}", group = "Sở, ban, ngành", emails = Array.Empty<string>(), activeFrom = "2020-01-01" }));
            (await client.SendAsync(put)).EnsureSuccessStatusCode();
            using var issue = Admin(HttpMethod.Post, $"api/units/{code}/token");
            var issued = await (await client.SendAsync(issue)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<Issued>();
            tokens.Add(issued!.Token);
        }

        var pid = DotnetProcess(host.WorkerProcessId ?? throw new InvalidOperationException("The worker is not running."));
        var memory = new List<string>();
        double at50 = 0;
        var k = 0;

        // Code paths warm, buffers not: one 1 MB upload first.
        await UploadAsync(client, tokens[19], new StreamContent(new GeneratedBody(1024 * 1024)));
        // Both write paths: chunked (no Content-Length: staged blocks) and with Content-Length (one Put Blob).
        foreach (var withLength in new[] { false, true })
        {
            foreach (var mb in new[] { 5, 20, 50 })
            {
                var size = mb * 1024L * 1024;
                GC.Collect();
                var before = Rss(pid);
                var peak = before;
                using var stop = new CancellationTokenSource();
                var sampler = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        peak = Math.Max(peak, Rss(pid));
                        await Task.Delay(5);
                    }
                });
                var content = new StreamContent(new GeneratedBody(size));
                content.Headers.ContentLength = withLength ? size : null;
                await UploadAsync(client, tokens[k++], content);
                await stop.CancelAsync();
                await sampler;
                var extra = (peak - before) / 1048576.0;
                at50 = mb == 50 ? Math.Max(at50, extra) : at50;
                memory.Add($"{(withLength ? "put blob" : "staged")} {mb} MB: +{extra:F1}");
                Console.WriteLine($"worker pid {pid}: RSS {before / 1048576.0:F0} MB before, peak {peak / 1048576.0:F0} MB during the {mb} MB upload ({(withLength ? "Content-Length" : "chunked")})");
            }
        }

        var file = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        "%PDF-1.7\n"u8.CopyTo(file);
        var blobs = new Azure.Storage.Blobs.BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(settings["DanVan__StoragePrefix"] + "reports");
        await using var forwarded = await ForwardedSdkUpload.StartAsync(blobs);
        using var baselineClient = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = forwarded.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var (danVan, baseline) = await Measure.PairAsync(
            async i => await UploadAsync(client, tokens[(i + 10) % tokens.Count], new ByteArrayContent(file)),
            async _ =>
            {
                using var response = await baselineClient.PostAsync("upload", new ByteArrayContent(file));
                response.EnsureSuccessStatusCode();
            },
            runs: 25,
            warmups: 3);
        var ratio = danVan.Median / baseline.Median;

        return
        [
            new Row("upload a 20 MB report, through the worker", danVan.ToString(), baseline.ToString(), $"{ratio:F2}×", "≤ 1.5×", ratio <= 1.5,
                "client → test host → worker Kestrel → DanVan → Azurite; baseline = the same bytes through a front Kestrel → a second Kestrel → one SDK Put Blob (ForwardedSdkUpload)"),
            new Row("upload memory, worker process (RSS)", $"+{at50:F1} MB at 50 MB", "—", "—", "< 32 MB, flat", at50 < 32, string.Join("; ", memory) + " (MB above the worker's RSS before the upload)"),
        ];
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return request;
    }

    private static async Task UploadAsync(HttpClient client, string token, HttpContent content)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/periods/2026-H1/reports") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-File-Name", Uri.EscapeDataString("báo cáo.pdf"));
        using var response = await client.SendAsync(request);
        if ((int)response.StatusCode is not (200 or 201))
        {
            throw new InvalidOperationException($"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>
    /// The worker's own dotnet process: the host may start it under a small shell watchdog, in which case
    /// the started PID is the shell's and the worker is its child.
    /// </summary>
    private static int DotnetProcess(int pid)
    {
        var comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
        if (comm == "dotnet")
        {
            return pid;
        }

        var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return children.Select(c => int.Parse(c, CultureInfo.InvariantCulture)).First(c => File.ReadAllText($"/proc/{c}/comm").Trim() == "dotnet");
    }

    /// <summary>Resident set size of a process in bytes (Linux /proc).</summary>
    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private sealed record Issued(string UnitCode, string Token);
}
