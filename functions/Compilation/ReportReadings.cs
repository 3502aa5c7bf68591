using DanVan.Domain;
using DanVan.Outline;
using DanVan.Periods;
using DanVan.Storage;
using DanVan.Submissions;

namespace DanVan.Compilation;

/// <summary>One line of a unit's report as DanVan read it: its level, its words, and where it went (<see cref="Place"/>, in the outline's numbering).</summary>
public sealed record ReadingLine(int Paragraph, int Depth, string Label, string Text, bool Heading, string Outcome, string? Part, string? Content, string Place, string From);

/// <summary>How a unit's latest report was read, before the officer compiles: its tree and where each part went.</summary>
public sealed record ReportReadingView(
    string PeriodId, string UnitCode, int Version, string FileName, string? Problem, string OutlineReportCode, int OutlineVersion,
    int Placed, int Review, IReadOnlyList<ReadingLine> Lines);

/// <summary>
/// Reads a unit's latest report for the period the way the compilation will (same bounded readers, same tree, the
/// period's outline), so a misfiling is seen before the draft is made.
/// </summary>
public sealed class ReportReadings(PeriodCatalog periods, SubmissionStore submissions, DanVanStore store, OutlineService outlines)
{
    public async Task<ReportReadingView> ReadAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var period = periods.Get(periodId);
        var head = await submissions.HeadAsync(period.Id.ToString(), unitCode, ct);
        var version = head is null ? null : await submissions.VersionAsync(period.Id.ToString(), unitCode, head.LatestVersion, ct);
        if (version is null)
        {
            throw RefusalCodes.NoReport.Because($"Đơn vị \"{unitCode}\" chưa nộp báo cáo cho kỳ {period.Id}.");
        }

        var outline = await outlines.ForPeriodAsync(period, ct);
        var reading = await ReadAsync(version, ct);
        var filed = UnitReading.Of(reading, outline).Filed ?? [];
        var lines = filed.Select(f => new ReadingLine(
            f.Line.Paragraph, f.Line.Depth, f.Line.Label, f.Line.Text, f.Line.Heading,
            ManifestFiling.OutcomeOf(f), f.Part, f.Content,
            f.Outcome == FilingOutcome.Review || !f.Known ? "Cần xem lại" : f.Part is null ? "" : outline.Describe(f.Part, f.Content), f.Heading)).ToList();
        return new ReportReadingView(period.Id.ToString(), unitCode, version.Version, version.FileName, reading.Problem, outline.ReportCode, outline.Version,
            lines.Count(l => l.Outcome == "placed" && !l.Heading), lines.Count(l => l.Outcome == "review"), lines);
    }

    /// <summary>The stored file, held in memory up to the readers' size cap, read by the DOCX or PDF reader.</summary>
    private async Task<ReportReading> ReadAsync(SubmissionVersion version, CancellationToken ct)
    {
        var isDocx = ReportText.IsDocx(version.FileName);
        if (!isDocx && !PdfReportText.IsPdf(version.FileName))
        {
            return ReportReading.Failed(ReportText.NotDocx(version.FileName));
        }

        if (version.SizeBytes > ReportText.MaxDocxBytes)
        {
            return ReportReading.Failed(ReportText.TooLarge(version.FileName));
        }

        using var held = new MemoryStream();
        await using (var source = (await store.Reports.GetBlobClient(version.BlobName).DownloadStreamingAsync(cancellationToken: ct)).Value.Content)
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                if (held.Length + read > ReportText.MaxDocxBytes)
                {
                    return ReportReading.Failed(ReportText.TooLarge(version.FileName));
                }

                held.Write(buffer, 0, read);
            }
        }

        held.Position = 0;
        return isDocx ? ReportText.Read(held, version.FileName, ct) : PdfReportText.Read(held, version.FileName, ct);
    }
}
