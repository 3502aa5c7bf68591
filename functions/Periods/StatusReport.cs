using DanVan.Decisions;
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
    Signatures.SignatureReport? Signatures = null,
    UnitDecisions? Decisions = null)
{
    /// <summary>The review of the latest version (null: nothing uploaded).</summary>
    public ReviewState? Review => (Decisions ?? UnitDecisions.None(UnitCode)).ReviewOf(LatestVersion);

    /// <summary>The unit's own deadline when Sở Nội vụ extended it.</summary>
    public DateTimeOffset? ExtendedTo => Decisions?.Extension?.Deadline;

    /// <summary>The reason of a return of the latest version, for the unit to read.</summary>
    public string? ReturnReason => Review == ReviewState.Returned ? Decisions!.Review!.Reason : null;
}

/// <summary>A period's figures; the decision counts (exempt, extended, review of latest versions) follow the compliance ones.</summary>
public sealed record StatusCounts(int Required, int Submitted, int OnTime, int Late, int Missing, int Exempt = 0, int Extended = 0, int Accepted = 0, int Returned = 0, int AwaitingReview = 0);

/// <summary>The status of every relevant unit for one period: the shared input of the status API, reminders and compilation.</summary>
public sealed record StatusReport(Period Period, DateTimeOffset? FinalizedAt, IReadOnlyList<StatusRow> Rows, IReadOnlyList<Unit> Units, IReadOnlyDictionary<string, SubmissionHead> Heads)
{
    public StatusCounts Counts => new(
        Rows.Count(r => r.Status is not (SubmissionStatus.NotRequired or SubmissionStatus.Exempt)),
        Rows.Count(r => r.Status is SubmissionStatus.OnTime or SubmissionStatus.Late),
        Rows.Count(r => r.Status == SubmissionStatus.OnTime),
        Rows.Count(r => r.Status == SubmissionStatus.Late),
        Rows.Count(r => r.Status == SubmissionStatus.Missing),
        Rows.Count(r => r.Status == SubmissionStatus.Exempt),
        Rows.Count(r => r.ExtendedTo is not null && r.Status != SubmissionStatus.NotRequired),
        Rows.Count(r => r.Review == ReviewState.Accepted),
        Rows.Count(r => r.Review == ReviewState.Returned),
        Rows.Count(r => r.Review == ReviewState.Pending));

    /// <summary>The report of one unit alone (what a unit caller sees): its row, if the unit matters to the period, from its head and decisions.</summary>
    public static StatusReport OfUnit(Period period, DateTimeOffset? finalizedAt, Unit? unit, SubmissionHead? head, UnitDecisions? decided)
    {
        var heads = new Dictionary<string, SubmissionHead>(StringComparer.Ordinal);
        var decisions = new Dictionary<string, UnitDecisions>(StringComparer.Ordinal);
        if (unit is null)
        {
            return Build(period, finalizedAt, [], heads, decisions);
        }

        if (head is not null)
        {
            heads[unit.Code] = head;
        }

        if (decided is not null)
        {
            decisions[unit.Code] = decided;
        }

        return Build(period, finalizedAt, [unit], heads, decisions);
    }

    /// <summary>
    /// Rows for the units that matter to the period: every unit active at some time between the period's
    /// opening and its last on-time day, and any unit that uploaded. In Vietnamese name order.
    /// </summary>
    public static StatusReport Build(Period period, DateTimeOffset? finalizedAt, IReadOnlyList<Unit> units, IReadOnlyDictionary<string, SubmissionHead> heads, IReadOnlyDictionary<string, UnitDecisions>? decisions = null)
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
            var decided = decisions?.GetValueOrDefault(u.Code);
            return new StatusRow(
                u.Code,
                u.Name,
                u.Group,
                SubmissionStatuses.Of(u, period, head?.LatestReceivedAt, decided),
                head?.LatestVersion,
                head?.LatestReceivedAt,
                head?.LatestVersion ?? 0,
                Signatures.SignatureReport.FromJson(head?.LatestSignatures),
                decided);
        }).ToList();
        return new StatusReport(period, finalizedAt, rows, relevant, heads);
    }
}

/// <summary>Builds status reports from storage.</summary>
public sealed class StatusService(PeriodCatalog periods, UnitRegistry registry, SubmissionStore submissions, DecisionStore decisionStore)
{
    public async Task<StatusReport> ForAsync(Period period, CancellationToken ct = default) => (await ForAsync([period], ct))[0];

    /// <summary>
    /// One unit's share of the period's status (what a unit caller may see: its own row), from point reads of its
    /// registry row, head and decisions, whatever the number of units.
    /// </summary>
    public async Task<StatusReport> ForUnitAsync(Period period, string unitCode, CancellationToken ct = default)
    {
        var pid = period.Id.ToString();
        var unit = registry.FindAsync(unitCode, ct);
        var finalizedAt = periods.FinalizedAtAsync(pid, ct);
        var head = submissions.HeadAsync(pid, unitCode, ct);
        var decided = decisionStore.GetAsync(pid, unitCode, ct);
        await Task.WhenAll(unit, finalizedAt, head, decided);
        return StatusReport.OfUnit(period, await finalizedAt, await unit, await head, (await decided)?.Decisions);
    }

    /// <summary>Several periods at once: the registry and the finalized periods are read once, each period's heads in parallel.</summary>
    public async Task<IReadOnlyList<StatusReport>> ForAsync(IReadOnlyList<Period> list, CancellationToken ct = default)
    {
        var units = registry.ListAsync(ct);
        var finalized = periods.FinalizedAsync(ct);
        var heads = list.Select(p => submissions.HeadsAsync(p.Id.ToString(), ct)).ToList();
        var decided = list.Select(p => decisionStore.ForPeriodAsync(p.Id.ToString(), ct)).ToList();
        await Task.WhenAll(heads);
        await Task.WhenAll(decided);
        var (allUnits, allFinalized) = (await units, await finalized);
        return list.Select((p, i) => StatusReport.Build(
            p,
            allFinalized.TryGetValue(p.Id.ToString(), out var at) ? at : null,
            allUnits,
            heads[i].Result,
            decided[i].Result)).ToList();
    }
}
