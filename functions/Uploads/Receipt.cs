using DanVan.Domain;
using DanVan.Signatures;
using DanVan.Submissions;

namespace DanVan.Uploads;

/// <summary>What a unit gets back for an accepted upload (the brief's "receipt"); instants in Vietnam time.</summary>
public sealed record Receipt(
    string ReceiptId,
    string PeriodId,
    string UnitCode,
    int Version,
    string FileName,
    string ContentType,
    long SizeBytes,
    string Sha256,
    DateTimeOffset ReceivedAt,
    DateTimeOffset Deadline,
    bool OnTime,
    string? Note,
    string? SignatureVerdict = null,
    IReadOnlyList<PdfSignature>? Signatures = null,
    string? SignatureSummary = null)
{
    public static Receipt From(SubmissionVersionEntity row, Period period)
    {
        var signatures = SignatureReport.FromJson(row.Signatures);
        return new(
            row.ReceiptId,
            period.Id.ToString(),
            row.UnitCode,
            row.Version,
            row.FileName,
            row.ContentType,
            row.SizeBytes,
            row.Sha256,
            VietnamTime.ToVietnam(row.ReceivedAt),
            VietnamTime.ToVietnam(period.Deadline),
            period.IsOnTime(row.ReceivedAt),
            row.Note,
            signatures?.Verdict,
            signatures?.Signatures,
            signatures?.Summary);
    }
}

/// <summary><c>GET …/reports/{unitCode}</c>: every version, oldest first.</summary>
public sealed record UnitReports(string PeriodId, string UnitCode, IReadOnlyList<Receipt> Versions);
