using DanVan.Domain;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DanVan.Http;

/// <summary>
/// Turns a <see cref="ProblemException"/> (the edge's own) or a <see cref="DomainException"/> (a rule's
/// refusal, from below the edge) into its problem+json answer, storage that did not answer into
/// 503 <c>storage_unavailable</c> with Retry-After, and any other failure into a plain 500 problem without
/// internals. Functions throw; they never format errors themselves.
/// </summary>
public sealed class ProblemMiddleware(ILogger<ProblemMiddleware> logger, Telemetry.DanVanTelemetry telemetry) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { } http && !http.Response.HasStarted)
        {
            var problem = ProblemFor(ex, http);
            if (problem is null)
            {
                logger.LogError(ex, "Unhandled failure in {Function}", context.FunctionDefinition.Name);
                problem = new ProblemException(500, "internal_error", "Lỗi hệ thống", "Đã xảy ra lỗi không mong muốn. Vui lòng thử lại sau.");
            }
            else if (problem.Code == "storage_unavailable")
            {
                logger.LogWarning(ex, "{Function}: storage unavailable", context.FunctionDefinition.Name);
            }
            else
            {
                logger.LogInformation("{Function} refused: {Status} {Code}", context.FunctionDefinition.Name, problem.Status, problem.Code);
            }

            telemetry.Refused(context, problem.Code, problem.Status);
            await WriteAsync(http, problem);
        }
    }

    /// <summary>The problem a failure is answered with: DanVan's own, 503 when storage failed; null for anything else (a 500).</summary>
    public static ProblemException? ProblemFor(Exception ex, HttpContext http) =>
        Unwrap(ex) ?? (Storage.StorageFailures.Is(ex, http.RequestAborted) ? Problems.StorageUnavailable() : null);

    private static ProblemException? Unwrap(Exception ex) => ex switch
    {
        ProblemException p => p,
        DomainException d => new ProblemException(StatusOf(d.Refusal), d.Code, d.Title, d.Detail, d.Violations),
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        _ when ex.InnerException is not null => Unwrap(ex.InnerException),
        _ => null,
    };

    /// <summary>How a rule's refusal is said in HTTP.</summary>
    private static int StatusOf(Refusal refusal) => refusal switch
    {
        Refusal.NotFound => StatusCodes.Status404NotFound,
        Refusal.Conflict => StatusCodes.Status409Conflict,
        Refusal.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        _ => StatusCodes.Status400BadRequest,
    };

    public static async Task WriteAsync(HttpContext http, ProblemException problem)
    {
        http.Response.Clear();
        http.Response.StatusCode = problem.Status;
        ApiResults.ApplyHeaders(http.Response);
        http.Response.ContentType = "application/problem+json; charset=utf-8";
        foreach (var (name, value) in problem.Headers)
        {
            http.Response.Headers[name] = value;
        }

        await JsonSerializer.SerializeAsync(http.Response.Body, ToBody(problem, http.Request.Path), Json.Options);
    }

    public static ProblemBody ToBody(ProblemException problem, string? instance) => new(
        $"https://danvan.example.org/problems/{problem.Code}",
        problem.Title,
        problem.Status,
        problem.Detail,
        problem.Code,
        instance,
        problem.Errors,
        problem.Role);
}

public sealed record ProblemBody(string Type, string Title, int Status, string? Detail, string Code, string? Instance, IReadOnlyList<Violation>? Errors, string? Role = null);
