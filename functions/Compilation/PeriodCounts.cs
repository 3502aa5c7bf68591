using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Submissions;
using Microsoft.Extensions.Options;

namespace DanVan.Compilation;

/// <summary>One period's line in <c>GET /api/periods</c>: its figures and, for a unit caller, the unit's own status.</summary>
public sealed record PeriodFigures(Period Period, DateTimeOffset? FinalizedAt, StatusCounts Counts, SubmissionStatus? MyStatus);

/// <summary>
/// The figures of every current period, at a cost that follows the periods that changed rather than the years of
/// history. For the admin, a period whose latest compilation is current (its <see cref="CompilationMarker"/> equals
/// the period's now: two small reads) answers with the counts recorded on it; only the others have their heads read
/// and counted. A unit caller's figures are its own row only: its registry row once and its head in each period
/// (a point read), never every unit's rows.
/// </summary>
public sealed class PeriodCounts(
    PeriodCatalog periods,
    UnitRegistry registry,
    SubmissionStore submissions,
    CompilationStore compilations,
    IOptions<CompilationOptions> compilationOptions,
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
            var stateTask = submissions.PeriodStateAsync(id, token);
            var (latest, state) = (await latestTask, await stateTask);
            if (latest is not null && latest.InputsMarker == CompilationMarker.Of(period, compilationOptions.Value.ProvinceName, registryMark, state?.Versions ?? 0))
            {
                return new PeriodFigures(period, finalizedAt, new StatusCounts(latest.Required, latest.OnTime + latest.Late, latest.OnTime, latest.Late, latest.Missing), null);
            }

            var heads = await submissions.HeadsAsync(id, token);
            return new PeriodFigures(period, finalizedAt, StatusReport.Build(period, finalizedAt, units, heads).Counts, null);
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
            if (unit is not null && await submissions.HeadAsync(id, unit.Code, token) is { } h)
            {
                heads[h.UnitCode] = new SubmissionHead(h.UnitCode, h.LatestVersion, h.LatestReceivedAt, h.LatestSha256, h.LatestReceiptId);
            }

            var row = StatusReport.Build(period, finalizedAt, units, heads).Rows.FirstOrDefault();
            return new PeriodFigures(period, finalizedAt, CountsOf(row), row?.Status);
        }, ct);
    }

    /// <summary>A unit sees the figures of its own row only.</summary>
    private static StatusCounts CountsOf(StatusRow? row) => new(
        row is not null && row.Status != SubmissionStatus.NotRequired ? 1 : 0,
        row?.Status is SubmissionStatus.OnTime or SubmissionStatus.Late ? 1 : 0,
        row?.Status == SubmissionStatus.OnTime ? 1 : 0,
        row?.Status == SubmissionStatus.Late ? 1 : 0,
        row?.Status == SubmissionStatus.Missing ? 1 : 0);

    private async Task<IReadOnlyList<PeriodFigures>> EachAsync(IReadOnlyList<Period> list, Func<Period, CancellationToken, Task<PeriodFigures>> figure, CancellationToken ct)
    {
        var results = new PeriodFigures[list.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(0, list.Count), parallel, async (i, token) => results[i] = await figure(list[i], token));
        return results;
    }
}
