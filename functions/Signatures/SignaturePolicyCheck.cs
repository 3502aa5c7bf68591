using Microsoft.Extensions.Logging;

namespace DanVan.Signatures;

/// <summary>What the signature policy decided of one accepted file: the signatures to keep with it, or its refusal.</summary>
public sealed record SignatureDecision(string? SignaturesJson, Exception? Refusal);

/// <summary>
/// The signature policy as an upload meets it: a PDF's signatures are scanned while its bytes go to storage
/// (<see cref="Scan"/>) and checked before any row points at it (<see cref="DecideAsync"/>), kept with the version as
/// JSON; under <see cref="SignaturePolicy.Require"/> an unsigned, broken or later-changed PDF, and any file that is not a
/// PDF, is refused. The caller discards the refused file and throws the refusal.
/// </summary>
public sealed class SignaturePolicyCheck(PdfSignatureVerifier signatures, ILogger<SignaturePolicyCheck> logger)
{
    /// <summary>A scan for a PDF's bytes on their way to storage.</summary>
    public PdfSignatureScan Scan() => signatures.Scan(SignatureLimits.Default);

    /// <summary>
    /// The decision for a stored file: <paramref name="scan"/> is the PDF's scan (null for other files);
    /// <paramref name="readRange"/> reads the stored bytes (only for an unusual layout); <paramref name="receivedAt"/>
    /// is the instant the signatures are judged at.
    /// </summary>
    public async Task<SignatureDecision> DecideAsync(
        string fileName, bool isPdf, PdfSignatureScan? scan, RangeReader readRange, DateTimeOffset receivedAt, string what, CancellationToken ct)
    {
        if (!isPdf)
        {
            return new SignatureDecision(null, signatures.Policy == SignaturePolicy.Require ? SignatureProblems.SignedPdfRequired(fileName) : null);
        }

        var report = await signatures.VerifyScannedAsync(
            scan ?? throw new InvalidOperationException("A PDF was stored without its signature scan."), readRange, receivedAt, SignatureLimits.Default, ct);
        logger.LogInformation("Signatures of {What}: {Verdict} ({Count})", what, report.Verdict, report.Signatures.Count);
        return signatures.Policy == SignaturePolicy.Require && report.NeedsAttention
            ? new SignatureDecision(null, SignatureProblems.Refusal(report))
            : new SignatureDecision(report.ToJson(), null);
    }
}
