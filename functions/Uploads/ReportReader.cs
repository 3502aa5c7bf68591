using DanVan.Audit;
using DanVan.Auth;
using DanVan.Decisions;
using DanVan.Domain;
using DanVan.Http;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Storage;
using DanVan.Submissions;

namespace DanVan.Uploads;

/// <summary>A stored report file, opened for streaming to the client.</summary>
public sealed record ReportFile(Stream Content, long Length, string ContentType, string FileName);

/// <summary>Reads back what units uploaded: the list of versions, and each version's file.</summary>
public sealed class ReportReader(PeriodCatalog periods, UnitRegistry registry, SubmissionStore submissions, DecisionStore decisions, DanVanStore store, AuditLog audit)
{
    /// <summary>The unit's versions; the caller has been allowed to read <paramref name="unitCode"/>'s reports.</summary>
    public async Task<UnitReports> VersionsAsync(string periodId, string unitCode, CancellationToken ct)
    {
        var period = periods.Get(periodId);
        var versions = await submissions.VersionsAsync(period.Id.ToString(), unitCode, ct);
        if (versions.Count == 0 && await registry.FindAsync(unitCode, ct) is null)
        {
            throw DomainException.UnknownUnit(unitCode);
        }

        // Timeliness against the unit's extended deadline, as its status is judged.
        var judged = versions.Count > 0 && await decisions.GetAsync(period.Id.ToString(), unitCode, ct) is { } decided
            ? period with { Deadline = decided.Decisions.DeadlineFor(period) }
            : period;
        return new UnitReports(period.Id.ToString(), unitCode, versions.Select(v => Receipt.From(v, judged)).ToList());
    }

    /// <summary>
    /// Opens one version's blob for streaming; the download is audited. <paramref name="version"/> is the route's
    /// <paramref name="versionText"/> as the edge parsed it once the caller was known (null: not a version number, 404).
    /// </summary>
    public async Task<ReportFile> OpenAsync(Caller caller, string periodId, string unitCode, int? version, string versionText, CancellationToken ct)
    {
        var period = periods.Get(periodId);
        var pid = period.Id.ToString();
        var number = version ?? throw UploadProblems.UnknownVersion(unitCode, versionText);
        var row = await submissions.VersionAsync(pid, unitCode, number, ct) ?? throw UploadProblems.UnknownVersion(unitCode, versionText);
        var download = await store.Reports.GetBlobClient(row.BlobName).DownloadStreamingAsync(cancellationToken: ct);
        await audit.RecordAsync(caller, AuditActions.Download, pid, unitCode, $"v{number} \"{row.FileName}\"", ct);
        return new ReportFile(download.Value.Content, download.Value.Details.ContentLength, row.ContentType, row.FileName);
    }
}
