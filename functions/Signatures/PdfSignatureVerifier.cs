using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using DanVan.Domain;
using Microsoft.Extensions.Options;

namespace DanVan.Signatures;

/// <summary>Opens <paramref name="length"/> bytes of the stored file from <paramref name="offset"/>.</summary>
public delegate Task<Stream> RangeReader(long offset, long length, CancellationToken ct);

/// <summary>How much checking one PDF's signatures may cost.</summary>
/// <param name="MaxSignatures">Signature dictionaries (<c>/ByteRange</c> or <c>/Contents</c> strings) examined; more makes the file "broken".</param>
/// <param name="MaxContentsBytes">Bytes of one CMS signature (real ones are a few to some tens of KB, with certificates and a timestamp).</param>
/// <param name="MaxTime">Wall-clock time for the whole check.</param>
public sealed record SignatureLimits(int MaxSignatures, int MaxContentsBytes, TimeSpan MaxTime)
{
    public static readonly SignatureLimits Default = new(8, 256 * 1024, TimeSpan.FromSeconds(60));
}

/// <summary>
/// Checks every signature of a PDF (PAdES / <c>adbe.pkcs7.detached</c>: a detached CMS over the byte ranges
/// its dictionary names). One sequential read finds the signature dictionaries and, for the common layout,
/// their digests (<see cref="PdfSignatureScan"/>); any other layout or digest algorithm is hashed again by
/// ranged reads. The CMS is read with <see cref="SignedCms"/>; the chain is built against the configured
/// anchors only (custom root trust, no downloads, no revocation over the network) at the signing time.
/// </summary>
public sealed class PdfSignatureVerifier(IOptions<SignatureOptions> options)
{
    private readonly X509Certificate2Collection roots = options.Value.Roots();

    public SignaturePolicy Policy => options.Value.Policy;

    /// <summary>
    /// The signatures of the file <paramref name="openWhole"/> reads; <paramref name="ranges"/> reads parts of it
    /// again when needed. <paramref name="receivedAt"/> stands for the signing time when a signature carries none.
    /// A file that cannot be read is a result, never an exception (cancellation by <paramref name="ct"/> excepted).
    /// </summary>
    public async Task<SignatureReport> VerifyAsync(Func<CancellationToken, Task<Stream>> openWhole, RangeReader ranges, DateTimeOffset receivedAt, SignatureLimits limits, CancellationToken ct)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(limits.MaxTime);
        using var scan = Scan(limits);
        try
        {
            await using (var whole = await openWhole(budget.Token))
            {
                var buffer = new byte[1024 * 1024];
                int read;
                while ((read = await whole.ReadAsync(buffer, budget.Token)) > 0)
                {
                    scan.Append(buffer.AsSpan(0, read));
                }
            }

            return await VerifyScannedAsync(scan, ranges, receivedAt, limits, budget.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return SignatureReport.NotFinished($"quá {limits.MaxTime.TotalSeconds:0} giây");
        }
    }

