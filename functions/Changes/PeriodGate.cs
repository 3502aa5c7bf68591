using System.Collections.Concurrent;
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

/// <summary>
/// The one owner of table <c>periods</c> (<see cref="PeriodStateEntity"/>): whether, when and by whom a period was finalized.
/// Every write of a period reads its gate, so under a rush the reads of one period are gathered (<see cref="Gathering{T}"/>):
/// those asked for while one read is out share the next, which starts after each of them asked, so each answer is as fresh
/// as a read of its own would be; a hundred uploads at once cost a few reads of the row, not a hundred.
/// </summary>
public sealed class PeriodGate(DanVanStore store) : ITableOwner
{
    /// <summary>How long one gathered read may take, whatever its askers' tokens (each waits as long as its own allows).</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Gathering<TaskCompletionSource<DateTimeOffset?>>> reads = new(StringComparer.Ordinal);

    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.PeriodsTable;

    private TableClient Table => store.Table<PeriodGate>();

    /// <summary>When the period was closed (finalized), or null while it is open: read after this call began.</summary>
    public Task<DateTimeOffset?> ClosedAtAsync(string periodId, CancellationToken ct = default)
    {
        var answer = new TaskCompletionSource<DateTimeOffset?>(TaskCreationOptions.RunContinuationsAsynchronously);
        reads.GetOrAdd(periodId, id => new Gathering<TaskCompletionSource<DateTimeOffset?>>(askers => ReadAsync(id, askers), (asker, ex) => asker.TrySetException(ex))).Add(answer);
        return answer.Task.WaitAsync(ct);
    }

    /// <summary>One read of the period's row, for everyone who asked while the last one was out (its failure is theirs).</summary>
    private async Task ReadAsync(string periodId, IReadOnlyList<TaskCompletionSource<DateTimeOffset?>> askers)
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var row = await Table.GetEntityIfExistsAsync<PeriodStateEntity>(PeriodStateEntity.Partition, periodId, cancellationToken: timeout.Token);
        var closedAt = row.HasValue ? row.Value!.FinalizedAt : null;
        foreach (var asker in askers)
        {
            asker.TrySetResult(closedAt);
        }
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
