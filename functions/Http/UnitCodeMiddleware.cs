using DanVan.Auth;
using DanVan.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace DanVan.Http;

/// <summary>
/// Every unit code a request names is checked here, once, against the registry's rule
/// (<see cref="UnitRules.IsValidCode"/>) before a function runs: the route's <c>{unitCode}</c> or <c>{code}</c>
/// and <c>?unit=</c> (the admin naming the unit it acts for). A malformed code is 400 <c>invalid_parameter</c>; it
/// never reaches storage, where a code such as <c>so/noi-vu</c> made a key the service refuses and the request a
/// 503. As in the functions, who asks is settled first: without a valid credential the answer is 401 whatever else
/// is wrong. A well-formed code the registry does not know is the function's own 404 <c>unknown_unit</c>.
/// </summary>
public sealed class UnitCodeMiddleware : IFunctionsWorkerMiddleware
{
    /// <summary>The route parameters that hold a unit code.</summary>
    public static readonly IReadOnlyList<string> RouteNames = ["unitCode", "code"];

    /// <summary>The query parameter by which the admin names the unit it acts for.</summary>
    public const string QueryName = "unit";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is { } http)
        {
            var routeValues = RouteNames
                .Where(name => context.FunctionDefinition.Parameters.Any(p => p.Name == name))
                .Select(name => (name, context.BindingContext.BindingData.TryGetValue(name, out var value) ? value as string : null));
            if (Malformed(http.Request, routeValues) is { } parameter)
            {
                await context.InstanceServices.GetRequiredService<Authenticator>().AuthenticateAsync(http.Request, http.RequestAborted);
                throw Problems.BadParameter(parameter,
                    $"Mã đơn vị ({parameter}) phải là chữ thường không dấu, số và dấu gạch ngang (ví dụ: so-noi-vu), tối đa {UnitRules.MaxCodeLength} ký tự.");
            }
        }

        await next(context);
    }

    /// <summary>The parameter that holds no unit code: a route value, or <c>?unit=</c> (an empty one is left out, given twice is malformed); null when all are well-formed.</summary>
    public static string? Malformed(HttpRequest request, IEnumerable<(string Name, string? Value)> routeValues)
    {
        foreach (var (name, value) in routeValues)
        {
            if (!UnitRules.IsValidCode(value))
            {
                return name;
            }
        }

        return request.Query.TryGetValue(QueryName, out var given) && (given.Count != 1 || given[0] is { Length: > 0 } code && !UnitRules.IsValidCode(code))
            ? QueryName
            : null;
    }
}
