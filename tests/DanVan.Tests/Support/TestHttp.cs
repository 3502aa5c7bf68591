using System.Text;
using System.Text.Json;
using DanVan.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace DanVan.Tests.Support;

/// <summary>What a function answered, as a client would see it.</summary>
public sealed record TestResponse(int Status, string ContentType, byte[] Body, IHeaderDictionary Headers)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The problem's stable code, for error answers.</summary>
    public string? Code => ContentType.StartsWith("application/problem+json", StringComparison.Ordinal) ? Json.GetProperty("code").GetString() : null;
}

/// <summary>
/// Calls a function method with a real <see cref="HttpRequest"/> and renders its answer the way the
/// worker does: results executed on the response, problems written by <see cref="ProblemMiddleware"/>.
/// </summary>
public static class TestHttp
{
    public static HttpRequest Request(string method, string path, string? bearer = null, object? json = null, string? query = null, byte[]? body = null, string? contentType = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query.StartsWith('?') ? query : "?" + query);
        }

        if (bearer is not null)
        {
            context.Request.Headers.Authorization = bearer.Contains(' ') ? bearer : "Bearer " + bearer;
        }

        if (json is not null)
        {
            body = JsonSerializer.SerializeToUtf8Bytes(json, DanVan.Domain.Json.Options);
            contentType ??= "application/json";
        }

        if (body is not null)
        {
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
        }

        if (contentType is not null)
        {
            context.Request.ContentType = contentType;
        }

        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    public static async Task<TestResponse> InvokeAsync(HttpRequest request, Func<HttpRequest, Task<IActionResult>> function)
    {
        var http = request.HttpContext;
        try
        {
            var result = await function(request);
            await result.ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));
        }
        catch (Exception ex) when (ProblemMiddleware.ProblemFor(ex, http) is { } problem)
        {
            await ProblemMiddleware.WriteAsync(http, problem);
        }

        var body = ((MemoryStream)http.Response.Body).ToArray();
        return new TestResponse(http.Response.StatusCode, http.Response.ContentType ?? "", body, http.Response.Headers);
    }
}
