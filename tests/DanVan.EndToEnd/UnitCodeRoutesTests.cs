using System.Net;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;

namespace DanVan.EndToEnd;

/// <summary>
/// A malformed unit code, in a route or in <c>?unit=</c>, is refused by the worker before it reaches storage
/// (issue 26: <c>?unit=so%2Fnoi-vu</c> was a 503 <c>storage_unavailable</c> with Retry-After, feeding the 5xx alert).
/// </summary>
[Collection(DanVanHostCollection.Name)]
public sealed class UnitCodeRoutesTests(DanVanHost danvan)
{
    private static readonly PlanPeriod Period = SamplePlan.Current(SuiteClock.Now);

    private static readonly string[] Malformed = ["so%2Fnoi-vu", "SO-NOI-VU", "so--noi-vu", "s%E1%BB%9F-noi-vu", new string('a', 64)];

    /// <summary>Control characters: in a path Kestrel itself refuses them; in a query they reach DanVan.</summary>
    private static readonly string[] MalformedInQuery = ["so%00", "so%0Anoi-vu", "so-noi-vu&unit=so-tu-phap"];

    private static HttpRequestMessage[] QueryRoutes(string? token, string unit) =>
    [
        Scenario.UploadRequest(token, Period.Id, $"?unit={unit}"),
        DanVanHost.As(token, HttpMethod.Post, $"api/periods/{Period.Id}/figures?unit={unit}", Api.Json(new { values = new { } })),
        DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/figures/template.xlsx?unit={unit}"),
    ];

    private static HttpRequestMessage[] RouteValues(string? token, string unit) =>
    [
        DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/reports/{unit}"),
        DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/reports/{unit}/versions/1"),
        DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/figures/{unit}"),
        DanVanHost.As(token, HttpMethod.Put, $"api/periods/{Period.Id}/decisions/{unit}/extension", Api.Json(new { deadline = "2099-12-31", reason = "Thử" })),
        DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/decisions/{unit}"),
        DanVanHost.As(token, HttpMethod.Put, $"api/units/{unit}", Api.Json(Api.Unit("so-noi-vu"))),
        DanVanHost.As(token, HttpMethod.Post, $"api/units/{unit}/token"),
    ];

    [Fact]
    public async Task A_malformed_unit_code_in_the_query_or_the_route_is_400_for_a_caller_and_401_without_a_credential_never_5xx()
    {
        var logsBefore = danvan.Logs.Count;
        foreach (var unit in Malformed.Concat(MalformedInQuery))
        {
            var routes = Malformed.Contains(unit) ? RouteValues(DanVanHost.AdminToken, unit) : [];
            foreach (var request in QueryRoutes(DanVanHost.AdminToken, unit).Concat(routes))
            {
                using var response = await danvan.SendAsync(request);
                await response.ReadProblemAsync(HttpStatusCode.BadRequest, "invalid_parameter");
            }

            foreach (var request in QueryRoutes(null, unit).Concat(Malformed.Contains(unit) ? RouteValues(null, unit) : []))
            {
                using var response = await danvan.SendAsync(request);
                await response.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
            }
        }

        var errors = danvan.Logs.Skip(logsBefore).Where(l => l.Contains(" Error ") || l.Contains(" Critical ") || l.Contains("storage unavailable")).ToList();
        Assert.True(errors.Count == 0, "Logged: " + string.Join("\n", errors));
    }

    [Fact]
    public async Task The_admin_naming_a_unit_with_a_slash_gets_400_naming_the_parameter_and_a_unit_token_too()
    {
        var (_, token) = await danvan.UnitWithTokenAsync("slash");

        foreach (var bearer in new[] { DanVanHost.AdminToken, token })
        {
            foreach (var request in QueryRoutes(bearer, "so%2Fnoi-vu"))
            {
                var what = $"{request.Method} {request.RequestUri}";
                using var response = await danvan.SendAsync(request);
                var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "invalid_parameter");
                Assert.Equal("unit", problem.GetProperty("errors")[0].GetProperty("field").GetString());
                Assert.False(response.Headers.Contains("Retry-After"), what);
            }
        }

        // A well-formed code the registry does not know stays the function's 404.
        using var unknown = await danvan.SendAsync(Scenario.UploadRequest(DanVanHost.AdminToken, Period.Id, "?unit=khong-co-don-vi-nay"));
        await unknown.ReadProblemAsync(HttpStatusCode.NotFound, "unknown_unit");
    }
}
