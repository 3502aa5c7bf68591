using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using DanVan.Domain;

namespace DanVan.Signatures;

/// <summary>What a CMS signature says, read field by field: its signing time, its signer's signature, digest and subject.</summary>
internal static class CmsFields
{
    public const string MessageDigestOid = "1.2.840.113549.1.9.4";
    private const string SigningTimeOid = "1.2.840.113549.1.9.5";
    private const string TimestampTokenOid = "1.2.840.113549.1.9.16.2.14";
    private const string RsaPssOid = "1.2.840.113549.1.1.10";

    /// <summary>The timestamp token's time when it verifies against this signature; else the signed signingTime attribute.</summary>
    public static (DateTimeOffset? Time, string Source, string? Problem) SigningTime(SignerInfo signer, SignedCms cms)
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

    /// <summary>
    /// The CMS signature over the DER of the signed attributes (their [0] IMPLICIT tag read as SET OF), with the
    /// certificate's key: RSA PKCS#1 v1.5 or PSS, or ECDSA.
    /// </summary>
    public static bool SignatureVerifies(byte[] cms, SignerInfo signer, X509Certificate2 certificate, HashAlgorithmName digest)
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

    public static byte[] OctetString(byte[] der)
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

    public static HashAlgorithmName? HashFor(string? oid) => oid switch
    {
        "2.16.840.1.101.3.4.2.1" or "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
        "2.16.840.1.101.3.4.2.2" or "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
        "2.16.840.1.101.3.4.2.3" or "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
        "1.3.14.3.2.26" or "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
        _ => null,
    };

    /// <summary>The DER value at the start of the zero-padded /Contents bytes.</summary>
    public static bool TryTrim(byte[] bytes, out byte[] der)
    {
        der = [];
        if (bytes.Length == 0 || !AsnDecoder.TryReadEncodedValue(bytes, AsnEncodingRules.BER, out _, out _, out _, out var consumed))
        {
            return false;
        }

        der = bytes[..consumed];
        return true;
    }

    /// <summary>CN, O, OU and the identifier fields Vietnamese certificates carry (UID "MST:…"/"CCCD:…", serialNumber), shown as they are.</summary>
    public static SignerSubject Subject(X509Certificate2 certificate)
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
