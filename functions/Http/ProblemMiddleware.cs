using DanVan.Domain;
using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DanVan.Http;

/// <summary>
/// Turns a <see cref="DomainException"/> (DanVan's one refusal type, thrown from the edge or below it) into its
/// problem+json answer, storage that did not answer into 503 <c>storage_unavailable</c> with Retry-After, and any
/// other failure into a plain 500 problem without internals. The one place that knows the HTTP status of each kind
/// of refusal (<see cref="StatusOf(Refusal)"/>). Functions throw; they never format errors themselves.
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
                problem = RefusalCodes.InternalError.Because("Đã xảy ra lỗi không mong muốn. Vui lòng thử lại sau.");
            }
            else if (problem.Reason == RefusalCodes.StorageUnavailable)
            {
                logger.LogWarning(ex, "{Function}: storage unavailable", context.FunctionDefinition.Name);
            }
            else
            {
                logger.LogInformation("{Function} refused: {Status} {Code}", context.FunctionDefinition.Name, StatusOf(problem), problem.Code);
            }

            telemetry.Refused(context, problem.Code, StatusOf(problem));
            await WriteAsync(http, problem);
        }
    }

    /// <summary>The refusal a failure is answered with: DanVan's own, 503 when storage failed; null for anything else (a 500).</summary>
    public static DomainException? ProblemFor(Exception ex, HttpContext http) =>
        Unwrap(ex) ?? (Storage.StorageFailures.Is(ex, http.RequestAborted) ? Problems.StorageUnavailable() : null);

    private static DomainException? Unwrap(Exception ex) => ex switch
    {
        DomainException d => d,
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        _ when ex.InnerException is not null => Unwrap(ex.InnerException),
        _ => null,
    };

    public static int StatusOf(DomainException problem) => StatusOf(problem.Refusal);

    /// <summary>How each kind of refusal is said in HTTP: one status per kind, here and nowhere else.</summary>
    public static int StatusOf(Refusal refusal) => refusal switch
    {
        Refusal.Invalid => StatusCodes.Status400BadRequest,
        Refusal.Unauthenticated => StatusCodes.Status401Unauthorized,
        Refusal.Forbidden => StatusCodes.Status403Forbidden,
        Refusal.NotFound => StatusCodes.Status404NotFound,
        Refusal.Conflict => StatusCodes.Status409Conflict,
        Refusal.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        Refusal.TooLarge => StatusCodes.Status413PayloadTooLarge,
        Refusal.UnsupportedType => StatusCodes.Status415UnsupportedMediaType,
        Refusal.Unacceptable => StatusCodes.Status422UnprocessableEntity,
        Refusal.TooManyRequests => StatusCodes.Status429TooManyRequests,
        Refusal.Unavailable => StatusCodes.Status503ServiceUnavailable,
        Refusal.Failure => StatusCodes.Status500InternalServerError,
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "A kind of refusal without its HTTP status."),
    };

    public static async Task WriteAsync(HttpContext http, DomainException problem)
    {
        http.Response.Clear();
        http.Response.StatusCode = StatusOf(problem);
        ApiResults.ApplyHeaders(http.Response);
        http.Response.ContentType = "application/problem+json; charset=utf-8";
        if (problem.Refusal == Refusal.Unauthenticated)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"danvan\"";
        }

        if (problem.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await JsonSerializer.SerializeAsync(http.Response.Body, ToBody(problem, http.Request.Path), Json.Options);
    }

    public static ProblemBody ToBody(DomainException problem, string? instance) => new(
        $"https://danvan.example.org/problems/{problem.Code}",
        problem.Title,
        StatusOf(problem),
        problem.Detail,
        problem.Code,
        instance,
        problem.Violations,
        problem.Role);
}

public sealed record ProblemBody(string Type, string Title, int Status, string? Detail, string Code, string? Instance, IReadOnlyList<Violation>? Errors, string? Role = null);
