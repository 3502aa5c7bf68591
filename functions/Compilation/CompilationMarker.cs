using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DanVan.Decisions;
using DanVan.Domain;
using DanVan.Figures;
using DanVan.Submissions;
using Microsoft.Extensions.Options;

namespace DanVan.Compilation;

/// <summary>
/// A cheap stand-in for <see cref="CompilationInputs.Fingerprint"/>: what a bundle's inputs are made from,
/// without reading them. A bundle depends on the period, the province, the registry (which units are listed,
/// under which names), the period's submissions (every committed version bumps the period's version count,
/// <see cref="Submissions.PeriodSubmissionsEntity.Versions"/>, in the same transaction), Sở Nội vụ's decisions and the
/// figures units entered (each change bumps a unit's revision or version), so equal markers mean equal inputs and the
/// nightly timer can skip a period after a few small reads (<see cref="CompilationMarkerReader"/>) instead of gathering it.
/// </summary>
public static class CompilationMarker
{
    /// <summary>The part every period shares: a hash of the registry's units as a bundle shows them.</summary>
    public static string OfRegistry(IEnumerable<Unit> units)
    {
        var text = new StringBuilder();
        foreach (var u in units.OrderBy(u => u.Code, StringComparer.Ordinal))
        {
            text.Append(u.Code).Append('\u001f').Append(u.Name).Append('\u001f').Append(u.Group).Append('\u001f')
                .Append(u.ActiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\u001f')
                .Append(u.ActiveTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <param name="decisions">The period's decisions as <see cref="Decisions.DecisionStore.MarkAsync"/> gives them.</param>
    /// <param name="figures">The period's figures as <see cref="Figures.FigureStore.MarkAsync"/> gives them.</param>
    public static string Of(Period period, string province, string registry, int versionsCommitted, string decisions, string figures)
    {
        var text = string.Join('\u001f',
            CompilationInputs.LayoutVersion, period.Id, period.Title, period.Deadline.UtcTicks.ToString(CultureInfo.InvariantCulture),
            province, registry, versionsCommitted.ToString(CultureInfo.InvariantCulture), decisions, figures);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>Reads what a period's <see cref="CompilationMarker"/> is made from, now: the one way the timer and <c>GET /api/periods</c> do it.</summary>
public sealed class CompilationMarkerReader(SubmissionStore submissions, DecisionStore decisions, FigureStore figures, IOptions<CompilationOptions> options)
{
    /// <summary>
    /// The period's marker and its submissions row (null: nothing committed yet). Read before a gather, so a change
    /// committed in between makes the marker older than the bundle (the next run gathers again), never newer.
    /// </summary>
    public async Task<(string Marker, PeriodSubmissionsEntity? State)> ReadAsync(Period period, string registryMark, CancellationToken ct = default)
    {
        var id = period.Id.ToString();
        var stateTask = submissions.PeriodStateAsync(id, ct);
        var decisionsTask = decisions.MarkAsync(id, ct);
        var figuresTask = figures.MarkAsync(id, ct);
        var (state, decided, entered) = (await stateTask, await decisionsTask, await figuresTask);
        return (CompilationMarker.Of(period, options.Value.ProvinceName, registryMark, state?.Versions ?? 0, decided, entered), state);
    }
}
