using Azure.Data.Tables;
using DanVan.Storage;

namespace DanVan.Changes;

/// <summary>
/// The one owner of table <c>blobwrites</c>: which periods may hold a report or bundle blob written lately, for the orphan
/// sweep (<c>Uploads/OrphanSweeper</c>). PartitionKey <c>blobs</c>, RowKey the period id; written (at most once an hour per
/// instance) before a blob of the period is written, its Timestamp (storage's own clock) is when. These notes were kept in
/// <c>periodchanges</c> before (partition <c>blobs</c>): the first read here carries them over
/// (<see cref="PeriodChangeStore.RetiredRowsAsync"/>), written anew, so younger than they were: the sweep visits a period
/// too many for one window, never one too few.
/// </summary>
public sealed class BlobWriteNotes(DanVanStore store, PeriodChangeStore changes) : ITableOwner
{
    public static string TableName(StorageNames names) => names.BlobWritesTable;

    private const string Partition = "blobs";

    /// <summary>A period's blob writes are noted at most this often by one instance (<see cref="NoteAsync"/>).</summary>
    public static readonly TimeSpan NoteEvery = TimeSpan.FromHours(1);

    /// <summary>When this instance last noted each period's blob writes, on the machine's monotonic timer (real time, as storage's).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> noted = new(StringComparer.Ordinal);

    /// <summary>
    /// Notes, before a blob of the period is written, that one may be: the sweep judges an older period's blobs only when
    /// it was noted within its window. Throws when the note cannot be written (the blob must not be written then).
    /// </summary>
    public async Task NoteAsync(string periodId, CancellationToken ct = default)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (noted.TryGetValue(periodId, out var last) && System.Diagnostics.Stopwatch.GetElapsedTime(last, now) < NoteEvery)
        {
            return;
        }

        await Table.UpsertEntityAsync(new TableEntity(Partition, periodId), TableUpdateMode.Replace, ct);
        noted[periodId] = now;
    }

    /// <summary>
    /// The periods whose blob writes were noted within <paramref name="window"/> (plus the noting interval) before storage's
    /// own now, in one query (after carrying over the notes still kept in the old place, if any).
    /// </summary>
    public async Task<IReadOnlySet<string>> WrittenWithinAsync(TimeSpan window, CancellationToken ct = default)
    {
        await CarryOverAsync(ct);
        var periods = new HashSet<string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var page in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct).AsPages())
        {
            var storageNow = page.GetRawResponse().Headers.Date;
            foreach (var row in page.Values)
            {
                // Without storage's clock on the answer, every noted period counts (a visit too many, never one too few).
                if (storageNow is not { } at || row.Timestamp is not { } written || written >= at - window - NoteEvery)
                {
                    periods.Add(row.RowKey);
                }
            }
        }

        return periods;
    }

    /// <summary>Each note still in <c>periodchanges</c> is written here first, then removed there (the old per-unit cache rows go too).</summary>
    private async Task CarryOverAsync(CancellationToken ct)
    {
        foreach (var retired in await changes.RetiredRowsAsync(ct))
        {
            if (retired.BlobNoteOf is { } periodId)
            {
                await Table.UpsertEntityAsync(new TableEntity(Partition, periodId), TableUpdateMode.Replace, ct);
            }

            await changes.DropRetiredAsync(retired, ct);
        }
    }

    private TableClient Table => store.Table<BlobWriteNotes>();
}
