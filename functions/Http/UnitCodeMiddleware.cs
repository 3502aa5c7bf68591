using DanVan.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace DanVan.Http;

/// <summary>
/// Every unit code a request names is checked here, once, against the registry's rule
/// (<see cref="UnitRules.IsValidCode"/>) before a function runs: the route's <c>{unitCode}</c> or <c>{code}</c>
/// and the admin's <c>?unit=</c>. A malformed code is 400 <c>invalid_parameter</c>; it never reaches storage,
/// where a code such as <c>so/noi-vu</c> made a key the service refuses and the request a 503. The rule is
/// public (the contract states it) and the same for every caller, so answering before the credential is checked
/// tells nobody anything; a well-formed code the registry does not know is the function's 404 <c>unknown_unit</c>.
/// </summary>
public sealed class UnitCodeMiddleware : IFunctionsWorkerMiddleware
{
    /// <summary>The route parameters that hold a unit code.</summary>
    public static readonly IReadOnlyList<string> RouteNames = ["unitCode", "code"];

    /// <summary>The query parameter by which the admin names the unit it acts for.</summary>
    public const string QueryName = "unit";

    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is { } http)
        {
            var routeValues = RouteNames
                .Where(name => context.FunctionDefinition.Parameters.Any(p => p.Name == name))
                .Select(name => (name, context.BindingContext.BindingData.TryGetValue(name, out var value) ? value as string : null));
            Check(http.Request, routeValues);
        }

        return next(context);
    }

    /// <summary>Refuses the request when a route value or the <c>?unit=</c> parameter is no unit code (an empty <c>?unit=</c> is left out).</summary>
    public static void Check(HttpRequest request, IEnumerable<(string Name, string? Value)> routeValues)
    {
        foreach (var (name, value) in routeValues)
        {
            if (!UnitRules.IsValidCode(value))
            {
                throw Malformed(name);
            }
        }

        if (request.Query.TryGetValue(QueryName, out var given) && (given.Count != 1 || given[0] is { Length: > 0 } code && !UnitRules.IsValidCode(code)))
        {
            throw Malformed(QueryName);
        }
    }

    private static ProblemException Malformed(string name) => Problems.BadParameter(name,
        $"Mã đơn vị ({name}) phải là chữ thường không dấu, số và dấu gạch ngang (ví dụ: so-noi-vu), tối đa {UnitRules.MaxCodeLength} ký tự.");
}
