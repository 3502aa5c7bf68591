using System.Net;
using System.Net.Sockets;
using System.Text;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;
using Xunit.Abstractions;

namespace DanVan.EndToEnd;

/// <summary>
/// The "Hardening" items through the real worker: cache and sniffing headers on what the host returns,
/// route values parsed by DanVan (401 before 404, never 500), and the JSON body cap on the bytes that
/// actually arrive, chunked or not.
/// </summary>
[Collection(DanVanHostCollection.Name)]
public sealed class HardeningTests(DanVanHost danvan, ITestOutputHelper output)
{
    private static readonly PlanPeriod Period = SamplePlan.Current(SuiteClock.Now);

    [Fact]
    public async Task A_new_token_a_download_and_a_problem_are_no_store_and_nosniff()
    {
        var (code, _) = await danvan.UnitWithTokenAsync("hdr");
        using var issued = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/units/{code}/token"));
        var token = (await issued.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("token").GetString()!;
        await danvan.UploadAsync(token, Period.Id);
        using var download = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/reports/{code}/versions/1"));
        using var csv = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{Period.Id}/status?format=csv"));
        using var problem = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, "api/units"));

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        await problem.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        foreach (var (name, response) in new[] { ("token", issued), ("download", download), ("csv", csv), ("problem", problem) })
        {
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{name}: Cache-Control is \"{response.Headers.CacheControl}\"");
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var sniff) && sniff.Single() == "nosniff", $"{name}: no X-Content-Type-Options: nosniff");
        }
    }

    [Fact]
    public async Task A_version_that_is_no_version_number_is_401_without_a_credential_and_404_with_one_and_no_error_is_logged()
    {
        var (code, token) = await danvan.UnitWithTokenAsync("ver");
        await danvan.UploadAsync(token, Period.Id);
        var logsBefore = danvan.Logs.Count;

        foreach (var version in new[] { "01", "+1", "007", "-1", "0", "99999999999", "x" })
        {
            var path = $"api/periods/{Period.Id}/reports/{code}/versions/{version}";
            using var anonymous = await danvan.SendAsync(DanVanHost.As(null, HttpMethod.Get, path));
            await anonymous.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
            using var unit = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, path));
            await unit.ReadProblemAsync(HttpStatusCode.NotFound, "unknown_version");
            using var admin = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, path));
            await admin.ReadProblemAsync(HttpStatusCode.NotFound, "unknown_version");
        }

        using var one = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/reports/{code}/versions/1"));
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        AssertNoErrorLoggedSince(logsBefore);
    }

    [Fact]
    public async Task A_chunked_json_body_past_the_cap_is_413_and_one_within_it_is_imported()
    {
        var code = Api.NewUnitCode("chunk");
        var logsBefore = danvan.Logs.Count;

        using var tooLarge = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, "api/units/import", new ChunkedJson(5_100_000, code)));
        using var small = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, "api/units/import", new ChunkedJson(0, code)));

        Assert.Null(tooLarge.RequestMessage?.Content?.Headers.ContentLength);
        await tooLarge.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        Assert.Equal(1, (await small.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("imported").GetInt32());
        AssertNoErrorLoggedSince(logsBefore);
    }

    [Fact]
    public async Task A_client_that_stops_sending_a_json_body_is_refused_as_body_incomplete_without_an_error()
    {
        var logsBefore = danvan.Logs.Count;
        var json = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new[] { Api.Unit(Api.NewUnitCode("cut")) }));

        // Content-Length promises the whole array; the client sends half of it, waits while the worker
        // reads, then closes its side of the connection.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(danvan.Client.BaseAddress!.Host, danvan.Client.BaseAddress.Port);
            var stream = tcp.GetStream();
            var head = $"POST /api/units/import HTTP/1.1\r\nHost: {danvan.Client.BaseAddress.Authority}\r\nAuthorization: Bearer {DanVanHost.AdminToken}\r\n" +
                $"Content-Type: application/json\r\nContent-Length: {json.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(json.AsMemory(0, json.Length / 2));
            await stream.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(2));
            tcp.Client.Shutdown(SocketShutdown.Send);
            output.WriteLine(await ReadAnswerAsync(stream));
        }

        // The worker saw a body that ended early: its own 400, logged as a refusal, not as a failure. (The
        // test host's front door drops the client's half-closed connection, so the answer is read from
        // the worker's log; the Functions host likewise has no one left to answer.)
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!danvan.Logs.Skip(logsBefore).Any(l => l.Contains("ImportUnits refused: 400 body_incomplete")) && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        danvan.WriteLogsTo(output, danvan.Logs.Count - logsBefore);
        Assert.Contains(danvan.Logs.Skip(logsBefore), l => l.Contains("ImportUnits refused: 400 body_incomplete"));
        Assert.DoesNotContain(danvan.Logs.Skip(logsBefore), l => l.Contains(" Error Worker.") || l.Contains(" Critical Worker."));
    }

    /// <summary>Whatever the front door answers before it closes the connection (a reset included).</summary>
    private static async Task<string> ReadAnswerAsync(Stream stream)
    {
        var answer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(answer).WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (IOException)
        {
        }

        return answer.Length > 0 ? Encoding.UTF8.GetString(answer.ToArray()) : "(no answer: the connection closed)";
    }

    private void AssertNoErrorLoggedSince(int logsBefore)
    {
        var errors = danvan.Logs.Skip(logsBefore).Where(l => l.Contains(" Error ") || l.Contains(" Critical ")).ToList();
        Assert.True(errors.Count == 0, "Error-level log lines: " + string.Join("\n", errors));
    }

    /// <summary>
    /// A JSON import of one unit (<paramref name="code"/>) padded with <paramref name="padding"/> bytes of
    /// whitespace, sent without a Content-Length (Transfer-Encoding: chunked): only what arrives can tell its size.
    /// </summary>
    private sealed class ChunkedJson : HttpContent
    {
        private readonly byte[] json;
        private readonly int padding;

        public ChunkedJson(int padding, string code)
        {
            json = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new[] { Api.Unit(code) }, System.Text.Json.JsonSerializerOptions.Web));
            this.padding = padding;
            Headers.ContentType = new("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(json.AsMemory(0, json.Length - 1));
            var spaces = new byte[64 * 1024];
            spaces.AsSpan().Fill((byte)' ');
            for (var left = padding; left > 0; left -= spaces.Length)
            {
                await stream.WriteAsync(spaces.AsMemory(0, Math.Min(spaces.Length, left)));
            }

            await stream.WriteAsync(json.AsMemory(json.Length - 1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
