using Azure;
using Azure.Data.Tables;
using DanVan.Storage;
using Microsoft.Extensions.Logging;

namespace DanVan.Changes;

/// <summary>What a unit's own row in a period was, as cached: the period's stamp it was read at and the caller's text (JSON).</summary>
public sealed record UnitPeriodRow(long Stamp, string Sources);

/// <summary>
/// The one owner of table <c>unitperiods</c>: a unit's own head and decisions in each period, as read at a count of the
/// period's changes (<see cref="PeriodChanges.Stamp"/>), so a unit caller's <c>GET /api/periods</c> reads one partition
/// instead of two rows per period. PartitionKey the unit code, RowKey the period id. Only a cache: a row missing or read
/// at another stamp is read again and rewritten (the rows kept in <c>periodchanges</c> before are not read; they go with
/// <see cref="PeriodChangeStore.RetiredRowsAsync"/>).
/// </summary>
public sealed class UnitPeriodCache(DanVanStore store, ILogger<UnitPeriodCache> logger) : ITableOwner
{
    public static string TableName(StorageNames names) => names.UnitPeriodsTable;

    /// <summary>The unit's own rows, by period id, in one query.</summary>
    public async Task<IReadOnlyDictionary<string, UnitPeriodRow>> RowsAsync(string unitCode, CancellationToken ct = default)
    {
        var rows = new Dictionary<string, UnitPeriodRow>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {unitCode}");
        await foreach (var e in Table.QueryAsync<UnitPeriodEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
        {
            rows[e.RowKey] = new UnitPeriodRow(e.Stamp, e.Sources);
        }

        return rows;
    }

    /// <summary>Caches what the unit's row in the period was at <paramref name="stamp"/> (read before it). Never throws over storage.</summary>
    public async Task RecordAsync(string unitCode, string periodId, long stamp, string sources, CancellationToken ct = default)
    {
        try
        {
            await Table.UpsertEntityAsync(new UnitPeriodEntity { PartitionKey = unitCode, RowKey = periodId, Stamp = stamp, Sources = sources }, TableUpdateMode.Replace, ct);
        }
        catch (Exception ex) when (StorageFailures.Is(ex, ct))
        {
            logger.LogDebug(ex, "Row of {Unit} in {PeriodId} not recorded", unitCode, periodId);
        }
    }

    private TableClient Table => store.Table<UnitPeriodCache>();

    private sealed class UnitPeriodEntity : TableRow, ITableEntity
    {

        /// <summary>The period's stamp the sources were read at.</summary>
        public long Stamp { get; set; }

        /// <summary>The caller's text (JSON) of what it read.</summary>
        public string Sources { get; set; } = "";
    }
}
