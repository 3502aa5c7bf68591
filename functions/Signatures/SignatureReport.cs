using System.Text.Json;
using DanVan.Domain;

namespace DanVan.Signatures;

/// <summary>Who signed: the subject's fields as the certificate carries them (CN, O, OU, and identifiers such as UID "MST:…", "CCCD:…").</summary>
public sealed record SignerSubject(
    string? CommonName,
    string? Organization,
    string? OrganizationalUnit,
    IReadOnlyList<string> Identifiers,
    string Subject,
    string Issuer,
    string SerialNumber,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter)
{
    /// <summary>How a person reads the signer in one phrase: the name, then the organization when it adds something.</summary>
    public string Display => CommonName is { Length: > 0 } cn
        ? Organization is { Length: > 0 } o && !string.Equals(o, cn, StringComparison.Ordinal) ? $"{cn} ({o})" : cn
        : Organization ?? Subject;
}

/// <summary>Where the signing time came from.</summary>
public static class TimeSources
{
    /// <summary>An RFC 3161 timestamp token whose signature verified (unsigned attribute 1.2.840.113549.1.9.16.2.14).</summary>
    public const string Timestamp = "timestamp";

    /// <summary>The signer's own claim (signed attribute signingTime, 1.2.840.113549.1.9.5).</summary>
    public const string SignedAttribute = "signed_attribute";

    public const string None = "none";
}

/// <summary>Whether the signer's certificate chains to a configured trust anchor and was valid at the signing time.</summary>
public static class TrustResults
{
    public const string Trusted = "trusted";
    public const string UntrustedIssuer = "untrusted_issuer";
    public const string NotValidAtSigningTime = "not_valid_at_signing_time";
    public const string ChainInvalid = "chain_invalid";
    public const string NotChecked = "not_checked";
}

/// <summary>
/// One signature of a PDF, checked. <see cref="Intact"/>: the signed byte ranges hash to the CMS message digest
/// and the CMS signature verifies with the signer's certificate. <see cref="Problems"/> are stable codes; <see cref="Detail"/>
/// says the same in Vietnamese.
/// </summary>
public sealed record PdfSignature(
    int Index,
    bool Intact,
    bool CoversWholeFile,
    long BytesAfter,
    SignerSubject? Signer,
    DateTimeOffset? SigningTime,
    string TimeSource,
    string Trust,
    string? DigestAlgorithm,
    IReadOnlyList<string> Problems,
    string Detail)
{
    public bool Valid => Intact && Trust == TrustResults.Trusted;
}

/// <summary>What a PDF's signatures amount to, as one word.</summary>
public static class SignatureVerdicts
{
    /// <summary>Every signature intact, the last one covering the whole file, every signer trusted and valid at signing time.</summary>
    public const string Valid = "valid";

    /// <summary>Intact and covering the file, but a signer does not chain to a configured anchor or was not valid at signing time.</summary>
    public const string Untrusted = "untrusted";

    /// <summary>Intact signatures, but content was added after the last one (an incremental update).</summary>
    public const string ContentAppended = "content_appended";

    /// <summary>A signature that does not verify, or a signature dictionary that cannot be read.</summary>
    public const string Broken = "broken";

    public const string Unsigned = "unsigned";

    /// <summary>The check did not finish within its bounds (time).</summary>
    public const string Unverified = "unverified";
}

/// <summary>The signatures of one uploaded PDF: the verdict, each signature, and one Vietnamese line.</summary>
public sealed record SignatureReport(string Verdict, IReadOnlyList<PdfSignature> Signatures, string Summary)
{
    /// <summary>✔ only when everything checks out; what the dashboard's "Ký số" column starts with.</summary>
    public bool Ok => Verdict == SignatureVerdicts.Valid;

    /// <summary>Unsigned, broken, or changed after signing: what the draft report lists and the Require policy refuses.</summary>
    public bool NeedsAttention => Verdict is SignatureVerdicts.Unsigned or SignatureVerdicts.Broken or SignatureVerdicts.ContentAppended or SignatureVerdicts.Unverified;

    public string ToJson() => JsonSerializer.Serialize(this, Json.Options);

    /// <summary>The report stored with a version; null for none (not a PDF, or stored before signatures were checked) or one that does not read.</summary>
    public static SignatureReport? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<SignatureReport>(json, Json.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static SignatureReport Unsigned() => new(SignatureVerdicts.Unsigned, [], "Không có chữ ký số.");

    public static SignatureReport NotFinished(string why) => new(SignatureVerdicts.Unverified, [], $"Chưa kiểm tra được chữ ký số ({why}).");

    /// <summary>The verdict and the line a person reads, from the signatures found.</summary>
    public static SignatureReport Of(IReadOnlyList<PdfSignature> signatures, bool unreadable)
    {
        if (signatures.Count == 0 && !unreadable)
        {
            return Unsigned();
        }

        var verdict = unreadable || signatures.Any(s => !s.Intact) ? SignatureVerdicts.Broken
            : !signatures.Any(s => s.CoversWholeFile) ? SignatureVerdicts.ContentAppended
            : signatures.Any(s => s.Trust != TrustResults.Trusted) ? SignatureVerdicts.Untrusted
            : SignatureVerdicts.Valid;
        var who = string.Join(", ", signatures.Select(s => $"{s.Signer?.Display ?? "không rõ người ký"} {(s.Valid ? "✔" : "✗")}"));
        var why = verdict switch
        {
            SignatureVerdicts.Valid => "hợp lệ, phủ toàn bộ tệp",
            SignatureVerdicts.Untrusted => string.Join("; ", signatures.Where(s => s.Trust != TrustResults.Trusted).Select(s => s.Detail).Distinct()),
            SignatureVerdicts.ContentAppended => "tệp có nội dung được thêm sau chữ ký cuối cùng",
            _ => unreadable && signatures.All(s => s.Intact)
                ? "có chữ ký không đọc được"
                : string.Join("; ", signatures.Where(s => !s.Intact).Select(s => s.Detail).Distinct()),
        };
        var count = signatures.Count == 0 ? "Chữ ký số" : $"{signatures.Count} chữ ký số";
        var line = who.Length == 0 ? $"{count}: {(verdict == SignatureVerdicts.Valid ? "✔" : "✗")} {why}." : $"{count}: {who} — {why}.";
        return new SignatureReport(verdict, signatures, line);
    }
}
