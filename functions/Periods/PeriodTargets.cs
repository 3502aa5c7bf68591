using DanVan.Auth;
using DanVan.Changes;
using DanVan.Decisions;
using DanVan.Domain;
using DanVan.Registry;

namespace DanVan.Periods;

/// <summary>Who acts, for which unit and period (a report, a figures entry, a template): decided by <see cref="PeriodTargets"/> before any body is read.</summary>
public sealed record PeriodTarget(Caller Caller, Unit Unit, Period Period);

/// <summary>
/// Who may act on a period: the unit (a unit for itself; the admin names it), the period (known, open, not finalized) and
/// the unit required in it, with the unit's own deadline when Sở Nội vụ extended it. Every write of a unit into a period
/// (reports, figures) is targeted here first.
/// </summary>
public sealed class PeriodTargets(PeriodCatalog periods, PeriodGate gate, UnitRegistry registry, DecisionStore decisions, TimeProvider clock)
{
    /// <summary>
    /// The target of <paramref name="caller"/>'s act in <paramref name="periodId"/>, for itself or (the admin) for
    /// <paramref name="unitParameter"/>; or the refusal. The unit's registry record is the one its credential check read
    /// in this request when there is one. The period's gate is read once the unit is known to be registered: finalization
    /// fences every unit registered after it shut the gate, so a unit registered later must find the gate shut.
    /// </summary>
    public async Task<PeriodTarget> ForAsync(Caller caller, string periodId, string? unitParameter, CancellationToken ct)
    {
        var unitCode = UnitFor(caller, unitParameter ?? "");
        var period = OpenPeriod(periodId);
        var pid = period.Id.ToString();

        // The unit (unless this request read it already), then the gate, with the unit's decisions beside them.
        var decisionsLookup = decisions.GetAsync(pid, unitCode, ct);
        var registered = caller.Registered is { } own && own.Code == unitCode ? own : null;
        Task<DateTimeOffset?>? finalizedAt = registered is null ? null : gate.ClosedAtAsync(pid, ct);
        var unit = registered ?? await registry.FindAsync(unitCode, ct);
        finalizedAt ??= gate.ClosedAtAsync(pid, ct);
        await Task.WhenAll(finalizedAt, decisionsLookup);
        if (await finalizedAt is { } finalized)
        {
            throw PeriodRefusals.Finalized(period, finalized);
        }

        if (unit is null)
        {
            throw DomainException.UnknownUnit(unitCode);
        }

        if (!unit.IsRequiredFor(period))
        {
            throw PeriodRefusals.UnitInactive(unit, period);
        }

        // A unit whose deadline Sở Nội vụ extended is judged against its own deadline: its receipts say so.
        var decided = await decisionsLookup;
        return new PeriodTarget(caller, unit, decided is null ? period : period with { Deadline = decided.Decisions.DeadlineFor(period) });
    }

    /// <summary>A unit acts for itself; the admin names the unit with <c>?unit=</c>.</summary>
    private static string UnitFor(Caller caller, string requested)
    {
        if (caller.IsAdmin)
        {
            return string.IsNullOrWhiteSpace(requested) ? throw PeriodRefusals.UnitRequired() : requested.Trim();
        }

        return requested.Length == 0 || caller.MayActFor(requested) ? caller.UnitCode! : throw DomainException.Forbidden();
    }

    private Period OpenPeriod(string periodId)
    {
        var period = periods.Get(periodId);
        return period.IsOpenAt(clock.GetUtcNow()) ? period : throw PeriodRefusals.NotOpen(period);
    }
}
