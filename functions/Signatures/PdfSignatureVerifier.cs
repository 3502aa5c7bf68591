using System.Formats.Asn1;
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
    private const string MessageDigestOid = "1.2.840.113549.1.9.4";
    private const string SigningTimeOid = "1.2.840.113549.1.9.5";
    private const string TimestampTokenOid = "1.2.840.113549.1.9.16.2.14";
    private const string RsaPssOid = "1.2.840.113549.1.1.10";

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
        if (!TryTrim(contents, out var cmsBytes))
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
        var hashName = HashFor(signer.DigestAlgorithm.Value);
        var md = signer.SignedAttributes.Cast<CryptographicAttributeObject>().FirstOrDefault(a => a.Oid.Value == MessageDigestOid);
        var (time, source, timeProblem) = SigningTime(signer, cms);
        return new CmsCheck(
            cms,
            signer,
            certificate is null ? null : Subject(certificate),
            hashName,
            md is { Values.Count: 1 } ? OctetString(md.Values[0].RawData) : null,
            certificate is not null && hashName is { } h && SignatureVerifies(cmsBytes, signer, certificate, h),
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
            var der = gap?.Bytes ?? await ReadHexAsync(ranges, sigStart, sigEnd - sigStart, limits, ct);
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
                : await HashRangesAsync(ranges, h, [(0, sigStart), (sigEnd, v[3])], ct);
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

    /// <summary>The timestamp token's time when it verifies against this signature; else the signed signingTime attribute.</summary>
    private static (DateTimeOffset? Time, string Source, string? Problem) SigningTime(SignerInfo signer, SignedCms cms)
    {
        string? problem = null;
        var token = signer.UnsignedAttributes.Cast<CryptographicAttributeObject>().FirstOrDefault(a => a.Oid.Value == TimestampTokenOid);
        if (token is not null)
        {
            try
            {
                if (token.Values.Count == 1 && Rfc3161TimestampToken.TryDecode(token.Values[0].RawData, out var tst, out _)
                    && tst.VerifySignatureForSignerInfo(signer, out _, cms.Certificates))
                {
                    return (tst.TokenInfo.Timestamp, TimeSources.Timestamp, null);
                }
            }
            catch (CryptographicException)
            {
            }

            problem = "timestamp_invalid";
        }

        var signed = signer.SignedAttributes.Cast<CryptographicAttributeObject>().FirstOrDefault(a => a.Oid.Value == SigningTimeOid);
        if (signed is { Values.Count: 1 })
        {
            try
            {
                var at = new Pkcs9SigningTime(signed.Values[0].RawData).SigningTime;
                return (new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)), TimeSources.SignedAttribute, problem);
            }
            catch (CryptographicException)
            {
            }
        }

        return (null, TimeSources.None, problem);
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

    /// <summary>
    /// The CMS signature over the DER of the signed attributes (their [0] IMPLICIT tag read as SET OF), with the
    /// certificate's key: RSA PKCS#1 v1.5 or PSS, or ECDSA.
    /// </summary>
    private static bool SignatureVerifies(byte[] cms, SignerInfo signer, X509Certificate2 certificate, HashAlgorithmName digest)
    {
        try
        {
            var attributes = SignedAttributesDer(cms);
            if (attributes is null)
            {
                return false;
            }

            attributes[0] = 0x31;
            var signature = signer.GetSignature();
            var algorithm = signer.SignatureAlgorithm.Value;
            using (var rsa = certificate.GetRSAPublicKey())
            {
                if (rsa is not null)
                {
                    return rsa.VerifyData(attributes, signature, HashFor(algorithm) ?? digest, algorithm == RsaPssOid ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
                }
            }

            using var ecdsa = certificate.GetECDsaPublicKey();
            return ecdsa is not null && ecdsa.VerifyData(attributes, signature, HashFor(algorithm) ?? digest, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The first signer's signedAttrs element as encoded: ContentInfo → [0] SignedData → signerInfos → SignerInfo → [0].</summary>
    private static byte[]? SignedAttributesDer(byte[] cms)
    {
        var contentInfo = new AsnReader(cms, AsnEncodingRules.BER).ReadSequence();
        contentInfo.ReadObjectIdentifier();
        var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadSequence();
        signedData.ReadInteger();
        signedData.ReadEncodedValue(); // digestAlgorithms
        signedData.ReadEncodedValue(); // encapContentInfo
        while (signedData.HasData && signedData.PeekTag().TagClass == TagClass.ContextSpecific)
        {
            signedData.ReadEncodedValue(); // certificates [0], crls [1]
        }

        var signerInfo = signedData.ReadSetOf().ReadSequence();
        signerInfo.ReadInteger();
        signerInfo.ReadEncodedValue(); // sid
        signerInfo.ReadEncodedValue(); // digestAlgorithm
        return signerInfo.HasData && signerInfo.PeekTag() == new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)
            ? signerInfo.ReadEncodedValue().ToArray()
            : null;
    }

    private static byte[] OctetString(byte[] der)
    {
        try
        {
            return AsnDecoder.ReadOctetString(der, AsnEncodingRules.BER, out _);
        }
        catch (AsnContentException)
        {
            return [];
        }
    }

    private static HashAlgorithmName? HashFor(string? oid) => oid switch
    {
        "2.16.840.1.101.3.4.2.1" or "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
        "2.16.840.1.101.3.4.2.2" or "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
        "2.16.840.1.101.3.4.2.3" or "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
        "1.3.14.3.2.26" or "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
        _ => null,
    };

    /// <summary>The DER value at the start of the zero-padded /Contents bytes.</summary>
    private static bool TryTrim(byte[] bytes, out byte[] der)
    {
        der = [];
        if (bytes.Length == 0 || !AsnDecoder.TryReadEncodedValue(bytes, AsnEncodingRules.BER, out _, out _, out _, out var consumed))
        {
            return false;
        }

        der = bytes[..consumed];
        return true;
    }

    private static async Task<byte[]?> ReadHexAsync(RangeReader ranges, long offset, long length, SignatureLimits limits, CancellationToken ct)
    {
        if (length < 2 || length > 2L * limits.MaxContentsBytes + 64)
        {
            return null;
        }

        var text = new byte[length];
        await using (var stream = await ranges(offset, length, ct))
        {
            await stream.ReadExactlyAsync(text, ct);
        }

        if (text[0] != (byte)'<' || text[^1] != (byte)'>')
        {
            return null;
        }

        var hex = new string(text[1..^1].Select(b => (char)b).Where(c => !char.IsWhiteSpace(c)).ToArray());
        try
        {
            return Convert.FromHexString(hex.Length % 2 == 0 ? hex : hex + "0");
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static async Task<byte[]> HashRangesAsync(RangeReader ranges, HashAlgorithmName name, (long Offset, long Length)[] parts, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(name);
        var buffer = new byte[1024 * 1024];
        foreach (var (offset, length) in parts)
        {
            await using var stream = await ranges(offset, length, ct);
            long left = length;
            int read;
            while (left > 0 && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                left -= read;
            }
        }

        return hash.GetHashAndReset();
    }

    /// <summary>CN, O, OU and the identifier fields Vietnamese certificates carry (UID "MST:…"/"CCCD:…", serialNumber), shown as they are.</summary>
    internal static SignerSubject Subject(X509Certificate2 certificate)
    {
        string? cn = null, o = null, ou = null;
        var identifiers = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            var oid = rdn.GetSingleElementType().Value;
            var value = rdn.GetSingleElementValue();
            switch (oid)
            {
                case "2.5.4.3":
                    cn ??= value;
                    break;
                case "2.5.4.10":
                    o ??= value;
                    break;
                case "2.5.4.11":
                    ou ??= value;
                    break;
                case "0.9.2342.19200300.100.1.1":
                    identifiers.Add($"UID={value}");
                    break;
                case "2.5.4.5":
                    identifiers.Add($"SERIALNUMBER={value}");
                    break;
                case "2.5.4.97":
                    identifiers.Add($"organizationIdentifier={value}");
                    break;
            }
        }

        return new SignerSubject(cn, o, ou, identifiers, certificate.Subject, certificate.Issuer, certificate.SerialNumber,
            VietnamTime.ToVietnam(new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero)),
            VietnamTime.ToVietnam(new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero)));
    }
}

/// <summary>
/// What one signature's CMS says on its own (<see cref="PdfSignatureVerifier.Prepare"/>): everything but the comparison of
/// its message digest with the file's. <see cref="Cms"/> is null when it cannot be read; <see cref="Trust"/> is null
/// when the CMS carries no signing time (the chain is then judged at the upload's time, known later).
/// </summary>
public sealed record CmsCheck(
    SignedCms? Cms,
    SignerInfo? Signer,
    SignerSubject? Subject,
    HashAlgorithmName? Hash,
    byte[]? MessageDigest,
    bool SignatureVerifies,
    DateTimeOffset? Time,
    string Source,
    string? TimeProblem,
    string? Trust)
{
    public static readonly CmsCheck Unreadable = new(null, null, null, null, null, false, null, TimeSources.None, null, null);
}
