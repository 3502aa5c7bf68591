using System.Text.Json;
using DanVan.TestHost.Rpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DanVan.TestHost;

/// <summary>
/// One function as the worker reported it: its id, its trigger and, for an HTTP trigger, the route
/// template (with the route prefix) and methods; for a timer trigger, its schedule as written.
/// </summary>
public sealed class HostedFunction
{
    private static readonly IInlineConstraintResolver Constraints =
        new DefaultInlineConstraintResolver(Options.Create(new RouteOptions()), new ServiceCollection().BuildServiceProvider());

    private readonly TemplateMatcher? matcher;
    private readonly IReadOnlyList<(string Name, bool Optional, IRouteConstraint Constraint)> constraints = [];

    private HostedFunction(RpcFunctionMetadata metadata, JsonElement trigger, string routePrefix)
    {
        Metadata = metadata;
        TriggerType = trigger.GetProperty("type").GetString() ?? "";
        TriggerName = trigger.GetProperty("name").GetString() ?? "";
        if (IsHttp)
        {
            var route = trigger.TryGetProperty("route", out var r) && r.GetString() is { Length: > 0 } given ? given : Name;
            RouteTemplate = string.IsNullOrEmpty(routePrefix) ? route.TrimStart('/') : $"{routePrefix.Trim('/')}/{route.TrimStart('/')}";
            Methods = trigger.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array
                ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToArray()
                : [];
            var template = TemplateParser.Parse(RouteTemplate);
            matcher = new TemplateMatcher(template, new RouteValueDictionary());
            constraints = template.Parameters
                .SelectMany(p => p.InlineConstraints.Select(c => (p.Name!, p.IsOptional, Constraints.ResolveConstraint(c.Constraint)
                    ?? throw new InvalidOperationException($"Route constraint '{c.Constraint}' of {metadata.Name} is unknown."))))
                .ToList();
            Precedence = RoutePrecedence.ComputeInbound(template);
        }
        else if (trigger.TryGetProperty("schedule", out var schedule))
        {
            Schedule = schedule.GetString();
        }
        else if (IsQueue)
        {
            QueueName = trigger.TryGetProperty("queueName", out var queue) ? queue.GetString() : null;
            Connection = trigger.TryGetProperty("connection", out var connection) && connection.GetString() is { Length: > 0 } c ? c : "AzureWebJobsStorage";
        }
    }

    public RpcFunctionMetadata Metadata { get; }

    public string Name => Metadata.Name;

    public string Id => Metadata.FunctionId;

    /// <summary>The trigger binding's type, e.g. <c>httpTrigger</c> or <c>timerTrigger</c>.</summary>
    public string TriggerType { get; }

    /// <summary>The trigger binding's name: the key of its input data in an invocation.</summary>
    public string TriggerName { get; }

    public bool IsHttp => TriggerType.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsTimer => TriggerType.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsQueue => TriggerType.Equals("queueTrigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>For queue triggers: the queue as declared, possibly with <c>%Setting%</c> references.</summary>
    public string? QueueName { get; }

    /// <summary>For queue triggers: the connection's setting name (<c>AzureWebJobsStorage</c> when none is given).</summary>
    public string? Connection { get; }

    /// <summary>For HTTP: e.g. <c>api/units/{code}</c>.</summary>
    public string? RouteTemplate { get; }

    /// <summary>For HTTP: upper-case methods; empty means every method.</summary>
    public IReadOnlyList<string> Methods { get; } = [];

    /// <summary>For timers: the schedule as declared, possibly a <c>%Setting%</c> reference.</summary>
    public string? Schedule { get; }

    internal decimal Precedence { get; }

    public static HostedFunction From(RpcFunctionMetadata metadata, string routePrefix)
    {
        foreach (var raw in metadata.RawBindings)
        {
            using var doc = JsonDocument.Parse(raw);
            var binding = doc.RootElement;
            if (binding.TryGetProperty("type", out var type) && type.GetString() is { } t && t.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                return new HostedFunction(metadata, binding.Clone(), routePrefix);
            }
        }

        throw new InvalidOperationException($"Function '{metadata.Name}' reports no trigger binding.");
    }

    /// <summary>Template and inline constraints (e.g. <c>{version:int}</c>), as the worker's own routing checks them.</summary>
    public bool PathMatches(PathString path, RouteValueDictionary values) =>
        matcher is not null
        && matcher.TryMatch(path, values)
        && constraints.All(c => (c.Optional && !values.ContainsKey(c.Name)) || c.Constraint.Match(null, null, c.Name, values, RouteDirection.IncomingRequest));

    public bool Accepts(string method) => Methods.Count == 0 || Methods.Contains(method.ToUpperInvariant());

    public override string ToString() => IsHttp ? $"{Name}: [{string.Join(',', Methods)}] /{RouteTemplate}" : $"{Name}: {TriggerType} {Schedule ?? QueueName}";
}

/// <summary>Finds the HTTP function for a request the way the Functions host routes: most specific template first.</summary>
public sealed class FunctionRouter(IEnumerable<HostedFunction> functions)
{
    private readonly IReadOnlyList<HostedFunction> http = functions.Where(f => f.IsHttp).OrderBy(f => f.Precedence).ToList();

    public (HostedFunction Function, RouteValueDictionary Values)? Match(string method, PathString path)
    {
        foreach (var function in http)
        {
            var values = new RouteValueDictionary();
            if (function.Accepts(method) && function.PathMatches(path, values))
            {
                return (function, values);
            }
        }

        return null;
    }
}
