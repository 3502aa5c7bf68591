using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using DanVan.TestHost;
using DanVan.Tests.Support;
using Microsoft.Extensions.Logging;

namespace DanVan.Benchmarks;

/// <summary>
/// The deadline rush (issue 29), through the real worker (the test host forwards each request to the worker's Kestrel, as
/// the Functions host does): 300 units, each with its own credential and address, each uploading one 256 KB PDF to one
/// period, at 1, 8, 32 and 100 uploads at once; against an SDK baseline at the same concurrency on the same Azurite doing
/// the least an upload must (one Put Blob and one entity insert). Receipt emails go to a SendGrid-shaped stub. After each run every 201 is checked to be exactly one
/// listed version. The conflicts and retries per upload are the app's own counters (the <c>UploadAccepted</c> event's
/// <c>conflicts</c> and <c>retries</c>, read from the worker's log). A last run at 100 at once has the dashboard's status
/// and <c>GET /api/periods</c> polled, the reminder timer and a compile running at the same time.
/// </summary>
public static class RushScenario
{
    private const string AdminToken = "bench-admin-token-0123456789abcdef";
    private const string Period = "2026-H1";
    private const int Units = 300;
    private const int FileBytes = 256 * 1024;
    private static readonly int[] Concurrency = [1, 8, 32, 100];

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        var appDir = Path.Combine(Azurite.RepositoryRoot, "functions", "bin", "Release", "net10.0");
        var prefix = "r" + Guid.NewGuid().ToString("N")[..10];
        // Receipts go to a SendGrid-shaped stub, as they would go to SendGrid: without a key the worker would write each one
        // to the outbox container instead, a Put Blob per upload on the same Azurite that production never makes.
        await using var sendGrid = await DanVan.Tests.Email.SendGridStub.StartAsync();
        var settings = WorkerSettings.For(prefix, AdminToken);
        settings["DanVan__Email__SendGridApiKey"] = DanVan.Tests.Email.SendGridStub.ApiKey;
        settings["DanVan__Email__SendGridHost"] = sendGrid.Host;
        var counters = new UploadCounters();
        using var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter(WorkerChannel.WorkerLogPrefix + DanVan.Telemetry.DanVanTelemetry.Category, LogLevel.Information)
            .AddProvider(counters));
        await using var host = await FunctionsWorkerHost.StartAsync(new WorkerHostOptions { FunctionAppDirectory = appDir, Settings = settings, LoggerFactory = loggers });
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };

        var tokens = await RegisterAsync(client, Prefix, withAddress: true);

        var file = RandomNumberGenerator.GetBytes(FileBytes);
        "%PDF-1.7\n"u8.CopyTo(file);
        var service = new BlobServiceClient(Azurite.ConnectionString);
        var baseBlobs = service.GetBlobContainerClient(prefix + "rushbaseline");
        await baseBlobs.CreateIfNotExistsAsync();
        var baseTable = new TableClient(Azurite.ConnectionString, prefix + "rushbaseline");
        await baseTable.CreateIfNotExistsAsync();
        var queue = new Azure.Storage.Queues.QueueClient(Azurite.ConnectionString, WorkerSettings.EmailQueue(prefix));
        // The host path alone: the same two HTTP hops as an upload to the worker, behind them one Put Blob and one insert.
        await using var hostPath = await ForwardedSdkUpload.StartAsync(baseBlobs, baseTable);
        using var floorClient = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = hostPath.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };

        // Warm both paths (JIT, connections): 20 uploads each, untimed.
        var round = 0;
        await DanVanRunAsync(client, tokens, file, round++, 8, count: 20);
        await BaselineRunAsync(baseBlobs, baseTable, file, 8, count: 20);
        await HostPathRunAsync(floorClient, file, round, 8, count: 20);
        await DrainAsync(queue);

        var cpu = new Cpu(WorkerProcess(host.WorkerProcessId ?? throw new InvalidOperationException("The worker is not running.")));
        var rows = new List<Row>();
        var results = new Dictionary<int, (Run DanVan, Run Baseline)>();
        var floors = new Dictionary<int, Run>();
        foreach (var (c, index) in Concurrency.Select((c, i) => (c, i)))
        {
            var load = LoadAverage();
            Run danVan, baseline;
            var before = counters.Snapshot();
            string danVanCpu, baselineCpu;
            if (index % 2 == 0)
            {
                var at = cpu.Read();
                danVan = await DanVanRunAsync(client, tokens, file, round++, c);
                await DrainAsync(queue);
                danVanCpu = cpu.Since(at, Units);
                at = cpu.Read();
                baseline = await BaselineRunAsync(baseBlobs, baseTable, file, c);
                baselineCpu = cpu.Since(at, Units);
            }
            else
            {
                var at = cpu.Read();
                baseline = await BaselineRunAsync(baseBlobs, baseTable, file, c);
                baselineCpu = cpu.Since(at, Units);
                at = cpu.Read();
                danVan = await DanVanRunAsync(client, tokens, file, round++, c);
                await DrainAsync(queue);
                danVanCpu = cpu.Since(at, Units);
            }

            var floorAt = cpu.Read();
            var floor = floors[c] = await HostPathRunAsync(floorClient, file, round, c);
            var floorCpu = cpu.Since(floorAt, Units);
            var created = danVan.Created.Count;
            var (events, conflicts, retries) = await counters.AfterAsync(before, created);
            var problems = await CheckAsync(client, danVan);
            results[c] = (danVan, baseline);
            var ratio = danVan.PerSecond / baseline.PerSecond;
            var last = c == Concurrency[^1];
            bool? met = last
                ? problems.Count == 0 && danVan.Busy == 0 && ratio >= 0.7 && danVan.P(0.99) <= 3 * baseline.P(0.99) && danVan.PerSecond >= results[8].DanVan.PerSecond
                : problems.Count == 0 && danVan.Busy == 0 ? null : false;
            rows.Add(new Row(
                $"rush: {Units} units × 256 KB, {c} at once",
                danVan.ToString(),
                baseline.ToString(),
                $"{ratio:F2}× uploads/s; p99 {danVan.P(0.99) / baseline.P(0.99):F2}×",
                last ? "≥ 0.7× uploads/s, p99 ≤ 3×, ≥ 8 at once, 0 × 503, receipts checked" : "0 × 503, receipts checked",
                met,
                $"answers {danVan.Statuses}; conflicts/upload {Per(conflicts, events)}, retries/upload {Per(retries, events)} ({events} UploadAccepted events); " +
                $"{(problems.Count == 0 ? $"each of {created} × 201 is exactly one listed version" : "CHECK FAILED: " + string.Join("; ", problems.Take(3)))}; " +
                $"CPU per upload: DanVan {danVanCpu} (receipt emails sent included), baseline {baselineCpu}; " +
                $"the host path alone (two HTTP hops, one Put Blob, one insert) {floor} = {floor.PerSecond / baseline.PerSecond:F2}× the baseline's uploads/s, p99 {floor.P(0.99) / baseline.P(0.99):F2}×, CPU {floorCpu}; " +
                $"load average {load} → {LoadAverage()}"));
            Console.WriteLine(rows[^1]);
        }

        rows.Add(new Row(
            "rush: uploads/s at 100 at once vs at 8",
            $"{results[100].DanVan.PerSecond:F1} vs {results[8].DanVan.PerSecond:F1}/s",
            $"{results[100].Baseline.PerSecond:F1} vs {results[8].Baseline.PerSecond:F1}/s",
            $"{results[100].DanVan.PerSecond / results[8].DanVan.PerSecond:F2}×",
            "≥ 1× (no collapse)",
            results[100].DanVan.PerSecond >= results[8].DanVan.PerSecond,
            "DanVan's throughput at 100 uploads at once over its throughput at 8"));

        rows.Add(new Row(
            "rush: the host path alone at 100 at once (what any worker behind it can reach)",
            floors[100].ToString(),
            results[100].Baseline.ToString(),
            $"{floors[100].PerSecond / results[100].Baseline.PerSecond:F2}× uploads/s; p99 {floors[100].P(0.99) / results[100].Baseline.P(0.99):F2}×",
            "reported",
            null,
            "client → front Kestrel → second Kestrel (as the test host forwards to the worker) → one SDK Put Blob and one insert; no credential, no checks, no version, no receipt; " +
            $"DanVan at 100 at once is {results[100].DanVan.PerSecond / floors[100].PerSecond:F2}× this uploads/s"));
        Console.WriteLine(rows[^1]);

        // What the receipt emails cost: 300 other units with no address upload at 100 at once (no email queued or sent).
        var silent = await RegisterAsync(client, "ye", withAddress: false);
        var cpuAt = cpu.Read();
        var quiet = await DanVanRunAsync(client, silent, file, round++, 100, prefix: "ye");
        var quietCpu = cpu.Since(cpuAt, Units);
        var quietProblems = await CheckAsync(client, quiet);
        rows.Add(new Row(
            $"rush: {Units} units with no address (no receipt email), 100 at once",
            quiet.ToString(),
            results[100].Baseline.ToString(),
            $"{quiet.PerSecond / results[100].Baseline.PerSecond:F2}× uploads/s; p99 {quiet.P(0.99) / results[100].Baseline.P(0.99):F2}×",
            "reported",
            quietProblems.Count == 0 && quiet.Busy == 0 ? null : false,
            $"answers {quiet.Statuses}; CPU per upload {quietCpu}; baseline as in the 100-at-once row"));
        Console.WriteLine(rows[^1]);

        rows.Add(await UnderLoadAsync(host, client, tokens, file, round, queue, counters));
        return rows;
    }

    /// <summary>The units of the rush, each with its credential (and an address: each upload then queues its receipt email).</summary>
    private static async Task<string[]> RegisterAsync(HttpClient client, string prefix, bool withAddress)
    {
        var tokens = new string[Units];
        await Parallel.ForAsync(0, Units, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var code = Code(i, prefix);
            using var put = Admin(HttpMethod.Put, $"api/units/{code}", JsonContent.Create(new
            {
                code, name = $"Đơn vị {prefix} {i + 1:D3}", group = i < 40 ? "Sở, ban, ngành" : "UBND cấp xã",
                emails = withAddress ? new[] { $"{code}@donvi.example.gov.vn" } : [], activeFrom = "2020-01-01",
            }));
            (await client.SendAsync(put)).EnsureSuccessStatusCode();
            using var issue = Admin(HttpMethod.Post, $"api/units/{code}/token");
            tokens[i] = (await (await client.SendAsync(issue)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<Issued>())!.Token;
        });
        return tokens;
    }

    /// <summary>100 at once again, while the dashboard's status and GET /api/periods are polled and the reminder timer and a compile run.</summary>
    private static async Task<Row> UnderLoadAsync(FunctionsWorkerHost host, HttpClient client, string[] tokens, byte[] file, int round, Azure.Storage.Queues.QueueClient queue, UploadCounters counters)
    {
        var status = new ConcurrentBag<double>();
        var periods = new ConcurrentBag<double>();
        var failedReads = 0;
        using var stop = new CancellationTokenSource();
        async Task PollAsync(string path, ConcurrentBag<double> into)
        {
            while (!stop.IsCancellationRequested)
            {
                var watch = Stopwatch.StartNew();
                using var request = Admin(HttpMethod.Get, path);
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                into.Add(watch.Elapsed.TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failedReads);
                }
            }
        }

        var before = counters.Snapshot();
        var pollers = new[] { PollAsync($"api/periods/{Period}/status", status), PollAsync("api/periods", periods) };
        var timer = host.InvokeAsync("RemindersTimer");
        var compile = Task.Run(async () =>
        {
            var watch = Stopwatch.StartNew();
            using var request = Admin(HttpMethod.Post, $"api/periods/{Period}/compilations");
            using var response = await client.SendAsync(request);
            return ((int)response.StatusCode, watch.Elapsed);
        });
        var rush = await DanVanRunAsync(client, tokens, file, round, 100);
        await stop.CancelAsync();
        await Task.WhenAll(pollers);
        var (compileStatus, compileTime) = await compile;
        var reminders = await timer;
        await DrainAsync(queue);
        var (events, conflicts, retries) = await counters.AfterAsync(before, rush.Created.Count);
        var problems = await CheckAsync(client, rush);
        var statusP95 = Percentile([.. status], 0.95);
        var periodsP95 = Percentile([.. periods], 0.95);
        var ok = problems.Count == 0 && rush.Busy == 0 && failedReads == 0 && compileStatus is 200 or 201 && reminders.Succeeded;
        return new Row(
            "rush at 100 at once with the dashboard, GET /api/periods, reminder timer and a compile",
            rush.ToString(),
            "—",
            "—",
            "everything answers, 0 × 503",
            ok,
            $"status p95 {statusP95:F0} ms ({status.Count} reads), GET /api/periods p95 {periodsP95:F0} ms ({periods.Count} reads), {failedReads} failed; " +
            $"compile {compileStatus} in {compileTime.TotalSeconds:F1} s; reminder timer {(reminders.Succeeded ? "succeeded" : "FAILED " + reminders.Error)} in {reminders.Elapsed.TotalSeconds:F1} s; " +
            $"answers {rush.Statuses}; conflicts/upload {Per(conflicts, events)}, retries/upload {Per(retries, events)}; " +
            (problems.Count == 0 ? $"each of {rush.Created.Count} × 201 is exactly one listed version" : "CHECK FAILED: " + string.Join("; ", problems.Take(3))));
    }

    /// <summary>One upload per unit (the first <paramref name="count"/> units), <paramref name="c"/> at once; each file differs (round and unit stamped in it).</summary>
    private static async Task<Run> DanVanRunAsync(HttpClient client, string[] tokens, byte[] file, int round, int c, int count = Units, string prefix = Prefix)
    {
        var created = new ConcurrentBag<(string Unit, string ReceiptId, int Version)>();
        return await TimedAsync(count, c, created, async i =>
        {
            using var content = new ByteArrayContent(Stamped(file, round, i));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/periods/{Period}/reports") { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[i]);
            request.Headers.Add("X-File-Name", Uri.EscapeDataString("báo cáo.pdf"));
            request.Headers.Add("Idempotency-Key", $"rush-{round}-{i}");
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == System.Net.HttpStatusCode.Created)
            {
                var json = JsonDocument.Parse(text).RootElement;
                created.Add((Code(i, prefix), json.GetProperty("receiptId").GetString()!, json.GetProperty("version").GetInt32()));
            }

            return (int)response.StatusCode;
        });
    }

    /// <summary>The least an upload must do: one Put Blob of the file and one entity insert, on the same Azurite.</summary>
    private static Task<Run> BaselineRunAsync(BlobContainerClient blobs, TableClient table, byte[] file, int c, int count = Units) =>
        TimedAsync(count, c, [], async i =>
        {
            var id = Guid.NewGuid().ToString("N");
            await blobs.GetBlobClient($"{Period}/{Code(i)}/{id}").UploadAsync(BinaryData.FromBytes(file));
            await table.AddEntityAsync(new TableEntity(Period, $"v~{Code(i)}~{id}") { ["BlobName"] = id, ["SizeBytes"] = (long)file.Length });
            return 201;
        });

    /// <summary>The host path alone (<see cref="ForwardedSdkUpload"/>): one upload per unit's file, <paramref name="c"/> at once.</summary>
    private static Task<Run> HostPathRunAsync(HttpClient client, byte[] file, int round, int c, int count = Units) =>
        TimedAsync(count, c, [], async i =>
        {
            using var content = new ByteArrayContent(Stamped(file, round, i));
            using var response = await client.PostAsync("upload", content);
            return (int)response.StatusCode;
        });

    /// <summary>Uploads 0 to <paramref name="count"/> - 1, <paramref name="c"/> at once, each timed from its start to its answer's status.</summary>
    private static async Task<Run> TimedAsync(int count, int c, ConcurrentBag<(string Unit, string ReceiptId, int Version)> created, Func<int, Task<int>> upload)
    {
        var times = new double[count];
        var statuses = new int[count];
        var wall = Stopwatch.StartNew();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = c }, async (i, _) =>
        {
            var watch = Stopwatch.StartNew();
            statuses[i] = await upload(i);
            times[i] = watch.Elapsed.TotalMilliseconds;
        });
        return new Run(times, count / wall.Elapsed.TotalSeconds, statuses, [.. created]);
    }

    /// <summary>Every 201 is exactly one version in the unit's list, under the number and receipt it was given.</summary>
    private static async Task<List<string>> CheckAsync(HttpClient client, Run run)
    {
        var problems = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(run.Created, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, _) =>
        {
            using var request = Admin(HttpMethod.Get, $"api/periods/{Period}/reports/{r.Unit}");
            using var response = await client.SendAsync(request);
            var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("versions").EnumerateArray()
                .Where(v => v.GetProperty("receiptId").GetString() == r.ReceiptId).ToList();
            if (list.Count != 1 || list[0].GetProperty("version").GetInt32() != r.Version)
            {
                problems.Add($"{r.Unit} {r.ReceiptId}: {list.Count} listed");
            }
        });
        return [.. problems];
    }

    /// <summary>Waits (at most a minute) until the receipt emails the run queued are sent, so they do not fall in the next run.</summary>
    private static async Task DrainAsync(Azure.Storage.Queues.QueueClient queue)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMinutes(1) && await queue.ExistsAsync() && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            await Task.Delay(250);
        }
    }

    /// <summary>The worker's own dotnet process (the host may start it under a small shell watchdog).</summary>
    private static int WorkerProcess(int pid)
    {
        if (File.ReadAllText($"/proc/{pid}/comm").Trim() == "dotnet")
        {
            return pid;
        }

        var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return children.Select(c => int.Parse(c, CultureInfo.InvariantCulture)).First(c => File.ReadAllText($"/proc/{c}/comm").Trim() == "dotnet");
    }

    /// <summary>
    /// CPU time (user + system, from /proc) of the worker, of Azurite (the node process listening on this run's blob port)
    /// and of this process (the client, the test host standing in for the Functions host, and the SDK baseline).
    /// </summary>
    private sealed class Cpu(int worker)
    {
        private readonly int azurite = FindAzurite();

        public (double Worker, double Azurite, double Self) Read() => (Ms(worker), Ms(azurite), Ms(Environment.ProcessId));

        public string Since((double Worker, double Azurite, double Self) at, int uploads)
        {
            var now = Read();
            return $"worker {(now.Worker - at.Worker) / uploads:F1} + Azurite {(now.Azurite - at.Azurite) / uploads:F1} + client/host {(now.Self - at.Self) / uploads:F1} ms";
        }

        private static double Ms(int pid)
        {
            if (pid <= 0 || !File.Exists($"/proc/{pid}/stat"))
            {
                return 0;
            }

            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name; in clock ticks (100 a second on Linux).
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
        }

        private static int FindAzurite()
        {
            var port = new Uri(Azurite.ConnectionString.Split(';').First(p => p.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..]).Port;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                try
                {
                    var cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                    if (cmd.Contains("azurite", StringComparison.Ordinal) && cmd.Contains($"--blobPort {port} ", StringComparison.Ordinal) && !cmd.StartsWith("/bin/sh", StringComparison.Ordinal))
                    {
                        return int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                    }
                }
                catch (IOException)
                {
                }
            }

            return 0;
        }
    }

    private static byte[] Stamped(byte[] file, int round, int unit)
    {
        var body = (byte[])file.Clone();
        BitConverter.TryWriteBytes(body.AsSpan(16), round);
        BitConverter.TryWriteBytes(body.AsSpan(20), unit);
        return body;
    }

    private const string Prefix = "xa";

    private static string Code(int i, string prefix = Prefix) => $"{prefix}-{i + 1:D3}";

    private static string Per(long total, long uploads) => uploads == 0 ? "—" : (total / (double)uploads).ToString("F2", CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        Array.Sort(values);
        return values[Math.Min(values.Length - 1, (int)Math.Ceiling(p * values.Length) - 1)];
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return request;
    }

    private sealed record Issued(string UnitCode, string Token);

    private sealed record Run(double[] Milliseconds, double PerSecond, int[] StatusCodes, IReadOnlyList<(string Unit, string ReceiptId, int Version)> Created)
    {
        public int Busy => StatusCodes.Count(s => s == 503);

        public string Statuses => string.Join(", ", StatusCodes.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Count()} × {g.Key}"));

        public double P(double p) => Percentile([.. Milliseconds], p);

        public override string ToString() => $"{PerSecond:F1}/s, p50 {P(0.5):F0} p95 {P(0.95):F0} p99 {P(0.99):F0} ms";
    }

    /// <summary>Sums the worker's <c>UploadAccepted</c> events' <c>conflicts</c> and <c>retries</c> (the app's own counters) as its log lines arrive.</summary>
    private sealed class UploadCounters : ILoggerProvider, ILogger
    {
        private long events;
        private long conflicts;
        private long retries;

        public (long Events, long Conflicts, long Retries) Snapshot() => (Interlocked.Read(ref events), Interlocked.Read(ref conflicts), Interlocked.Read(ref retries));

        /// <summary>The counts since <paramref name="before"/>, once at least <paramref name="expected"/> events arrived (or 15 s passed: the log is forwarded after the answer).</summary>
        public async Task<(long Events, long Conflicts, long Retries)> AfterAsync((long Events, long Conflicts, long Retries) before, int expected)
        {
            var watch = Stopwatch.StartNew();
            while (Snapshot().Events - before.Events < expected && watch.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100);
            }

            var now = Snapshot();
            return (now.Events - before.Events, now.Conflicts - before.Conflicts, now.Retries - before.Retries);
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = formatter(state, exception);
            if (!line.StartsWith(DanVan.Telemetry.DanVanTelemetry.Events.UploadAccepted + " ", StringComparison.Ordinal))
            {
                return;
            }

            Interlocked.Increment(ref events);
            Interlocked.Add(ref conflicts, Field(line, "conflicts="));
            Interlocked.Add(ref retries, Field(line, "retries="));
        }

        private static long Field(string line, string name)
        {
            var at = line.IndexOf(name, StringComparison.Ordinal);
            if (at < 0)
            {
                return 0;
            }

            var digits = line[(at + name.Length)..].TakeWhile(char.IsAsciiDigit).ToArray();
            return long.Parse(digits, CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
        }
    }
}
