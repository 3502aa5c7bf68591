using System.Diagnostics;
using System.IO.Compression;
using Azure;
using Azure.Data.Tables;
using DanVan.Compilation;
using DanVan.Reading;
using Azure.Storage.Blobs.Specialized;

namespace DanVan.Backup;

/// <summary>
/// Exports one table to one gzip file of JSON lines (<see cref="EntityLines"/>), in the table's own order (partition, then
/// row key), one partition in memory at a time.
/// <para>
/// A table query is not a snapshot: a transaction that commits while its partition is being read can be seen in part
/// (a unit's head before the commit, its new version after). Storage stamps every row a write touches with the write's
/// instant (Timestamp), so a partition is read consistently when none of its rows was written after its read began; one
/// that was is read again, alone, until a read sees no write during itself (at most <see cref="BackupOptions.MaxRereads"/>
/// times, then it is kept as last read and named in the manifest). A write that only deletes leaves no stamp: DanVan's
/// multi-row writes always write a row too, so none of them goes unseen.
/// </para>
/// </summary>
public sealed class TableExporter(int maxRereads, TimeProvider clock)
{
    /// <summary>Slack between storage's Date header (whole seconds, stamped when it answers) and the Timestamps it writes.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    private const int PageSize = 1000;

    public async Task<TableBackup> ExportAsync(TableClient table, string name, string file, BlockBlobClient destination, CancellationToken ct)
    {
        var startedAt = clock.GetUtcNow();
        using var content = new ContentHash();
        var (rows, reread) = (0L, 0);
        var unsettled = new List<string>();
        await using var blob = new StagedBlobWriteStream(destination, "application/gzip");
        var hashing = new HashingWriteStream(blob);
        await using (var gzip = new GZipStream(hashing, CompressionLevel.Optimal, leaveOpen: true))
        {
            async Task WriteAsync(List<TableEntity> partition)
            {
                foreach (var row in partition)
                {
                    var bytes = EntityLines.Content(row);
                    content.Append(bytes);
                    content.Append("\n"u8);
                    await gzip.WriteAsync(EntityLines.Line(row, bytes), ct);
                    rows++;
                }
            }

            var current = new List<TableEntity>();
            var (since, written) = (DateTimeOffset.MinValue, false);
            await foreach (var (page, pageSince) in PagesAsync(table, filter: null, ct))
            {
                foreach (var row in page.Values)
                {
                    if (current.Count > 0 && current[0].PartitionKey != row.PartitionKey)
                    {
                        var (settled, times) = written ? await RereadAsync(table, current[0].PartitionKey, unsettled, ct) : (current, 0);
                        reread += times;
                        await WriteAsync(settled);
                        current.Clear();
                    }

                    if (current.Count == 0)
                    {
                        (since, written) = (pageSince, false);
                    }

                    current.Add(row);
                    written |= row.Timestamp >= since;
                }
            }

            if (current.Count > 0)
            {
                var (settled, times) = written ? await RereadAsync(table, current[0].PartitionKey, unsettled, ct) : (current, 0);
                reread += times;
                await WriteAsync(settled);
            }
        }

        await blob.CommitAsync(ct);
        return new TableBackup(name, file, rows, hashing.BytesWritten, hashing.Sha256Hex(), content.CurrentHex(),
            startedAt, clock.GetUtcNow(), reread, unsettled);
    }

    /// <summary>Every row of the table (or of a filter) as storage gives them; each page with the instant its request may have begun at, at the earliest.</summary>
    private static async IAsyncEnumerable<(Page<TableEntity> Page, DateTimeOffset Since)> PagesAsync(TableClient table, string? filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var asked = Stopwatch.GetTimestamp();
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: PageSize, cancellationToken: ct).AsPages())
        {
            var took = Stopwatch.GetElapsedTime(asked);
            // Without storage's Date, every row counts as written during the read (a read again too many, never too few).
            var since = page.GetRawResponse().Headers.Date is { } date ? date - took - Slack : DateTimeOffset.MinValue;
            yield return (page, since);
            asked = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>The partition read alone until a read sees no write during itself; the number of reads.</summary>
    private async Task<(List<TableEntity> Rows, int Times)> RereadAsync(TableClient table, string partition, List<string> unsettled, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        var rows = new List<TableEntity>();
        for (var times = 1; ; times++)
        {
            rows.Clear();
            var (threshold, written) = (DateTimeOffset.MaxValue, false);
            await foreach (var (page, since) in PagesAsync(table, filter, ct))
            {
                threshold = rows.Count == 0 ? since : threshold;
                rows.AddRange(page.Values);
                written |= page.Values.Any(r => r.Timestamp >= threshold);
            }

            if (!written)
            {
                return (rows, times);
            }

            if (times >= maxRereads)
            {
                unsettled.Add(partition);
                return (rows, times);
            }

            // Storage's own time, not the app's (which tests and training runs set): a real second.
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }
}
