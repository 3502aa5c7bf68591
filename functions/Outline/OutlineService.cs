using System.Text.Json;
using DanVan.Audit;
using DanVan.Domain;
using Microsoft.Extensions.Logging;

namespace DanVan.Outline;

/// <summary>
/// The outline of the province's report per report code: read, replaced (a new version each time; a period keeps the
/// version it was first used with), and the built-in sample (Kế hoạch 158) while Sở Nội vụ has stored none.
/// </summary>
public sealed class OutlineService(ReportingPlan plan, OutlineStore store, AuditLog audit, TimeProvider clock, ILogger<OutlineService> logger)
{
    public const string SampleActor = "mẫu Kế hoạch 158/KH-UBND";

    private static readonly Lazy<IReadOnlyList<OutlinePart>> SampleParts = new(LoadSample);

    /// <summary>The built-in sample for a report code: version 0, never stored, never pinned.</summary>
    public static ReportOutline Sample(string reportCode) => new(reportCode, 0, DateTimeOffset.UnixEpoch, SampleActor, SampleParts.Value);

    /// <summary>The newest outline of a report code of the plan, or the sample when none was stored.</summary>
    public async Task<ReportOutline> CurrentAsync(string reportCode, CancellationToken ct = default)
    {
        RequireReport(reportCode);
        return await store.LatestAsync(reportCode, ct) ?? Sample(reportCode);
    }

    /// <summary>Stores the parts as the report code's next version; periods already used keep theirs.</summary>
    public async Task<ReportOutline> ReplaceAsync(string reportCode, IReadOnlyList<OutlinePartRecord?>? records, string actor, CancellationToken ct = default)
    {
        RequireReport(reportCode);
        var parts = OutlineRules.Validate(records);
        var outline = await store.AddAsync(reportCode, parts, clock.GetUtcNow(), actor, ct);
        await audit.RecordAsync(actor, AuditActions.OutlinePut, detail: $"{reportCode} v{outline.Version} ({parts.Count} phần)", ct: ct);
        logger.LogInformation("Outline of {ReportCode} replaced: v{Version}, {Parts} parts", reportCode, outline.Version, parts.Count);
        return outline;
    }

    /// <summary>The outline the period uses (pinning it to the newest stored on first use), or the sample.</summary>
    public async Task<ReportOutline> ForPeriodAsync(Period period, CancellationToken ct = default) =>
        await store.ForPeriodAsync(period.Id.ToString(), period.Id.Code, clock.GetUtcNow(), ct) ?? Sample(period.Id.Code);

    /// <summary>The đề cương (DOCX) the unit writes this period's report in: the period's outline, marked.</summary>
    public async Task<(byte[] Content, string FileName)> TemplateAsync(Periods.PeriodTarget target, CancellationToken ct = default) =>
        (OutlineTemplate.Build(await ForPeriodAsync(target.Period, ct), target.Period, target.Unit), OutlineTemplate.FileName(target.Period, target.Unit));

    private void RequireReport(string reportCode)
    {
        if (!plan.Reports.Any(r => string.Equals(r.Code, reportCode, StringComparison.Ordinal)))
        {
            throw Figures.FiguresProblems.UnknownReport(reportCode);
        }
    }

    private sealed record SampleFile(List<OutlinePartRecord?>? Parts);

    private static IReadOnlyList<OutlinePart> LoadSample()
    {
        using var stream = typeof(OutlineService).Assembly.GetManifestResourceStream("DanVan.SampleData.outline.sample.json")
            ?? throw new InvalidOperationException("The sample outline is not embedded.");
        return OutlineRules.Validate(JsonSerializer.Deserialize<SampleFile>(stream, DanVan.Domain.Json.Options)?.Parts);
    }
}
