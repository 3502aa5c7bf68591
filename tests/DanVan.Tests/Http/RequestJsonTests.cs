using System.Text;
using DanVan.Domain;
using DanVan.Http;
using DanVan.Registry;
using DanVan.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace DanVan.Tests.Http;

/// <summary>
/// The JSON body cap counts the bytes read, whatever the headers say; a body that stops short is its
/// own 400. (Through the real worker: tests/DanVan.EndToEnd/RequestBodyTests.cs.)
/// </summary>
public sealed class RequestJsonTests
{
    [Fact]
    public async Task A_body_past_the_cap_without_a_content_length_is_413_having_read_one_byte_past_the_cap()
    {
        var body = new MemoryStream(UnitsJson(5_100_000));
        var request = Request(body, contentLength: null);

        var problem = await Assert.ThrowsAsync<DomainException>(() => RequestJson.ReadAsync<List<UnitRecord?>>(request));

        Assert.Equal((413, "body_too_large"), (ProblemMiddleware.StatusOf(problem), problem.Code));
        Assert.Equal(RequestJson.DefaultMaxBytes + 1, body.Position);
    }

    [Fact]
    public async Task A_body_longer_than_its_content_length_says_is_413()
    {
        var request = Request(new MemoryStream(UnitsJson(5_100_000)), contentLength: 100);

        var problem = await Assert.ThrowsAsync<DomainException>(() => RequestJson.ReadAsync<List<UnitRecord?>>(request));

        Assert.Equal((413, "body_too_large"), (ProblemMiddleware.StatusOf(problem), problem.Code));
    }

    [Fact]
    public async Task A_declared_length_past_the_cap_is_413_before_anything_is_read()
    {
        var body = new MemoryStream(UnitsJson(10));
        var request = Request(body, contentLength: RequestJson.DefaultMaxBytes + 1);

        var problem = await Assert.ThrowsAsync<DomainException>(() => RequestJson.ReadAsync<List<UnitRecord?>>(request));

        Assert.Equal((413, "body_too_large"), (ProblemMiddleware.StatusOf(problem), problem.Code));
        Assert.Equal(0, body.Position);
    }

    [Fact]
    public async Task A_body_shorter_than_its_content_length_is_body_incomplete_not_invalid_json()
    {
        var json = Encoding.UTF8.GetBytes("""[{"code": "so-noi-vu", "name": "Sở Nội vụ"}]""");
        var request = Request(new MemoryStream(json[..20]), contentLength: json.Length);

        var problem = await Assert.ThrowsAsync<DomainException>(() => RequestJson.ReadAsync<List<UnitRecord?>>(request));

        Assert.Equal((400, "body_incomplete"), (ProblemMiddleware.StatusOf(problem), problem.Code));
    }

    [Fact]
    public async Task A_connection_that_breaks_while_the_body_is_read_is_body_incomplete()
    {
        var request = Request(new BrokenStream(), contentLength: null);

        var problem = await Assert.ThrowsAsync<DomainException>(() => RequestJson.ReadAsync<List<UnitRecord?>>(request));

        Assert.Equal((400, "body_incomplete"), (ProblemMiddleware.StatusOf(problem), problem.Code));
    }

    [Fact]
    public async Task A_chunked_body_within_the_cap_is_read_whole()
    {
        var json = Encoding.UTF8.GetBytes("""[{"code": "so-noi-vu", "name": "Sở Nội vụ"}, null]""");
        var request = Request(new MemoryStream(json), contentLength: null);

        var records = await RequestJson.ReadAsync<List<UnitRecord?>>(request);

        Assert.Equal(["so-noi-vu", null], records.Select(r => r?.Code));
    }

    [Fact]
    public async Task The_import_function_answers_a_chunked_body_past_the_cap_with_413_problem_json()
    {
        await using var app = await TestApp.StartAsync();
        var units = app.Get<DanVan.Functions.UnitsFunctions>();
        var request = TestHttp.Request("POST", "/api/units/import", TestApp.AdminToken, contentType: "application/json");
        request.Body = new MemoryStream(UnitsJson(5_100_000));

        var response = await TestHttp.InvokeAsync(request, r => units.ImportUnits(r, default));

        Assert.Equal((413, "body_too_large"), (response.Status, response.Code));
        Assert.Empty(await app.Get<UnitRegistry>().ListAsync());
    }

    /// <summary>A JSON array of units, <paramref name="bytes"/> long: valid all the way, so only the cap can refuse it.</summary>
    private static byte[] UnitsJson(int bytes)
    {
        var text = new StringBuilder("[");
        const string row = """{"code": "so-noi-vu", "name": "Sở Nội vụ", "group": "Sở, ban, ngành"},""";
        while (text.Length < bytes - row.Length)
        {
            text.Append(row);
        }

        text.Append("null");
        var padded = Encoding.UTF8.GetBytes(text.ToString());
        var result = new byte[Math.Max(bytes, padded.Length + 1)];
        padded.CopyTo(result, 0);
        result.AsSpan(padded.Length, result.Length - padded.Length - 1).Fill((byte)' ');
        result[^1] = (byte)']';
        return result;
    }

    private static HttpRequest Request(Stream body, long? contentLength)
    {
        var request = TestHttp.Request("POST", "/api/units/import", TestApp.AdminToken, contentType: "application/json");
        request.Body = body;
        request.ContentLength = contentLength;
        return request;
    }

    /// <summary>A connection reset after the first bytes, as Kestrel reports it (an IOException).</summary>
    private sealed class BrokenStream : MemoryStream
    {
        public BrokenStream()
            : base(Encoding.UTF8.GetBytes("[{\"code\": \"so-"), writable: false)
        {
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await base.ReadAsync(buffer, cancellationToken);
            return n > 0 ? n : throw new IOException("The client reset the request stream.");
        }
    }
}
