using System.Security.Cryptography;
using DanVan.Audit;
using DanVan.Domain;
using DanVan.Periods;
using DanVan.Uploads;
using Microsoft.Extensions.Logging;

namespace DanVan.Figures;

/// <summary>
/// The plan's indicators and the figures units enter against them: definitions read and replaced (a new
/// version each time, a period keeping the version it was first used with), entries checked and stored as
/// versions with a receipt, the XLSX template made and read back, and the totals.
/// </summary>
public sealed class FiguresService(
    ReportingPlan plan,
    IndicatorStore indicators,
    FigureStore figures,
    StatusService status,
    AuditLog audit,
    TimeProvider clock,
    ILogger<FiguresService> logger)
{
    public const string SourceJson = "json";
    public const string SourceXlsx = "xlsx";
    public const int MaxNoteLength = 1000;

    /// <summary>The newest definitions of a report code of the plan (H1, Y), or null when none were ever given.</summary>
    public async Task<IndicatorSet?> CurrentDefinitionsAsync(string reportCode, CancellationToken ct = default)
    {
        RequireReport(reportCode);
        return await indicators.LatestAsync(reportCode, ct);
    }

    /// <summary>Stores <paramref name="records"/> as the report code's next definitions version; periods already used keep theirs.</summary>
    public async Task<IndicatorSet> ReplaceDefinitionsAsync(string reportCode, IReadOnlyList<IndicatorRecord?> records, string actor, CancellationToken ct = default)
    {
        RequireReport(reportCode);
        var list = IndicatorRules.Validate(records);
        var set = await indicators.AddAsync(reportCode, list, clock.GetUtcNow(), actor, ct);
        await audit.RecordAsync(actor, AuditActions.IndicatorsPut, detail: $"{reportCode} v{set.Version} ({list.Count} chỉ tiêu)", ct: ct);
        logger.LogInformation("Indicators of {ReportCode} replaced: v{Version}, {Count} indicators", reportCode, set.Version, list.Count);
        return set;
    }

    /// <summary>The definitions the period uses (pinning it to the newest on first use), or null when there are none.</summary>
    public Task<IndicatorSet?> DefinitionsForAsync(Period period, CancellationToken ct = default) =>
        indicators.ForPeriodAsync(period.Id.ToString(), period.Id.Code, clock.GetUtcNow(), ct);

    /// <summary>Checks and stores one entry of figures as the unit's next version. Any bad figure refuses the whole entry.</summary>
    public async Task<FigureReceipt> EnterAsync(PeriodTarget target, IReadOnlyDictionary<string, RawFigure> raw, string source, string? note, CancellationToken ct = default)
    {
        var set = await DefinitionsForAsync(target.Period, ct) ?? throw FiguresProblems.NoIndicators(target.Period);
        return await StoreAsync(target, set, FigureRules.Check(set, raw, numbersAnswerYesNo: source != SourceJson), source, note, ct);
    }

    /// <summary>Reads a filled-in template (bounded), checks it is this period's and this unit's, then stores its figures.</summary>
    public async Task<FigureReceipt> EnterWorkbookAsync(PeriodTarget target, byte[] workbook, CancellationToken ct = default)
    {
        var set = await DefinitionsForAsync(target.Period, ct) ?? throw FiguresProblems.NoIndicators(target.Period);
        var reading = FigureWorkbookReader.Read(workbook);
        if (reading.PeriodId != target.Period.Id.ToString())
        {
            throw FiguresProblems.TemplateWrongPeriod(reading.PeriodId, target.Period);
        }

        if (reading.UnitCode != target.Unit.Code)
        {
            throw FiguresProblems.TemplateWrongUnit(reading.UnitCode, target.Unit);
        }

        if (reading.DefinitionsVersion != set.Version)
        {
            throw FiguresProblems.TemplateOutdated(reading.DefinitionsVersion, set.Version);
        }

        var raw = new Dictionary<string, RawFigure>(StringComparer.Ordinal);
        foreach (var (row, _, indicator) in FigureTemplate.Layout(set))
        {
            if (indicator is null)
            {
                continue;
            }

            var codeCell = FigureTemplate.CodeColumn + row.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (reading[codeCell].Text?.Trim() != indicator.Code)
            {
                throw FiguresProblems.TemplateAltered(codeCell);
            }

            raw[indicator.Code] = reading[FigureTemplate.ValueColumn + row.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        }

        return await StoreAsync(target, set, FigureRules.Check(set, raw), SourceXlsx, null, ct);
    }

    /// <summary>The template for the unit and period, pre-filled with its latest figures.</summary>
    public async Task<(byte[] Content, string FileName)> TemplateAsync(PeriodTarget target, CancellationToken ct = default)
    {
        var set = await DefinitionsForAsync(target.Period, ct) ?? throw FiguresProblems.NoIndicators(target.Period);
        var latest = (await figures.LatestAsync(target.Period.Id.ToString(), ct)).GetValueOrDefault(target.Unit.Code);
        var current = latest is not null && latest.DefinitionsVersion == set.Version ? latest.Values : null;
        return (FigureTemplate.Build(set, target.Period, target.Unit, current), FigureTemplate.FileName(target.Period, target.Unit));
    }

    public async Task<UnitFigureVersions> VersionsAsync(Period period, string unitCode, CancellationToken ct = default)
    {
        var set = await DefinitionsForAsync(period, ct);
        var versions = await figures.VersionsAsync(period.Id.ToString(), unitCode, ct);
        return new UnitFigureVersions(period.Id.ToString(), unitCode, set is null ? [] : versions.Select(v => FigureReceipt.From(v, period, set)).ToList());
    }

    /// <summary>The period's figures and totals, or null when it has no indicators.</summary>
    public async Task<FigureTotals?> TotalsAsync(Period period, CancellationToken ct = default) =>
        await TotalsAsync(await status.ForAsync(period, ct), ct);

    /// <summary>
    /// One unit's figures status (<see cref="FigureStatuses"/>) in a report that holds its row, reading only that
    /// unit's entry; null when the period has no indicators or the unit no row.
    /// </summary>
    public async Task<string?> UnitStatusAsync(StatusReport report, string unitCode, CancellationToken ct = default)
    {
        var set = DefinitionsForAsync(report.Period, ct);
        var entry = figures.LatestAsync(report.Period.Id.ToString(), unitCode, ct);
        await Task.WhenAll(set, entry);
        if (await set is not { } definitions)
        {
            return null;
        }

        var entries = await entry is { } e ? new Dictionary<string, FigureEntry>(StringComparer.Ordinal) { [unitCode] = e } : new Dictionary<string, FigureEntry>(StringComparer.Ordinal);
        return FigureTotals.Build(report, definitions, entries).Units.FirstOrDefault(u => u.UnitCode == unitCode)?.Status;
    }

    /// <summary>The totals for a status report already read (the compiler has one).</summary>
    /// <summary>
    /// Each unit's figures status (<see cref="FigureStatuses"/>; "incomplete" for a unit whose required figures are
    /// missing) in the report, or only <paramref name="unitCode"/>'s when given (reading only its entry); null when the
    /// period has no indicators.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>?> StatusByUnitAsync(StatusReport report, string? unitCode, CancellationToken ct = default) =>
        unitCode is null
            ? (await TotalsAsync(report, ct))?.Units.ToDictionary(u => u.UnitCode, u => u.Status, StringComparer.Ordinal)
            : await UnitStatusAsync(report, unitCode, ct) is { } mine ? new Dictionary<string, string>(StringComparer.Ordinal) { [unitCode] = mine } : null;

    public async Task<FigureTotals?> TotalsAsync(StatusReport report, CancellationToken ct = default)
    {
        var set = await DefinitionsForAsync(report.Period, ct);
        return set is null ? null : FigureTotals.Build(report, set, await figures.LatestAsync(report.Period.Id.ToString(), ct));
    }

    private async Task<FigureReceipt> StoreAsync(PeriodTarget target, IndicatorSet set, IReadOnlyDictionary<string, decimal> values, string source, string? note, CancellationToken ct)
    {
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (note?.Length > MaxNoteLength)
        {
            throw DomainException.NoteTooLong(MaxNoteLength);
        }

        if (note is not null && note.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
        {
            throw FiguresProblems.NoteHasControlCharacters();
        }

        var entry = new FigureEntry(
            "fig-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            target.Period.Id.ToString(),
            target.Unit.Code,
            0,
            clock.GetUtcNow(),
            target.Caller.Actor,
            source,
            set.Version,
            values,
            note);
        FigureEntry stored;
        try
        {
            stored = await figures.AppendAsync(entry, ct);
        }
        catch (DanVan.Submissions.PeriodClosedException closed)
        {
            // Finalized after the target was checked: the unit's figures were fenced before this entry could be stored.
            throw PeriodRefusals.Finalized(target.Period, closed.ClosedAt);
        }

        await audit.RecordAsync(target.Caller, AuditActions.FiguresEntry, stored.PeriodId, stored.UnitCode, $"v{stored.Version} {source} ({values.Count} số liệu)", ct);
        logger.LogInformation("Figures of {Unit} for {Period} stored as v{Version} ({Source})", stored.UnitCode, stored.PeriodId, stored.Version, source);
        return FigureReceipt.From(stored, target.Period, set);
    }

    private void RequireReport(string reportCode)
    {
        if (!plan.Reports.Any(r => string.Equals(r.Code, reportCode, StringComparison.Ordinal)))
        {
            throw FiguresProblems.UnknownReport(reportCode);
        }
    }
}
