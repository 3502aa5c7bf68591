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

/// <summary>What a unit's own row in a period is made from, as cached in the period changes index.</summary>
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
/// for a unit caller, its own head and decisions cached at the period's stamp (its own rows, one query). Only a period
/// whose marker moved (or has a change in flight) is read (heads and decisions; for a unit, its own two rows), side by side
/// up to <see cref="DanVanOptions.MaxParallelism"/>, and what was read is cached at the marker read before it.
/// </summary>
public sealed class PeriodCounts(
    PeriodCatalog periods,
    UnitRegistry registry,
    SubmissionStore submissions,
    DecisionStore decisions,
    PeriodChangeStore changes,
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
        return await EachAsync(list, async (period, token) =>
        {
            var id = period.Id.ToString();
            var finalizedAt = finalized.TryGetValue(id, out var at) ? at : (DateTimeOffset?)null;
            var read = index.GetValueOrDefault(id) ?? PeriodChanges.None(id);
            var marker = CompilationMarker.Of(period, compilation.Value.ProvinceName, registryMark, read.Stamp);
            if (marker is not null && read.CountsMarker == marker && CompilationRecord.ParseCounts(read.Counts) is { } cached)
            {
                return new PeriodFigures(period, finalizedAt, cached, null);
            }

            var headsTask = submissions.HeadsAsync(id, token);
            var decidedTask = decisions.ForPeriodAsync(id, token);
            var (heads, decided) = (await headsTask, await decidedTask);
            var counts = StatusReport.Build(period, finalizedAt, units, heads, decided).Counts;
            if (marker is not null)
            {
                await changes.RecordCountsAsync(read, marker, CompilationRecord.FormatCounts(counts), token);
            }

            return new PeriodFigures(period, finalizedAt, counts, null);
        }, ct);
    }

    public async Task<IReadOnlyList<PeriodFigures>> ForUnitAsync(string unitCode, CancellationToken ct = default)
    {
        var list = periods.Current();
        var unitTask = registry.FindAsync(unitCode, ct);
        var finalizedTask = periods.FinalizedAsync(ct);
        var indexTask = changes.ReadAsync(ct);
        var rowsTask = changes.UnitRowsAsync(unitCode, ct);
        var (unit, finalized, index, rows) = (await unitTask, await finalizedTask, await indexTask, await rowsTask);
        IReadOnlyList<Unit> units = unit is null ? [] : [unit];
        return await EachAsync(list, async (period, token) =>
        {
            var id = period.Id.ToString();
            var finalizedAt = finalized.TryGetValue(id, out var at) ? at : (DateTimeOffset?)null;
            var heads = new Dictionary<string, SubmissionHead>(StringComparer.Ordinal);
            var decided = new Dictionary<string, UnitDecisions>(StringComparer.Ordinal);
            if (unit is not null)
            {
                var stamp = (index.GetValueOrDefault(id) ?? PeriodChanges.None(id)).Stamp;
                var sources = await SourcesAsync(unit.Code, id, stamp, rows.GetValueOrDefault(id), token);
                if (sources.Head is { } h)
                {
                    heads[h.UnitCode] = h;
                }

                if (sources.Decisions is { } d)
                {
                    decided[unit.Code] = d;
                }
            }

            var row = StatusReport.Build(period, finalizedAt, units, heads, decided).Rows.FirstOrDefault();
            return new PeriodFigures(period, finalizedAt, CountsOf(row), row);
        }, ct);
    }

    /// <summary>
    /// The unit's head and decisions in the period: as cached when the period's stamp is still the one they were read at,
    /// otherwise read (two point reads) and cached at the stamp read before them (not while a change is in flight).
    /// </summary>
    private async Task<UnitPeriodSources> SourcesAsync(string unitCode, string periodId, long? stamp, UnitPeriodEntity? cached, CancellationToken ct)
    {
        if (stamp is not null && cached?.Stamp == stamp && UnitPeriodSources.Parse(cached.Sources) is { } kept)
        {
            return kept;
        }

        var headTask = submissions.HeadAsync(periodId, unitCode, ct);
        var decisionTask = decisions.GetAsync(periodId, unitCode, ct);
        var (h, d) = (await headTask, await decisionTask);
        var sources = new UnitPeriodSources(
            h is null ? null : new SubmissionHead(h.UnitCode, h.LatestVersion, h.LatestReceivedAt, h.LatestSha256, h.LatestReceiptId, h.LatestSignatures),
            d?.Decisions);
        if (stamp is { } s)
        {
            await changes.RecordUnitAsync(unitCode, periodId, s, sources.ToText(), ct);
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

    private async Task<IReadOnlyList<PeriodFigures>> EachAsync(IReadOnlyList<Period> list, Func<Period, CancellationToken, Task<PeriodFigures>> figure, CancellationToken ct)
    {
        var results = new PeriodFigures[list.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(0, list.Count), parallel, async (i, token) => results[i] = await figure(list[i], token));
        return results;
    }
}
