using System.Globalization;
using Azure.Storage.Blobs.Models;
using DanVan.Periods;
using DanVan.Storage;
using DanVan.Submissions;
using Microsoft.Extensions.Logging;

namespace DanVan.Uploads;

/// <summary>
/// Reconciles what an interrupted upload can leave behind: a committed report blob whose version row was
/// never written (the worker stopped between the two). Such a blob has no receipt, is in no status and no
/// bundle; the sweep deletes it once it is older than <see cref="MinimumAge"/>, so an upload still
/// between its commit and its row is never touched. Runs with the nightly compilation timer.
/// </summary>
public sealed class OrphanSweeper(DanVanStore store, PeriodCatalog periods, TimeProvider clock, ILogger<OrphanSweeper> logger)
{
    public static readonly TimeSpan MinimumAge = TimeSpan.FromHours(1);

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

        var cutoff = clock.GetUtcNow() - MinimumAge;
        var deleted = new List<string>();
        await foreach (var blob in store.Reports.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, periodId + "/", ct))
        {
            if (!referenced.Contains(blob.Name) && ReceivedAt(blob) is { } created && created < cutoff)
            {
                await store.Reports.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: ct);
                logger.LogWarning("Deleted orphan report blob {BlobName} (no version row; created {CreatedOn})", blob.Name, created);
                deleted.Add(blob.Name);
            }
        }

        return deleted;
    }

    /// <summary>When the upload path committed the blob: its own metadata (DanVan's clock), else the blob's creation.</summary>
    private static DateTimeOffset? ReceivedAt(BlobItem blob) =>
        blob.Metadata.TryGetValue("receivedat", out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : blob.Properties.CreatedOn;
}
