using Azure.Storage.Blobs.Models;
using DanVan.Periods;
using DanVan.Storage;
using DanVan.Submissions;
using Microsoft.Extensions.Logging;

namespace DanVan.Uploads;

/// <summary>
/// Reconciles what an interrupted upload can leave behind: a committed report blob whose version row was
/// never written (the worker stopped between the two). Such a blob has no receipt, is in no status and no
/// bundle; the sweep deletes it once its commit (the blob's Last-Modified, set by storage) is older than
/// <see cref="MinimumAge"/>, so an upload still between its commit and its row, however long it took to
/// send, is never touched. An upload whose row was refused for certain deletes its own blob; one whose
/// outcome storage did not report leaves it here. Runs with the nightly compilation timer.
/// </summary>
public sealed class OrphanSweeper(DanVanStore store, PeriodCatalog periods, ILogger<OrphanSweeper> logger)
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
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var filter = Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {SubmissionKeys.AllVersionsFrom} and RowKey lt {SubmissionKeys.AllVersionsTo}");
        await foreach (var row in store.Submissions.QueryAsync<SubmissionVersionEntity>(filter, select: [nameof(SubmissionVersionEntity.BlobName)], cancellationToken: ct))
        {
            referenced.Add(row.BlobName);
        }

        var deleted = new List<string>();
        await foreach (var page in store.Reports.GetBlobsAsync(BlobTraits.None, BlobStates.None, periodId + "/", ct).AsPages())
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
                    await store.Reports.GetBlobClient(blob.Name).DeleteIfExistsAsync(
                        conditions: new BlobRequestConditions { IfUnmodifiedSince = committed }, cancellationToken: ct);
                    logger.LogWarning("Deleted orphan report blob {BlobName} (no version row; committed {CommittedOn})", blob.Name, committed);
                    deleted.Add(blob.Name);
                }
            }
        }

        return deleted;
    }
}