    /// <summary>
    /// The signatures of a file whose every byte <paramref name="scan"/> has seen, in order (an upload feeds it while
    /// the file streams to storage, so the file is not read again); <paramref name="ranges"/> reads parts of the stored
    /// file when a signature's layout or digest needs it. <see cref="SignatureLimits.MaxTime"/> bounds what follows the scan.
    /// </summary>
    public async Task<SignatureReport> VerifyScannedAsync(PdfSignatureScan scan, RangeReader ranges, DateTimeOffset receivedAt, SignatureLimits limits, CancellationToken ct)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(limits.MaxTime);
        try
        {
            scan.Complete();
            var contents = scan.Contents;
            var signatures = new List<PdfSignature>();
            foreach (var range in scan.ByteRanges)
            {
                signatures.Add(await CheckAsync(signatures.Count + 1, range, contents, scan.Length, ranges, receivedAt, limits, budget.Token));
            }

            // A hex string after /Contents that no byte range points at is a signature without its range.
            var orphan = contents.Any(c => c.Bytes is { Length: > 0 } && !scan.ByteRanges.Any(r => r.Values.Length == 4 && r.Values[1] == c.Start && r.Values[2] == c.End));
            return SignatureReport.Of(signatures, unreadable: scan.TooMany || (orphan && signatures.Count == 0));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return SignatureReport.NotFinished($"quá {limits.MaxTime.TotalSeconds:0} giây");
        }
    }

    /// <summary>
    /// A scan whose signatures' CMS are checked as soon as it has read them (<see cref="Prepare"/>, on the thread pool),
    /// so that part overlaps the rest of the file's transfer and <see cref="VerifyScannedAsync"/> only compares digests.
    /// </summary>
    public PdfSignatureScan Scan(SignatureLimits limits) =>
        new(limits.MaxSignatures, limits.MaxContentsBytes, bytes => Task.Run(() => Prepare(bytes)));

    /// <summary>
    /// What a <c>/Contents</c> string says on its own, before the file's digest is known: the CMS read, the signer, the
    /// signer's signature over the signed attributes, the signing time and (when the CMS carries a time) the chain.
    /// Never throws: an unreadable CMS is a result.
    /// </summary>
    public CmsCheck Prepare(byte[] contents)
    {
        if (!CmsFields.TryTrim(contents, out var cmsBytes))
        {
            return CmsCheck.Unreadable;
        }

        SignedCms cms;
        SignerInfo signer;
        try
        {
            cms = new SignedCms(new ContentInfo([]), detached: true);
            cms.Decode(cmsBytes);
            signer = cms.SignerInfos[0];
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            return CmsCheck.Unreadable;
        }

        var certificate = signer.Certificate;
        var hashName = CmsFields.HashFor(signer.DigestAlgorithm.Value);
        var md = signer.SignedAttributes.Cast<CryptographicAttributeObject>().FirstOrDefault(a => a.Oid.Value == CmsFields.MessageDigestOid);
        var (time, source, timeProblem) = CmsFields.SigningTime(signer, cms);
        return new CmsCheck(
            cms,
            signer,
            certificate is null ? null : CmsFields.Subject(certificate),
            hashName,
            md is { Values.Count: 1 } ? CmsFields.OctetString(md.Values[0].RawData) : null,
            certificate is not null && hashName is { } h && CmsFields.SignatureVerifies(cmsBytes, signer, certificate, h),
            time,
            source,
            timeProblem,
            certificate is not null && time is { } at ? Trust(certificate, cms.Certificates, at) : null);
    }

    private async Task<PdfSignature> CheckAsync(int index, ByteRangeEntry range, IReadOnlyList<ContentsEntry> contents, long length, RangeReader ranges, DateTimeOffset receivedAt, SignatureLimits limits, CancellationToken ct)
    {
        var v = range.Values;
        if (v.Length != 4 || v.Any(x => x < 0) || v[0] != 0 || v[2] < v[1] || v[2] + v[3] > length || v[3] == 0)
        {
            return Broken(index, "byte_range_invalid", "vùng ký (ByteRange) không hợp lệ");
        }

        var (sigStart, sigEnd, signedEnd) = (v[1], v[2], v[2] + v[3]);
        var gap = contents.FirstOrDefault(c => c.Start == sigStart && c.End == sigEnd);
        CmsCheck check;
        if (gap?.Prepared is { } prepared)
        {
            check = await prepared.WaitAsync(ct);
        }
        else
        {
            var der = gap?.Bytes ?? await SignedRanges.ReadHexAsync(ranges, sigStart, sigEnd - sigStart, limits, ct);
            check = der is null ? CmsCheck.Unreadable : Prepare(der);
        }

        if (check.Cms is not { } cms || check.Signer is not { } signer)
        {
            return Broken(index, "cms_invalid", "không đọc được dữ liệu chữ ký (CMS)");
        }

        var certificate = signer.Certificate;
        var problems = new List<string>();
        var covers = signedEnd == length;
        var bytesAfter = length - signedEnd;

        byte[]? digest = null;
        if (check.Hash is { } h)
        {
            digest = h == HashAlgorithmName.SHA256 && gap is not null && gap.Sha256WithoutThis.TryGetValue(signedEnd, out var known)
                ? known
                : await SignedRanges.HashRangesAsync(ranges, h, [(0, sigStart), (sigEnd, v[3])], ct);
        }

        var intact = false;
        if (digest is null)
        {
            problems.Add("digest_algorithm_unsupported");
        }
        else if (check.MessageDigest is not { } md || !CryptographicOperations.FixedTimeEquals(md, digest))
        {
            problems.Add("digest_mismatch");
        }
        else if (certificate is null)
        {
            problems.Add("signer_certificate_missing");
        }
        else if (!check.SignatureVerifies)
        {
            problems.Add("signature_invalid");
        }
        else
        {
            intact = true;
        }

        if (check.TimeProblem is { } timeProblem)
        {
            problems.Add(timeProblem);
        }

        var trust = certificate is null ? TrustResults.NotChecked : check.Trust ?? Trust(certificate, cms.Certificates, check.Time ?? receivedAt);
        if (trust != TrustResults.Trusted && trust != TrustResults.NotChecked)
        {
            problems.Add(trust);
        }

        if (!covers)
        {
            problems.Add("content_after_signature");
        }

        return new PdfSignature(index, intact, covers, bytesAfter, check.Subject, check.Time is { } t ? VietnamTime.ToVietnam(t) : null, check.Source, trust,
            signer.DigestAlgorithm.FriendlyName ?? signer.DigestAlgorithm.Value, problems, Describe(intact, problems, trust, covers));
    }

    private static PdfSignature Broken(int index, string code, string why) =>
        new(index, false, false, 0, null, null, TimeSources.None, TrustResults.NotChecked, null, [code], why);

    private static string Describe(bool intact, List<string> problems, string trust, bool covers)
    {
        if (!intact)
        {
            return problems.Contains("digest_mismatch") ? "nội dung đã bị thay đổi sau khi ký"
                : problems.Contains("signature_invalid") ? "chữ ký không khớp với chứng thư của người ký"
                : problems.Contains("signer_certificate_missing") ? "thiếu chứng thư của người ký"
                : "không kiểm tra được thuật toán băm của chữ ký";
        }

        var parts = new List<string>();
        parts.Add(trust switch
        {
            TrustResults.Trusted => "hợp lệ",
            TrustResults.UntrustedIssuer => "chữ ký đúng, tổ chức cấp chứng thư chưa được cấu hình là tin cậy",
            TrustResults.NotValidAtSigningTime => "chứng thư không còn hiệu lực tại thời điểm ký",
            _ => "chữ ký đúng, chuỗi chứng thư không hợp lệ",
        });
        if (!covers)
        {
            parts.Add("có nội dung thêm sau khi ký");
        }

        if (problems.Contains("timestamp_invalid"))
        {
            parts.Add("dấu thời gian không hợp lệ");
        }

        return string.Join(", ", parts);
    }

    private string Trust(X509Certificate2 certificate, X509Certificate2Collection extra, DateTimeOffset at)
    {
        if (at < certificate.NotBefore.ToUniversalTime() || at > certificate.NotAfter.ToUniversalTime())
        {
            return TrustResults.NotValidAtSigningTime;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(extra);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.UrlRetrievalTimeout = TimeSpan.FromSeconds(1);
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (chain.Build(certificate))
        {
            return TrustResults.Trusted;
        }

        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        return (flags & X509ChainStatusFlags.NotTimeValid) != 0 ? TrustResults.NotValidAtSigningTime
            : (flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0 ? TrustResults.UntrustedIssuer
            : TrustResults.ChainInvalid;
    }

}
