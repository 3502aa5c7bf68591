using System.Text.Json;
using DanVan.Changes;
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

/// <summary>What a unit's own row in a period is made from, as cached (<see cref="UnitPeriodCache"/>).</summary>
public sealed record UnitPeriodSources(SubmissionHead? Head, UnitDecisions? Decisions)
{
    /// <summary>Bumped whenever this shape changes, so rows cached by an older DanVan are read again.</summary>
    private const string Format = "1:";

    public string ToText() => Format + JsonSerializer.Serialize(this);

    public static UnitPeriodSources? Parse(string text)
    {
        if (!text.StartsWith(Format, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<UnitPeriodSources>(text.AsSpan(Format.Length));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// The figures of every current period. Every period's stamp comes from the period changes index in one query
/// (<see cref="PeriodChangeStore"/>), so a period unchanged since its figures were worked out costs no read of its own:
/// for the admin, the counts cached at the period's <see cref="CompilationMarker"/> (by the compiler or an earlier call);
/// for a unit caller, its own head and decisions cached at the period's stamp (<see cref="UnitPeriodCache"/>, one query). Only a period
/// whose marker moved (or has a change in flight) is read (heads and decisions; for a unit, its own two rows), side by side
/// up to <see cref="DanVanOptions.MaxParallelism"/>, and what was read is cached at the marker read before it.
/// </summary>
public sealed class PeriodCounts(
    PeriodCatalog periods,
    UnitRegistry registry,
    SubmissionStore submissions,
    DecisionStore decisions,
    PeriodChangeStore changes,
    UnitPeriodCache unitRows,
    IOptions<CompilationOptions> compilation,
    IOptions<DanVanOptions> options)
{
    public async Task<IReadOnlyList<PeriodFigures>> ForAdminAsync(CancellationToken ct = default)
    {
        var list = periods.Current();
        var unitsTask = registry.ListAsync(ct);
        var finalizedTask = periods.FinalizedAsync(ct);
        var indexTask = changes.ReadAsync(ct);
        var (units, finalized, index) = (await unitsTask, await finalizedTask, await indexTask);
        var registryMark = CompilationMarker.OfRegistry(units);

        (PeriodChanges Read, string? Marker, DateTimeOffset? FinalizedAt) Of(Period period)
        {
            var id = period.Id.ToString();
            var read = index.GetValueOrDefault(id) ?? PeriodChanges.None(id);
            return (read, CompilationMarker.Of(period, compilation.Value.ProvinceName, registryMark, read.Stamp), finalized.TryGetValue(id, out var at) ? at : null);
        }

        return await EachAsync(
            list,
            period =>
            {
                var (read, marker, finalizedAt) = Of(period);
                return marker is not null && read.CountsMarker == marker && CompilationRecord.ParseCounts(read.Counts) is { } cached
                    ? new PeriodFigures(period, finalizedAt, cached, null)
                    : null;
            },
            async (period, token) =>
            {
                var (read, marker, finalizedAt) = Of(period);
                var id = period.Id.ToString();
                var headsTask = submissions.HeadsAsync(id, token);
                var decidedTask = decisions.ForPeriodAsync(id, token);
                var (heads, decided) = (await headsTask, await decidedTask);
                var counts = StatusReport.Build(period, finalizedAt, units, heads, decided).Counts;
                if (marker is not null)
                {
                    await changes.RecordCountsAsync(read, marker, CompilationRecord.FormatCounts(counts), token);
                }

                return new PeriodFigures(period, finalizedAt, counts, null);
            },
            ct);
    }

    public async Task<IReadOnlyList<PeriodFigures>> ForUnitAsync(string unitCode, CancellationToken ct = default)
    {
        var list = periods.Current();
        var unitTask = registry.FindAsync(unitCode, ct);
        var finalizedTask = periods.FinalizedAsync(ct);
        var indexTask = changes.ReadAsync(ct);
        var rowsTask = unitRows.RowsAsync(unitCode, ct);
        var (unit, finalized, index, rows) = (await unitTask, await finalizedTask, await indexTask, await rowsTask);

        PeriodFigures Figures(Period period, UnitPeriodSources? sources)
        {
            var id = period.Id.ToString();
            var finalizedAt = finalized.TryGetValue(id, out var at) ? at : (DateTimeOffset?)null;
            var row = StatusReport.OfUnit(period, finalizedAt, unit, sources?.Head, sources?.Decisions).Rows.FirstOrDefault();
            return new PeriodFigures(period, finalizedAt, CountsOf(row), row);
        }

        long? StampOf(Period period) => (index.GetValueOrDefault(period.Id.ToString()) ?? PeriodChanges.None(period.Id.ToString())).Stamp;

        return await EachAsync(
            list,
            period =>
            {
                if (unit is null)
                {
                    return Figures(period, null);
                }

                var cached = rows.GetValueOrDefault(period.Id.ToString());
                return StampOf(period) is { } stamp && cached?.Stamp == stamp && UnitPeriodSources.Parse(cached.Sources) is { } kept ? Figures(period, kept) : null;
            },
            async (period, token) => Figures(period, await ReadSourcesAsync(unit!.Code, period.Id.ToString(), StampOf(period), token)),
            ct);
    }

    /// <summary>
    /// The unit's head and decisions in the period, read (two point reads) when the period's stamp moved since they were
    /// cached, and cached at the stamp read before them (not while a change is in flight).
    /// </summary>
    private async Task<UnitPeriodSources> ReadSourcesAsync(string unitCode, string periodId, long? stamp, CancellationToken ct)
    {
        var headTask = submissions.HeadAsync(periodId, unitCode, ct);
        var decisionTask = decisions.GetAsync(periodId, unitCode, ct);
        var (h, d) = (await headTask, await decisionTask);
        var sources = new UnitPeriodSources(
            h,
            d?.Decisions);
        if (stamp is { } s)
        {
            await unitRows.RecordAsync(unitCode, periodId, s, sources.ToText(), ct);
        }

        return sources;
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

    /// <summary>
    /// Each period's figures: from <paramref name="cached"/> where it has them (no await, no read), the others read side by
    /// side up to <see cref="DanVanOptions.MaxParallelism"/>.
    /// </summary>
    private async Task<IReadOnlyList<PeriodFigures>> EachAsync(
        IReadOnlyList<Period> list, Func<Period, PeriodFigures?> cached, Func<Period, CancellationToken, Task<PeriodFigures>> read, CancellationToken ct)
    {
        var results = list.Select(cached).ToArray();
        var misses = Enumerable.Range(0, list.Count).Where(i => results[i] is null).ToList();
        if (misses.Count > 0)
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelism, CancellationToken = ct };
            await Parallel.ForEachAsync(misses, parallel, async (i, token) => results[i] = await read(list[i], token));
        }

        return results!;
    }
}
