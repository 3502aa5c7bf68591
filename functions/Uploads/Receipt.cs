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
    string? SignatureSummary = null,
    DuplicateOf? DuplicateOf = null)
{
    public static Receipt From(SubmissionVersion row, Period period)
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

/// <summary>
/// On the answer (200) to a byte-identical copy of the unit's latest version: nothing new was stored, the receipt is
/// <see cref="Version"/>'s, and <see cref="Kept"/> names what of that version stands where this upload said otherwise
/// (<c>fileName</c>, <c>note</c>): the new name and note are not recorded.
/// </summary>
public sealed record DuplicateOf(int Version, IReadOnlyList<string> Kept)
{
    public static DuplicateOf Compare(SubmissionVersion latest, SubmissionVersion sent)
    {
        var kept = new List<string>();
        if (!string.Equals(latest.FileName, sent.FileName, StringComparison.Ordinal))
        {
            kept.Add("fileName");
        }

        if (!string.Equals(latest.Note ?? "", sent.Note ?? "", StringComparison.Ordinal))
        {
            kept.Add("note");
        }

        return new DuplicateOf(latest.Version, kept);
    }

    /// <summary>For the audit trail: "; kept fileName, note of v1", or nothing when the upload said the same.</summary>
    public string Describe() => Kept.Count == 0 ? "" : $"; kept {string.Join(", ", Kept)} of v{Version}";
}

/// <summary><c>GET …/reports/{unitCode}</c>: every version, oldest first.</summary>
public sealed record UnitReports(string PeriodId, string UnitCode, IReadOnlyList<Receipt> Versions);
