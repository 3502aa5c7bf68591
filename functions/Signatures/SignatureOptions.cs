using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace DanVan.Signatures;

/// <summary>What an upload's PDF signatures decide.</summary>
public enum SignaturePolicy
{
    /// <summary>Verify and show; accept anything valid by type.</summary>
    Record,

    /// <summary>
    /// Refuse an unsigned PDF, a broken signature, content added after the last signature, and any file that
    /// is not a PDF (DOCX, XLSX, …: DanVan verifies signatures in PDF only, so they cannot show one).
    /// </summary>
    Require,
}

/// <summary>App settings under <c>DanVan__Signatures__*</c>.</summary>
public sealed class SignatureOptions
{
    public const string Section = "DanVan:Signatures";

    public SignaturePolicy Policy { get; set; } = SignaturePolicy.Record;

    /// <summary>
    /// The trust anchors: certificates in PEM (one or more <c>-----BEGIN CERTIFICATE-----</c> blocks) or base64
    /// DER values separated by <c>;</c>, <c>,</c> or white space. Empty: no issuer is trusted, and a valid
    /// signature says so ("tổ chức cấp chứng thư chưa được cấu hình là tin cậy").
    /// </summary>
    public string TrustedRoots { get; set; } = "";

    /// <summary>The configured anchors; throws <see cref="FormatException"/> naming the setting when one does not parse.</summary>
    public X509Certificate2Collection Roots()
    {
        var roots = new X509Certificate2Collection();
        var text = TrustedRoots.Trim();
        if (text.Length == 0)
        {
            return roots;
        }

        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                roots.ImportFromPem(text);
                if (roots.Count == 0)
                {
                    throw new CryptographicException("no CERTIFICATE block");
                }

                return roots;
            }

            foreach (var value in text.Split([';', ',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                roots.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(value)));
            }

            return roots;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new FormatException($"DanVan__Signatures__TrustedRoots must be certificates in PEM or base64 DER ({ex.Message}).", ex);
        }
    }
}

internal sealed class SignatureOptionsValidator : IValidateOptions<SignatureOptions>
{
    public ValidateOptionsResult Validate(string? name, SignatureOptions options)
    {
        try
        {
            options.Roots();
            return ValidateOptionsResult.Success;
        }
        catch (FormatException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
