using DanVan.Configuration;
using DanVan.Decisions;
using DanVan.Domain;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Submissions;
using Microsoft.Extensions.Options;

namespace DanVan.Compilation;

/// <summary>One period's line in <c>GET /api/periods</c>: its figures and, for a unit caller, the unit's own row.</summary>
public sealed record PeriodFigures(Period Period, DateTimeOffset? FinalizedAt, StatusCounts Counts, StatusRow? Mine);

/// <summary>
/// The figures of every current period, periods read side by side up to <see cref="DanVanOptions.MaxParallelism"/>.
/// For the admin, a period whose latest compilation is current (its <see cref="CompilationMarker"/> equals the period's
/// now, read by <see cref="CompilationMarkerReader"/>: a few small reads) answers with the counts recorded on it; only the
/// others have their heads and decisions read and counted (two range queries). A unit caller's figures are its own row only: its registry
/// row once, its head and its decisions in each period (point reads), never every unit's rows.
/// </summary>
public sealed class PeriodCounts(
    PeriodCatalog periods,
    UnitRegistry registry,
    SubmissionStore submissions,
    DecisionStore decisions,
    CompilationStore compilations,
    CompilationMarkerReader markers,
    IOptions<DanVanOptions> options)
{
    public async Task<IReadOnlyList<PeriodFigures>> ForAdminAsync(CancellationToken ct = default)
    {
        var list = periods.Current();
        var unitsTask = registry.ListAsync(ct);
        var finalizedTask = periods.FinalizedAsync(ct);
        var (units, finalized) = (await unitsTask, await finalizedTask);
        var registryMark = CompilationMarker.OfRegistry(units);
        return await EachAsync(list, async (period, token) =>
        {
            var id = period.Id.ToString();
            var finalizedAt = finalized.TryGetValue(id, out var at) ? at : (DateTimeOffset?)null;
            var latestTask = compilations.LatestAsync(id, token);
            var markerTask = markers.ReadAsync(period, registryMark, token);
            var (latest, (marker, _)) = (await latestTask, await markerTask);
            if (latest is { Counts: { } recorded } && latest.InputsMarker == marker)
            {
                return new PeriodFigures(period, finalizedAt, recorded, null);
            }

            var headsTask = submissions.HeadsAsync(id, token);
            var decidedTask = decisions.ForPeriodAsync(id, token);
            var (heads, decided) = (await headsTask, await decidedTask);
            return new PeriodFigures(period, finalizedAt, StatusReport.Build(period, finalizedAt, units, heads, decided).Counts, null);
        }, ct);
    }

    public async Task<IReadOnlyList<PeriodFigures>> ForUnitAsync(string unitCode, CancellationToken ct = default)
    {
        var list = periods.Current();
        var unitTask = registry.FindAsync(unitCode, ct);
        var finalizedTask = periods.FinalizedAsync(ct);
        var (unit, finalized) = (await unitTask, await finalizedTask);
        IReadOnlyList<Unit> units = unit is null ? [] : [unit];
        return await EachAsync(list, async (period, token) =>
        {
            var id = period.Id.ToString();
            var finalizedAt = finalized.TryGetValue(id, out var at) ? at : (DateTimeOffset?)null;
            var heads = new Dictionary<string, SubmissionHead>(StringComparer.Ordinal);
            var decided = new Dictionary<string, UnitDecisions>(StringComparer.Ordinal);
            if (unit is not null)
            {
                var headTask = submissions.HeadAsync(id, unit.Code, token);
                var decisionTask = decisions.GetAsync(id, unit.Code, token);
                if (await headTask is { } h)
                {
                    heads[h.UnitCode] = new SubmissionHead(h.UnitCode, h.LatestVersion, h.LatestReceivedAt, h.LatestSha256, h.LatestReceiptId);
                }

                if (await decisionTask is { } d)
                {
                    decided[unit.Code] = d.Decisions;
                }
            }

            var row = StatusReport.Build(period, finalizedAt, units, heads, decided).Rows.FirstOrDefault();
            return new PeriodFigures(period, finalizedAt, CountsOf(row), row);
        }, ct);
    }

    /// <summary>A unit sees the figures of its own row only.</summary>
    public static StatusCounts CountsOf(StatusRow? row) => new(
        row is not null && row.Status is not (SubmissionStatus.NotRequired or SubmissionStatus.Exempt) ? 1 : 0,
        row?.Status is SubmissionStatus.OnTime or SubmissionStatus.Late ? 1 : 0,
        row?.Status == SubmissionStatus.OnTime ? 1 : 0,
        row?.Status == SubmissionStatus.Late ? 1 : 0,
        row?.Status == SubmissionStatus.Missing ? 1 : 0,
        row?.Status == SubmissionStatus.Exempt ? 1 : 0,
        row?.ExtendedTo is not null ? 1 : 0,
        row?.Review == ReviewState.Accepted ? 1 : 0,
        row?.Review == ReviewState.Returned ? 1 : 0,
        row?.Review == ReviewState.Pending ? 1 : 0);

    private async Task<IReadOnlyList<PeriodFigures>> EachAsync(IReadOnlyList<Period> list, Func<Period, CancellationToken, Task<PeriodFigures>> figure, CancellationToken ct)
    {
        var results = new PeriodFigures[list.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(0, list.Count), parallel, async (i, token) => results[i] = await figure(list[i], token));
        return results;
    }
}
