using Azure;
using Azure.Data.Tables;
using DanVan.Domain;
using DanVan.Storage;
using DanVan.Changes;
using DanVan.Registry;
using DanVan.Submissions;

namespace DanVan.Periods;

/// <summary>
/// Table <c>periods</c>: the only state a period has beyond the plan, written when Sở Nội vụ
/// finalizes it. PartitionKey "period", RowKey = the period id.
/// </summary>
public sealed class PeriodStateEntity : ITableEntity
{
    public const string Partition = "period";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset? FinalizedAt { get; set; }
    public string? FinalizedBy { get; set; }
}

/// <summary>The periods of the plan, as of now, with their finalization state.</summary>
public sealed class PeriodCatalog(
    ReportingPlan plan, DanVanStore store, SubmissionStore submissions, IEnumerable<IFencedTable> fenced, UnitRegistry registry, TimeProvider clock) : ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.PeriodsTable;

    public ReportingPlan Plan { get; } = plan;

    /// <summary>The period, or the domain's <c>unknown_period</c> refusal.</summary>
    public Period Get(string periodId) => Plan.Get(periodId, clock);

    /// <summary>Periods of every tracked year up to this one, plus later ones already open; by deadline.</summary>
    public IReadOnlyList<Period> Current()
    {
        var now = clock.GetUtcNow();
        var year = VietnamTime.DateOf(now).Year;
        return Plan.PeriodsThrough(year + 1).Where(p => p.Id.Year <= year || p.IsOpenAt(now)).ToList();
    }

    public async Task<DateTimeOffset?> FinalizedAtAsync(string periodId, CancellationToken ct = default)
    {
        var row = await store.Periods.GetEntityIfExistsAsync<PeriodStateEntity>(PeriodStateEntity.Partition, periodId, cancellationToken: ct);
        return row.HasValue ? row.Value!.FinalizedAt : null;
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> FinalizedAsync(CancellationToken ct = default)
    {
        var result = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var e in store.Periods.QueryAsync<PeriodStateEntity>(e => e.PartitionKey == PeriodStateEntity.Partition, cancellationToken: ct))
        {
            if (e.FinalizedAt is { } at)
            {
                result[e.RowKey] = at;
            }
        }

        return result;
    }

    /// <summary>
    /// Marks the period finalized; returns false if it already was (the first instant stays). No row is written by every
    /// write of a period, so finalization closes it in two steps, rare and allowed to be slow:
    /// <list type="number">
    /// <item>the period's gate is shut (<see cref="SubmissionStore.CloseAsync"/>): every upload, decision and figures entry
    /// reads it before its write, so one that reads it from now on is refused;</item>
    /// <item>every unit's own rows are fenced (its submissions head, its decisions row, its figures head; each unit of the
    /// registry, read after the gate was shut, and each unit with such a row): a write that read the gate open is still
    /// conditional on its unit's row, which the fence changes, so it either was stored before the fence or fails.</item>
    /// </list>
    /// A write's unit is in the registry before the write reads the gate (the target is checked first) and units are never
    /// removed, so the registry read after the gate holds every unit that can still write. Then the period is recorded here
    /// for listing. A repeated call fences again (harmless) and completes a recording that a failure interrupted, with the
    /// instant the period was closed at.
    /// </summary>
    public async Task<bool> MarkFinalizedAsync(string periodId, string actor, CancellationToken ct = default)
    {
        var (closedAt, newly) = await submissions.CloseAsync(periodId, clock.GetUtcNow(), actor, ct);
        var units = (await registry.ListAsync(ct)).Select(u => u.Code).ToList();
        await Task.WhenAll(fenced.Select(table => table.FenceAsync(periodId, units, closedAt, ct)));
        try
        {
            await store.Periods.AddEntityAsync(new PeriodStateEntity { RowKey = periodId, FinalizedAt = closedAt, FinalizedBy = actor }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Recorded already (by an earlier call, or by this one's lost reply).
        }

        return newly;
    }
}

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Periods</c> is
/// <see cref="PeriodCatalog"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Periods => store.Table<PeriodCatalog>();
    }
}
