using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs;
using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Storage;
using DanVan.Submissions;
using Microsoft.Extensions.Logging;

namespace DanVan.Uploads;

/// <summary>
/// Reconciles what an interruption can leave behind: a committed blob no row points at, in either container
/// DanVan writes blobs that rows refer to. A report blob whose version row was never written (the worker
/// stopped between the two, or storage never said whether the row was stored) has no receipt and is in no
/// status or bundle; a bundle blob whose compilation record was never written is in no list. The sweep
/// deletes such a blob once its commit (Last-Modified, set by storage, read against storage's own clock)
/// is older than <see cref="MinimumAge"/>, so work still between its blob and its row, however long it
/// took, is never touched. Runs with the nightly compilation timer. (The outbox's emails have no rows.)
/// </summary>
public sealed class OrphanSweeper(DanVanStore store, SubmissionStore submissions, CompilationStore compilations, PeriodCatalog periods, ILogger<OrphanSweeper> logger)
{
    /// <summary>Far longer than any request may take (Azure's front end ends one after ~230 s).</summary>
    public TimeSpan MinimumAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Deletes the orphan blobs of every current period; returns their names.</summary>
    public async Task<IReadOnlyList<string>> SweepAsync(CancellationToken ct = default)
    {
        var deleted = new List<string>();
        foreach (var period in periods.Current())
        {
            deleted.AddRange(await SweepAsync(period.Id.ToString(), ct));
        }

        return deleted;
    }

    public async Task<IReadOnlyList<string>> SweepAsync(string periodId, CancellationToken ct = default)
    {
        var reports = await submissions.BlobNamesAsync(periodId, ct);
        var bundles = (await compilations.ListAsync(periodId, ct)).Select(c => c.BlobName).ToHashSet(StringComparer.Ordinal);
        return [.. await SweepAsync(store.Reports, periodId, reports, ct), .. await SweepAsync(store.CompilationBlobs, periodId, bundles, ct)];
    }

    private async Task<IReadOnlyList<string>> SweepAsync(BlobContainerClient container, string periodId, IReadOnlySet<string> referenced, CancellationToken ct)
    {
        var deleted = new List<string>();
        await foreach (var page in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, periodId + "/", ct).AsPages())
        {
            // Ages on storage's own clock (the listing's Date against each blob's Last-Modified), never the app's.
            if (page.GetRawResponse().Headers.Date is not { } storageNow)
            {
                continue;
            }

            foreach (var blob in page.Values)
            {
                if (!referenced.Contains(blob.Name) && blob.Properties.LastModified is { } committed && committed < storageNow - MinimumAge)
                {
                    // Only the blob as listed: if it changed since, it is not the orphan that was judged.
                    await container.GetBlobClient(blob.Name).DeleteIfExistsAsync(
                        conditions: new BlobRequestConditions { IfUnmodifiedSince = committed }, cancellationToken: ct);
                    logger.LogWarning("Deleted orphan blob {Container}/{BlobName} (no row points at it; committed {CommittedOn})", container.Name, blob.Name, committed);
                    deleted.Add(blob.Name);
                }
            }
        }

        return deleted;
    }
}
