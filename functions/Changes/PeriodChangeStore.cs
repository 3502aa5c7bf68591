using Azure;
using Azure.Data.Tables;
using DanVan.Storage;
using Microsoft.Extensions.Logging;

namespace DanVan.Changes;

/// <summary>The one owner of table <c>periodchanges</c> (<see cref="PeriodChangeKeys"/>).</summary>
public sealed class PeriodChangeStore(DanVanStore store, TimeProvider clock, ILogger<PeriodChangeStore> logger) : ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.PeriodChangesTable;

    /// <summary>The change rows' writes (begun, committed, dropped), in one transaction with other requests' while one is out.</summary>
    private readonly GroupCommit writes = new(store.PeriodChanges);

    /// <summary>At most this many change rows are folded into the period's row by one write (a transaction holds 100).</summary>
    private const int MaxFold = 99;

    /// <summary>
    /// Records a change as in flight, before its write is tried. A failure throws: the caller must not write then (the
    /// row may exist all the same; it stays in flight until the timer settles it). Written with other requests' changes
    /// begun at the same moment (<see cref="GroupCommit"/>): under a rush, one call for many.
    /// </summary>
    public async Task<ChangeScope> BeginAsync(string periodId, string source, string unitCode, CancellationToken ct = default)
    {
        var ticket = new ChangeTicket(periodId, Guid.NewGuid().ToString("N"), source);
        try
        {
            ct.ThrowIfCancellationRequested();
            await writes.SubmitAsync(new TableTransactionAction(TableTransactionActionType.Add, new PeriodChangeEntity
            {
                RowKey = PeriodChangeKeys.Change(periodId, ticket.ChangeId),
                PeriodId = periodId,
                ChangeId = ticket.ChangeId,
                Source = source,
                UnitCode = unitCode,
                StartedAt = clock.GetUtcNow(),
            }));
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // The id is fresh: the row is this add's own, whose reply was lost and whose retry met it.
        }

        return new ChangeScope(this, ticket);
    }

    /// <summary>
    /// The change's write is stored: its row counts from now on. Never throws: when this fails the row stays in flight
    /// (nothing is cached for the period) until the timer settles it. A row already settled and folded is left alone.
    /// </summary>
    internal Task CommittedAsync(ChangeTicket ticket) => SettleAsync(ticket.PeriodId, ticket.ChangeId, committed: true);

    /// <summary>The change's write is known never to be stored: its row goes. Never throws (the timer settles what stays).</summary>
    internal Task AbandonedAsync(ChangeTicket ticket) => SettleAsync(ticket.PeriodId, ticket.ChangeId, committed: false);

    internal async Task SettleAsync(string periodId, string changeId, bool committed)
    {
        var key = PeriodChangeKeys.Change(periodId, changeId);
        try
        {
            // Bounded by the group commit's own timeout; with other requests' settled changes when they coincide.
            await writes.SubmitAsync(committed
                ? new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(PeriodChangeKeys.PeriodsPartition, key) { [nameof(PeriodChangeEntity.Committed)] = true }, ETag.All)
                : new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(PeriodChangeKeys.PeriodsPartition, key), ETag.All));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Settled already (by the timer, or this call's lost reply) and folded.
        }
        catch (Exception ex) when (StorageFailures.Is(ex, CancellationToken.None))
        {
            logger.LogWarning(ex, "Change {ChangeId} of {PeriodId} not marked {Outcome}; it stays in flight until the timer settles it", changeId, periodId, committed ? "committed" : "abandoned");
        }
    }

    /// <summary>Every period the index knows, in one query of one partition.</summary>
    public async Task<IReadOnlyDictionary<string, PeriodChanges>> ReadAsync(CancellationToken ct = default) =>
        await QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {PeriodChangeKeys.PeriodsPartition}"), ct);

    /// <summary>One period (its row and its change rows, one range query).</summary>
    public async Task<PeriodChanges> ReadAsync(string periodId, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {PeriodChangeKeys.PeriodsPartition} and RowKey ge {PeriodChangeKeys.Period(periodId)} and RowKey lt {PeriodChangeKeys.PeriodTo(periodId)}");
        return (await QueryAsync(filter, ct)).GetValueOrDefault(periodId) ?? PeriodChanges.None(periodId);
    }

    private async Task<Dictionary<string, PeriodChanges>> QueryAsync(string filter, CancellationToken ct)
    {
        var rows = new Dictionary<string, PeriodChangesEntity>(StringComparer.Ordinal);
        var pending = new Dictionary<string, List<PendingChange>>(StringComparer.Ordinal);
        var committed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await foreach (var e in store.PeriodChanges.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
        {
            var periodId = e.RowKey[..e.RowKey.IndexOf('~', StringComparison.Ordinal)];
            if (e.RowKey == PeriodChangeKeys.Period(periodId))
            {
                rows[periodId] = new PeriodChangesEntity
                {
                    RowKey = e.RowKey,
                    ETag = e.ETag,
                    Changes = e.GetInt64(nameof(PeriodChangesEntity.Changes)) ?? 0,
                    CountsMarker = e.GetString(nameof(PeriodChangesEntity.CountsMarker)),
                    Counts = e.GetString(nameof(PeriodChangesEntity.Counts)),
                    CompiledMarker = e.GetString(nameof(PeriodChangesEntity.CompiledMarker)),
                    CompiledVersion = e.GetInt32(nameof(PeriodChangesEntity.CompiledVersion)),
                };
            }
            else if (e.GetBoolean(nameof(PeriodChangeEntity.Committed)) == true)
            {
                Add(committed, periodId, e.RowKey);
            }
            else
            {
                Add(pending, periodId, new PendingChange(
                    periodId,
                    e.GetString(nameof(PeriodChangeEntity.ChangeId)) ?? "",
                    e.GetString(nameof(PeriodChangeEntity.Source)) ?? "",
                    e.GetString(nameof(PeriodChangeEntity.UnitCode)) ?? "",
                    e.GetDateTimeOffset(nameof(PeriodChangeEntity.StartedAt)) ?? DateTimeOffset.MinValue));
            }
        }

        var result = new Dictionary<string, PeriodChanges>(StringComparer.Ordinal);
        foreach (var periodId in rows.Keys.Concat(pending.Keys).Concat(committed.Keys).Distinct())
        {
            var row = rows.GetValueOrDefault(periodId);
            var done = committed.GetValueOrDefault(periodId) ?? [];
            result[periodId] = new PeriodChanges(
                periodId,
                (row?.Changes ?? 0) + done.Count,
                pending.GetValueOrDefault(periodId) ?? [],
                row?.CountsMarker,
                row?.Counts,
                row?.CompiledMarker,
                row?.CompiledVersion,
                row?.ETag,
                row?.Changes ?? 0,
                done);
        }

        return result;
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }

    /// <summary>
    /// Caches the period's counts at <paramref name="marker"/> (made from <paramref name="read"/>'s stamp, read before the
    /// counts). False when the period's row changed since <paramref name="read"/> (nothing written; a later reader
    /// caches). Never throws over storage: a cache that could not be written is only a miss.
    /// </summary>
    public Task<bool> RecordCountsAsync(PeriodChanges read, string marker, string counts, CancellationToken ct = default) =>
        RecordAsync(read, row => (row.CountsMarker, row.Counts) = (marker, counts), ct);

    /// <summary>
    /// Records that at <paramref name="marker"/> the period's latest compilation is <paramref name="version"/> and current
    /// (null: there is nothing to compile), with its <paramref name="counts"/> when known. As <see cref="RecordCountsAsync"/>.
    /// </summary>
    public Task<bool> RecordCompiledAsync(PeriodChanges read, string marker, int? version, string? counts, CancellationToken ct = default) =>
        RecordAsync(read, row =>
        {
            (row.CompiledMarker, row.CompiledVersion) = (marker, version);
            if (counts is not null)
            {
                (row.CountsMarker, row.Counts) = (marker, counts);
            }
        }, ct);

    /// <summary>
    /// Rewrites the period's row under the ETag it was read with (added if there was none), folding into it the committed
    /// change rows that were read (deleted in the same transactions, a transaction's worth at a time, each rewriting the
    /// row under the ETag the one before left), so the stamp stays what it was and the index stays small.
    /// </summary>
    private async Task<bool> RecordAsync(PeriodChanges read, Action<PeriodChangesEntity> set, CancellationToken ct)
    {
        var etag = read.RowETag;
        var folded = read.Folded;
        var chunks = read.CommittedKeys.Chunk(MaxFold).ToList();
        for (var i = 0; i < Math.Max(1, chunks.Count); i++)
        {
            var fold = chunks.Count == 0 ? [] : chunks[i];
            var row = new PeriodChangesEntity
            {
                RowKey = PeriodChangeKeys.Period(read.PeriodId),
                Changes = folded + fold.Length,
                CountsMarker = read.CountsMarker,
                Counts = read.Counts,
                CompiledMarker = read.CompiledMarker,
                CompiledVersion = read.CompiledVersion,
            };
            if (i == Math.Max(1, chunks.Count) - 1)
            {
                set(row);
            }

            var actions = new List<TableTransactionAction>
            {
                etag is { } e ? new(TableTransactionActionType.UpdateReplace, row, e) : new(TableTransactionActionType.Add, row),
            };
            actions.AddRange(fold.Select(key => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(PeriodChangeKeys.PeriodsPartition, key), ETag.All)));
            try
            {
                var response = await store.PeriodChanges.SubmitTransactionAsync(actions, ct);
                etag = response.Value[0].Headers.ETag;
                folded = row.Changes;
            }
            catch (Exception ex) when (StorageFailures.Is(ex, ct))
            {
                // 409/412/404: another reader recorded or folded first. Anything else: a cache not written is a miss.
                logger.LogDebug(ex, "Period row of {PeriodId} not recorded", read.PeriodId);
                return false;
            }

            if (etag is null)
            {
                // Without the row's new ETag the next part cannot be written under it; what was folded stays folded.
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The rows of kinds this table no longer holds (the orphan sweep's blob-write notes, now <see cref="BlobWriteNotes"/>;
    /// a unit's cached rows, now <see cref="UnitPeriodCache"/>), in one query: none once they were carried over.
    /// </summary>
    public async Task<IReadOnlyList<RetiredRow>> RetiredRowsAsync(CancellationToken ct = default)
    {
        var rows = new List<RetiredRow>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey ne {PeriodChangeKeys.PeriodsPartition}");
        await foreach (var e in store.PeriodChanges.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            rows.Add(new RetiredRow(e.PartitionKey, e.RowKey));
        }

        return rows;
    }

    /// <summary>Deletes a row <see cref="RetiredRowsAsync"/> listed (gone already is fine).</summary>
    public async Task DropRetiredAsync(RetiredRow row, CancellationToken ct = default)
    {
        if (row.PartitionKey == PeriodChangeKeys.PeriodsPartition)
        {
            throw new ArgumentException("A period's row or change row is not retired.", nameof(row));
        }

        await store.PeriodChanges.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
    }
}

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.PeriodChanges</c> is
/// <see cref="PeriodChangeStore"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient PeriodChanges => store.Table<PeriodChangeStore>();
    }
}
