using Azure;
using Azure.Data.Tables;
using DanVan.Storage;

namespace DanVan.Changes;

/// <summary>
/// Table <c>periods</c>: a period's one finalization record, PartitionKey "period", RowKey = the period id. Written once,
/// first, by finalization (<see cref="PeriodGate.CloseAsync"/>); read, never written, by every write of the period
/// (uploads, decisions, figures entries), which is refused once it reads the period closed. Writes that read it open are
/// still in flight when it closes: finalization then fences every unit's own rows (<see cref="UnitFences"/>), so each of
/// them either was stored before its unit's fence or fails on it.
/// </summary>
public sealed class PeriodStateEntity : TableRow, ITableEntity
{
    public const string Partition = "period";

    public PeriodStateEntity() => PartitionKey = Partition;

    public DateTimeOffset? FinalizedAt { get; set; }
    public string? FinalizedBy { get; set; }
}

/// <summary>The one owner of table <c>periods</c> (<see cref="PeriodStateEntity"/>): whether, when and by whom a period was finalized.</summary>
public sealed class PeriodGate(DanVanStore store) : ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.PeriodsTable;

    private TableClient Table => store.Table<PeriodGate>();

    /// <summary>When the period was closed (finalized), or null while it is open.</summary>
    public async Task<DateTimeOffset?> ClosedAtAsync(string periodId, CancellationToken ct = default)
    {
        var row = await Table.GetEntityIfExistsAsync<PeriodStateEntity>(PeriodStateEntity.Partition, periodId, cancellationToken: ct);
        return row.HasValue ? row.Value!.FinalizedAt : null;
    }

    /// <summary>Every closed period with the instant it was closed at, in one query.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> ClosedAsync(CancellationToken ct = default)
    {
        var result = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PeriodStateEntity.Partition}");
        await foreach (var e in Table.QueryAsync<PeriodStateEntity>(filter, cancellationToken: ct))
        {
            if (e.FinalizedAt is { } at)
            {
                result[e.RowKey] = at;
            }
        }

        return result;
    }

    /// <summary>
    /// Shuts the period's gate, so every write of the period that reads it from now on is refused. Returns the instant it
    /// was closed at (<paramref name="at"/>, or the earlier one if it was closed already) and whether this call closed it
    /// (also when its own write's reply was lost and the retry met it: same instant, same actor).
    /// </summary>
    public async Task<(DateTimeOffset ClosedAt, bool Newly)> CloseAsync(string periodId, DateTimeOffset at, string actor, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var read = await Table.GetEntityIfExistsAsync<PeriodStateEntity>(PeriodStateEntity.Partition, periodId, cancellationToken: ct);
            var state = read.HasValue ? read.Value : null;
            if (state?.FinalizedAt is { } closed)
            {
                return (closed, attempt > 1 && closed == at && state.FinalizedBy == actor);
            }

            try
            {
                var row = new PeriodStateEntity { RowKey = periodId, FinalizedAt = at, FinalizedBy = actor };
                if (state is null)
                {
                    await Table.AddEntityAsync(row, ct);
                }
                else
                {
                    await Table.UpdateEntityAsync(row, state.ETag, TableUpdateMode.Replace, ct);
                }

                return (at, true);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 16)
            {
                // Another finalization wrote it meanwhile (or our own write, whose reply was lost): read again.
            }
        }
    }
}
