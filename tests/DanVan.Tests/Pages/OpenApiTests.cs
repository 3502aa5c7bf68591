using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using DanVan.Configuration;
using DanVan.Functions;
using DanVan.Pages;
using DanVan.Tests.Support;
using Microsoft.Extensions.Options;

namespace DanVan.Tests.Pages;

/// <summary>
/// GET /api/openapi.json is kept true by comparing it with the functions.metadata the Functions SDK
/// writes at build time: every HTTP trigger's route and method is described, and nothing else is.
/// </summary>
public sealed partial class OpenApiTests
{
    /// <summary>
    /// Routes of the BRIEF whose functions are built on branches not merged yet (uploads, reminders,
    /// compilation). The lead deletes each line when its branch is merged (the last test says which).
    /// </summary>
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    [Fact]
    public async Task The_document_is_openapi_3_json_served_with_a_json_content_type()
    {
        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/openapi.json"), r => Task.FromResult(Functions().OpenApiDocument(r)));

        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", response.ContentType);
        Assert.StartsWith("3.", response.Json.GetProperty("openapi").GetString());
        Assert.Equal("/api", response.Json.GetProperty("servers")[0].GetProperty("url").GetString());
    }

    [Fact]
    public void Every_http_function_in_the_metadata_is_described_in_the_document()
    {
        var described = DocumentOperations();
        var missing = MetadataOperations().Except(described).ToList();

        Assert.True(missing.Count == 0, "Not in openapi.json: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_document_describes_nothing_the_app_does_not_serve()
    {
        var served = MetadataOperations().ToHashSet();
        var extra = DocumentOperations().Except(served).ToList();

        Assert.True(extra.Count == 0, "In openapi.json but no function serves it: " + string.Join(", ", extra));
    }

    [Fact]
    public void Data_routes_require_the_bearer_credential_and_describe_problem_json_errors()
    {
        using var doc = JsonDocument.Parse(Files().Get("openapi.json").Content);
        var root = doc.RootElement;
        Assert.Equal("bearer", root.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.True(root.GetProperty("security")[0].TryGetProperty("bearer", out _));

        foreach (var (path, method, operation) in Operations(root))
        {
            var isPublic = operation.TryGetProperty("security", out var security) && security.GetArrayLength() == 0;
            if (isPublic)
            {
                continue;
            }

            var responses = operation.GetProperty("responses");
            Assert.True(responses.TryGetProperty("401", out var unauthorized), $"{method} {path} has no 401 answer");
            Assert.Equal("#/components/responses/Unauthorized", unauthorized.GetProperty("$ref").GetString());
        }

        var problem = root.GetProperty("components").GetProperty("responses").GetProperty("Unauthorized").GetProperty("content");
        Assert.True(problem.TryGetProperty("application/problem+json", out _));
    }

    private static PageFiles Files() => new(Options.Create(new DanVanOptions { AdminToken = TestApp.AdminToken }), Options.Create(new DanVan.Auth.AuthOptions()));

    private static PagesFunctions Functions() => new(Files());

    /// <summary>"get periods/{}/status": method and route with parameter names (and constraints) left out.</summary>
    private static string Normalize(string method, string route) =>
        method.ToLowerInvariant() + " " + Parameter().Replace(route.Trim('/'), "{}");

    private static HashSet<string> DocumentOperations()
    {
        using var doc = JsonDocument.Parse(Files().Get("openapi.json").Content);
        return Operations(doc.RootElement).Select(o => Normalize(o.Method, o.Path)).ToHashSet();
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement root)
    {
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
            {
                yield return (path.Name, op.Name, op.Value);
            }
        }
    }

    private static HashSet<string> MetadataOperations()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(MetadataPath()));
        var operations = new HashSet<string>();
        foreach (var function in metadata.RootElement.EnumerateArray())
        {
            foreach (var binding in function.GetProperty("bindings").EnumerateArray())
            {
                if (binding.GetProperty("type").GetString() != "httpTrigger")
                {
                    continue;
                }

                var route = binding.TryGetProperty("route", out var r) ? r.GetString()! : function.GetProperty("name").GetString()!;
                foreach (var method in binding.GetProperty("methods").EnumerateArray())
                {
                    operations.Add(Normalize(method.GetString()!, route));
                }
            }
        }

        Assert.NotEmpty(operations);
        return operations;
    }

    /// <summary>The functions.metadata of the build these tests run against (same configuration).</summary>
    private static string MetadataPath()
    {
        var configuration = typeof(OpenApiTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var path = Path.Combine(Azurite.RepositoryRoot, "functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build functions/ first (scripts/test does).");
        return path;
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();
}
