using DanVan.Domain;
using DanVan.Registry;
using DanVan.Submissions;

namespace DanVan.Periods;

/// <summary>One unit's line in a period's status table.</summary>
public sealed record StatusRow(
    string UnitCode,
    string UnitName,
    string Group,
    SubmissionStatus Status,
    int? LatestVersion,
    DateTimeOffset? ReceivedAt,
    int VersionCount,
    Signatures.SignatureReport? Signatures = null);

public sealed record StatusCounts(int Required, int Submitted, int OnTime, int Late, int Missing);

/// <summary>The status of every relevant unit for one period: the shared input of the status API, reminders and compilation.</summary>
public sealed record StatusReport(Period Period, DateTimeOffset? FinalizedAt, IReadOnlyList<StatusRow> Rows, IReadOnlyList<Unit> Units, IReadOnlyDictionary<string, SubmissionHead> Heads)
{
    public StatusCounts Counts => new(
        Rows.Count(r => r.Status != SubmissionStatus.NotRequired),
        Rows.Count(r => r.Status is SubmissionStatus.OnTime or SubmissionStatus.Late),
        Rows.Count(r => r.Status == SubmissionStatus.OnTime),
        Rows.Count(r => r.Status == SubmissionStatus.Late),
        Rows.Count(r => r.Status == SubmissionStatus.Missing));

    /// <summary>
    /// Rows for the units that matter to the period: every unit active at some time between the period's
    /// opening and its last on-time day, and any unit that uploaded. In Vietnamese name order.
    /// </summary>
    public static StatusReport Build(Period period, DateTimeOffset? finalizedAt, IReadOnlyList<Unit> units, IReadOnlyDictionary<string, SubmissionHead> heads)
    {
        var opens = VietnamTime.DateOf(period.OpensAt);
        var relevant = units
            .Where(u => heads.ContainsKey(u.Code) || (u.ActiveFrom <= period.LastOnTimeDay && (u.ActiveTo is null || u.ActiveTo >= opens)))
            .OrderBy(u => u.Name, VietnamTime.NameComparer)
            .ThenBy(u => u.Code, StringComparer.Ordinal)
            .ToList();
        var rows = relevant.Select(u =>
        {
            heads.TryGetValue(u.Code, out var head);
            return new StatusRow(
                u.Code,
                u.Name,
                u.Group,
                SubmissionStatuses.Of(u, period, head?.LatestReceivedAt),
                head?.LatestVersion,
                head?.LatestReceivedAt,
                head?.LatestVersion ?? 0,
                Signatures.SignatureReport.FromJson(head?.LatestSignatures));
        }).ToList();
        return new StatusReport(period, finalizedAt, rows, relevant, heads);
    }
}

/// <summary>Builds status reports from storage.</summary>
public sealed class StatusService(PeriodCatalog periods, UnitRegistry registry, SubmissionStore submissions)
{
    public async Task<StatusReport> ForAsync(Period period, CancellationToken ct = default) => (await ForAsync([period], ct))[0];

    /// <summary>Several periods at once: the registry and the finalized periods are read once, each period's heads in parallel.</summary>
    public async Task<IReadOnlyList<StatusReport>> ForAsync(IReadOnlyList<Period> list, CancellationToken ct = default)
    {
        var units = registry.ListAsync(ct);
        var finalized = periods.FinalizedAsync(ct);
        var heads = list.Select(p => submissions.HeadsAsync(p.Id.ToString(), ct)).ToList();
        await Task.WhenAll(heads);
        var (allUnits, allFinalized) = (await units, await finalized);
        return list.Select((p, i) => StatusReport.Build(
            p,
            allFinalized.TryGetValue(p.Id.ToString(), out var at) ? at : null,
            allUnits,
            heads[i].Result)).ToList();
    }
}
