using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs;
using DanVan.Compilation;
using DanVan.Domain;
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
/// <para>
/// Its cost follows what can still change, not the years of history: each night it sweeps the periods in play
/// (open, not finalized, deadline within <see cref="RecentDays"/>; or finalized in the last two days) and the older
/// unfinalized ones whose blob writes were noted within <see cref="Window"/> (every report and bundle blob write is noted
/// first, <see cref="Changes.BlobWriteNotes.NoteAsync"/>): an older period
/// nobody wrote a blob for lately has no blob young enough to judge. Finalized periods take no uploads, so they are left
/// alone. Only blobs committed within <see cref="Window"/> are judged, and a period's rows are read only when one is.
/// </para>
/// </summary>
public sealed class OrphanSweeper(DanVanStore store, SubmissionStore submissions, CompilationStore compilations, PeriodCatalog periods, Changes.BlobWriteNotes blobWrites, TimeProvider clock, ILogger<OrphanSweeper> logger)
{
    /// <summary>Far longer than any request may take (Azure's front end ends one after ~230 s).</summary>
    public TimeSpan MinimumAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>A period whose deadline is at most this many days past is swept every night.</summary>
    public const int RecentDays = 60;

    /// <summary>Blobs committed longer ago than this are not judged again (every night's sweep has seen them).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(35);

    /// <summary>Deletes the orphan blobs of tonight's periods (<see cref="Tonight"/>); returns their names.</summary>
    public async Task<IReadOnlyList<string>> SweepAsync(CancellationToken ct = default)
    {
        var finalized = periods.FinalizedAsync(ct);
        var written = blobWrites.WrittenWithinAsync(Window, ct);
        var deleted = new List<string>();
        foreach (var periodId in Tonight(periods.Current(), await finalized, await written, clock.GetUtcNow()))
        {
            deleted.AddRange(await SweepAsync(periodId, ct));
        }

        return deleted;
    }

    /// <summary>The periods the sweep visits on the night of <paramref name="now"/>, given those whose blob writes were noted within the window.</summary>
    public static IReadOnlyList<string> Tonight(IReadOnlyList<Period> current, IReadOnlyDictionary<string, DateTimeOffset> finalized, IReadOnlySet<string> writtenLately, DateTimeOffset now)
    {
        var tonight = new List<string>();
        foreach (var period in current.Where(p => p.IsOpenAt(now)))
        {
            var id = period.Id.ToString();
            var visit = finalized.TryGetValue(id, out var closedAt)
                ? closedAt >= now - TimeSpan.FromDays(2)
                : period.Deadline >= now - TimeSpan.FromDays(RecentDays) || writtenLately.Contains(id);
            if (visit)
            {
                tonight.Add(id);
            }
        }

        return tonight;
    }

    public async Task<IReadOnlyList<string>> SweepAsync(string periodId, CancellationToken ct = default)
    {
        async Task<IReadOnlySet<string>> Reports() => await submissions.BlobNamesAsync(periodId, ct);
        async Task<IReadOnlySet<string>> Bundles() => (await compilations.ListAsync(periodId, ct)).Select(c => c.BlobName).ToHashSet(StringComparer.Ordinal);
        return [.. await SweepAsync(store.Reports, periodId, Reports, ct), .. await SweepAsync(store.CompilationBlobs, periodId, Bundles, ct)];
    }

    private async Task<IReadOnlyList<string>> SweepAsync(BlobContainerClient container, string periodId, Func<Task<IReadOnlySet<string>>> loadReferenced, CancellationToken ct)
    {
        var deleted = new List<string>();
        IReadOnlySet<string>? referenced = null;
        await foreach (var page in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, periodId + "/", ct).AsPages())
        {
            // Ages on storage's own clock (the listing's Date against each blob's Last-Modified), never the app's.
            if (page.GetRawResponse().Headers.Date is not { } storageNow)
            {
                continue;
            }

            foreach (var blob in page.Values)
            {
                if (blob.Properties.LastModified is not { } committed || committed >= storageNow - MinimumAge || committed < storageNow - Window)
                {
                    continue;
                }

                // The rows are read only when a blob is old enough to judge: a quiet period costs its listing alone.
                referenced ??= await loadReferenced();
                if (!referenced.Contains(blob.Name))
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
