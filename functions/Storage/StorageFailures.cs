using Azure;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace DanVan.Storage;

/// <summary>What counts as storage failing, as opposed to the caller giving up or a bug.</summary>
public static class StorageFailures
{
    /// <summary>
    /// A failure of storage or of the way to it: an error answer, a broken or timed-out connection, or the
    /// SDK's "retry failed" over such failures. A cancellation counts only when <paramref name="callerToken"/>
    /// was not cancelled (then it was a timeout, not the caller leaving).
    /// </summary>
    public static bool Is(Exception ex, CancellationToken callerToken) => ex switch
    {
        RequestFailedException or IOException or HttpRequestException or TimeoutException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested,
        AggregateException all => all.InnerExceptions.Count > 0 && all.InnerExceptions.All(e => Is(e, callerToken)),
        _ => false,
    };

    /// <summary>
    /// Deletes a blob that storage proved no row points at (or can point at). Bounded in time and not by the
    /// caller's token (a client that went away still leaves nothing behind); a storage failure is logged and
    /// the blob left to the orphan sweep, never thrown over the failure that led here.
    /// </summary>
    public static async Task DeleteUnreferencedAsync(BlobBaseClient blob, ILogger logger)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await blob.DeleteIfExistsAsync(cancellationToken: timeout.Token);
        }
        catch (Exception ex) when (Is(ex, CancellationToken.None))
        {
            logger.LogWarning(ex, "Unreferenced blob {Container}/{Blob} not deleted; the orphan sweep will", blob.BlobContainerName, blob.Name);
        }
    }
}
