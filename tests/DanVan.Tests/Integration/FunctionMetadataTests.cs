using System.Text.Json;

namespace DanVan.Tests.Integration;

/// <summary>The functions.metadata the build produces is what the Functions host will load.</summary>
public class FunctionMetadataTests
{
    private static List<(string Name, string Type, string? Route, string[] Methods, string? AuthLevel)> Triggers()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray()
                .Where(b => b.GetProperty("direction").GetString()!.Equals("In", StringComparison.OrdinalIgnoreCase))
                .Select(b => (
                    f.GetProperty("name").GetString()!,
                    b.GetProperty("type").GetString()!,
                    b.TryGetProperty("route", out var r) ? r.GetString() : null,
                    b.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToArray() : [],
                    b.TryGetProperty("authLevel", out var a) ? a.GetString() : null)))
            .ToList();
    }

    [Fact]
    public void Every_http_function_is_anonymous_to_the_host_because_DanVan_authenticates_itself()
    {
        var http = Triggers().Where(t => t.Type == "httpTrigger").ToList();

        Assert.NotEmpty(http);
        Assert.All(http, t => Assert.Equal("Anonymous", t.AuthLevel));
    }

    [Theory]
    [InlineData("GET", "units")]
    [InlineData("PUT", "units/{code}")]
    [InlineData("POST", "units/import")]
    [InlineData("POST", "units/{code}/token")]
    [InlineData("GET", "periods")]
    [InlineData("GET", "periods/{periodId}/status")]
    [InlineData("GET", "audit")]
    public void The_foundation_routes_are_declared(string method, string route)
    {
        Assert.Contains(Triggers(), t => t.Type == "httpTrigger" && t.Route == route && t.Methods.Contains(method));
    }
}
