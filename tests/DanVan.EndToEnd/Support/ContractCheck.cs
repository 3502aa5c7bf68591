using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DanVan.Tests.Support;
using Json.Schema;

namespace DanVan.EndToEnd.Support;

/// <summary>
/// The HTTP contract, checked on every answer the end-to-end suite receives: each JSON or problem+json
/// answer of an <c>/api/…</c> route must be described in <c>functions/Pages/openapi.json</c> (route,
/// method, status, media type) and validate against the schema the document gives it. A violation fails
/// the request that received it, so the document can no longer drift from what the API answers.
/// </summary>
public sealed class ContractCheck : DelegatingHandler
{
    private static readonly Lazy<Contract> Document = new(Contract.Load);
    private static int validated;
    private static readonly ConcurrentDictionary<string, int> PerOperation = new();

    public ContractCheck(HttpMessageHandler inner) : base(inner)
    {
    }

    /// <summary>How many answers were validated against a schema so far (all hosts of this test run).</summary>
    public static int Validated => Volatile.Read(ref validated);

    /// <summary>Validated answers per "METHOD /route status".</summary>
    public static IReadOnlyDictionary<string, int> ValidatedPerOperation => PerOperation;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri?.AbsolutePath ?? "";
        var media = response.Content.Headers.ContentType?.MediaType;
        if (!path.StartsWith("/api/", StringComparison.Ordinal) || media is not ("application/json" or "application/problem+json"))
        {
            return response;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var errors = Document.Value.Check(request.Method.Method, path["/api".Length..], (int)response.StatusCode, media, body, out var operation);
        if (errors.Count > 0)
        {
            throw new ContractViolation($"{request.Method} {path} answered {(int)response.StatusCode} {media}, which openapi.json does not allow:\n  "
                + string.Join("\n  ", errors) + "\nBody: " + (body.Length > 2000 ? body[..2000] + "…" : body));
        }

        Interlocked.Increment(ref validated);
        PerOperation.AddOrUpdate(operation, 1, (_, n) => n + 1);
        return response;
    }

    /// <summary>Writes the count of validated answers where the test results go (for the closing note).</summary>
    public static void Report(string directory)
    {
        Directory.CreateDirectory(directory);
        var lines = PerOperation.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value,6}  {p.Key}");
        File.WriteAllLines(Path.Combine(directory, $"contract-{Environment.ProcessId}.txt"), [$"validated answers: {Validated}", .. lines]);
    }

    private sealed class Contract(JsonNode root, List<(Regex Route, string Template)> routes)
    {
        private readonly ConcurrentDictionary<string, JsonSchema> schemas = new();

        public static Contract Load()
        {
            var file = Path.Combine(Azurite.RepositoryRoot, "functions", "Pages", "openapi.json");
            var root = JsonNode.Parse(File.ReadAllText(file))!;
            var routes = root["paths"]!.AsObject()
                .Select(p => (new Regex("^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{[^}]+}", "[^/]+") + "$"), p.Key))
                // A literal segment wins over a parameter (/units/template.xlsx before /units/{code}).
                .OrderBy(r => r.Key.Count(c => c == '{'))
                .ToList();
            return new Contract(root, routes);
        }

        public List<string> Check(string method, string path, int status, string media, string body, out string operation)
        {
            var template = routes.FirstOrDefault(r => r.Route.IsMatch(path)).Template;
            operation = $"{method} {template ?? path} {status}";
            if (template is null)
            {
                return ["no such route in the document"];
            }

            var op = root["paths"]![template]![method.ToLowerInvariant()];
            if (op is null)
            {
                return [$"no {method} operation on {template}"];
            }

            var answer = op["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] ?? op["responses"]?["default"];
            var pointer = $"#/paths/{Escape(template)}/{method.ToLowerInvariant()}/responses/{status}";
            if (answer?["$ref"]?.GetValue<string>() is { } reference)
            {
                pointer = reference;
                answer = Resolve(reference);
            }

            if (answer is null)
            {
                return [$"status {status} is not described"];
            }

            var content = answer["content"]?[media];
            if (content is null)
            {
                return [$"status {status} is described without {media}"];
            }

            if (content["schema"] is null)
            {
                return [];
            }

            var schema = schemas.GetOrAdd($"{pointer}/content/{Escape(media)}/schema", Compile);
            using var parsed = JsonDocument.Parse(body);
            var result = schema.Evaluate(parsed.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
            return result.IsValid
                ? []
                : (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                    .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value} (schema {d.EvaluationPath})"))
                    .DefaultIfEmpty("invalid").Take(20).ToList();
        }

        private JsonNode? Resolve(string reference) =>
            reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries)
                .Aggregate((JsonNode?)root, (node, part) => node?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)]);

        /// <summary>The schema at a pointer, with the document's components beside it under $defs.</summary>
        private JsonSchema Compile(string pointer)
        {
            var schema = Resolve(pointer)!.DeepClone();
            var wrapper = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$defs"] = root["components"]!["schemas"]!.DeepClone(),
                ["allOf"] = new JsonArray(schema),
            };
            var text = wrapper.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
            return JsonSchema.FromText(text);
        }

        private static string Escape(string part) => part.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
    }
}

/// <summary>An answer the HTTP contract does not allow.</summary>
public sealed class ContractViolation(string message) : Exception(message);
