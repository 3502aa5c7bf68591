using Azure;

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
}
