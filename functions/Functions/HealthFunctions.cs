using DanVan.Http;
using DanVan.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DanVan.Functions;

/// <summary>
/// <c>GET /api/health</c> for monitors (Application Insights' availability test, a load balancer, a person with
/// curl): anonymous, answers nothing but whether DanVan's storage (its tables, blobs and queue) answered within
/// <see cref="Timeout"/>: 200 <c>{"status":"ok"}</c>, otherwise 503 <c>storage_unavailable</c> with Retry-After.
/// </summary>
public sealed class HealthFunctions(DanVanStore store, ILogger<HealthFunctions> logger)
{
    /// <summary>Short: a monitor wants an answer, not the SDK's retries against storage that is down.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    [Function(nameof(Health))]
    public async Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(Timeout);
        bool answered;
        try
        {
            var checks = await Task.WhenAll(
                TableAnswersAsync(bounded.Token),
                Answers(store.Reports.ExistsAsync(bounded.Token)),
                Answers(store.EmailQueue.ExistsAsync(bounded.Token)));
            answered = checks.All(ok => ok);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Health: storage did not answer within {Timeout}: {Failure}", Timeout, ex.GetType().Name);
            answered = false;
        }

        return answered ? ApiResults.Json(new HealthAnswer("ok")) : throw Problems.StorageUnavailable();
    }

    private async Task<bool> TableAnswersAsync(CancellationToken ct)
    {
        await store.TableServiceAnswersAsync(ct);
        return true;
    }

    private static async Task<bool> Answers(Task<Azure.Response<bool>> exists) => (await exists).Value;
}

public sealed record HealthAnswer(string Status);
