using DanVan.Changes;
using DanVan.Domain;
using DanVan.Registry;

namespace DanVan.Periods;

/// <summary>The periods of the plan, as of now, with their finalization state.</summary>
public sealed class PeriodCatalog(
    ReportingPlan plan, PeriodGate gate, IEnumerable<IFencedTable> fenced, UnitRegistry registry, TimeProvider clock)
{
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

    /// <summary>When the period was finalized (its one record, <see cref="PeriodGate"/>), or null.</summary>
    public Task<DateTimeOffset?> FinalizedAtAsync(string periodId, CancellationToken ct = default) => gate.ClosedAtAsync(periodId, ct);

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> FinalizedAsync(CancellationToken ct = default) => gate.ClosedAsync(ct);

    /// <summary>
    /// Marks the period finalized; returns false if it already was (the first instant stays). No row is written by every
    /// write of a period, so finalization closes it in two steps, rare and allowed to be slow:
    /// <list type="number">
    /// <item>the period's gate, its one finalization record, is shut (<see cref="PeriodGate.CloseAsync"/>): every upload,
    /// decision and figures entry reads it before its write, so one that reads it from now on is refused;</item>
    /// <item>every unit's own rows are fenced (its submissions head, its decisions row, its figures head; each unit of the
    /// registry, read after the gate was shut, and each unit with such a row): a write that read the gate open is still
    /// conditional on its unit's row, which the fence changes, so it either was stored before the fence or fails.</item>
    /// </list>
    /// A write's unit is in the registry before the write reads the gate (the target is checked first) and units are never
    /// removed, so the registry read after the gate holds every unit that can still write. A repeated call fences again
    /// (harmless) and completes fencing that a failure interrupted, with the instant the period was closed at.
    /// </summary>
    public async Task<bool> MarkFinalizedAsync(string periodId, string actor, CancellationToken ct = default)
    {
        var (closedAt, newly) = await gate.CloseAsync(periodId, clock.GetUtcNow(), actor, ct);
        var units = (await registry.ListAsync(ct)).Select(u => u.Code).ToList();
        await Task.WhenAll(fenced.Select(table => table.FenceAsync(periodId, units, closedAt, ct)));
        return newly;
    }
}
