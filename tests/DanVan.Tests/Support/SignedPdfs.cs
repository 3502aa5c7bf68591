using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DanVan.Tests.Support;

/// <summary>
/// A test PKI made in the test: a root CA, an intermediate, the person's and the agency's certificates
/// (Vietnamese subjects with UID "CCCD:…" / "MST:…"), a stranger under another root, a certificate that had
/// expired, and a timestamping authority. Nothing is read from disk; validity is pinned, not the calendar.
/// </summary>
public sealed class TestPki : IDisposable
{
    /// <summary>When the test documents are signed (10/5/2026 10:00 Vietnam time).</summary>
    public static readonly DateTimeOffset SignedAt = new(2026, 5, 10, 3, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset From = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2031, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<TestPki> Instance = new(() => new TestPki());

    /// <summary>One PKI for the whole test run (key generation is the slow part).</summary>
    public static TestPki Shared => Instance.Value;

    public TestPki()
    {
        Root = Authority("CN=DanVan Test Root CA, O=DanVan Tests, C=VN", null, From.AddYears(-2), To);
        Intermediate = Authority("CN=DanVan Test Issuing CA, O=DanVan Tests, C=VN", Root, From.AddYears(-1), To);
        Person = Leaf(Name("Nguyễn Văn An", "Sở Nội vụ tỉnh Vĩnh Phúc", "Văn phòng", "CCCD:026090001234"), Intermediate, From, To, rsa: true);
        Agency = Leaf(Name("Sở Nội vụ tỉnh Vĩnh Phúc", "Sở Nội vụ tỉnh Vĩnh Phúc", null, "MST:2500123456"), Intermediate, From, To, rsa: false);
        OtherRoot = Authority("CN=Unconfigured Root CA, O=Elsewhere, C=VN", null, From.AddYears(-2), To);
        Stranger = Leaf(Name("Trần Thị Bình", "Đơn vị lạ", null, "CCCD:001190009999"), OtherRoot, From, To, rsa: false);
        Expired = Leaf(Name("Lê Văn Cũ", "Sở Nội vụ tỉnh Vĩnh Phúc", null, "CCCD:026080005678"), Intermediate, From.AddYears(-1), From.AddDays(-1), rsa: false);
        Tsa = Leaf(new X500DistinguishedName("CN=DanVan Test TSA, O=DanVan Tests, C=VN"), Intermediate, From, To, rsa: false, timestamping: true);
    }

    public X509Certificate2 Root { get; }
    public X509Certificate2 Intermediate { get; }
    public X509Certificate2 Person { get; }
    public X509Certificate2 Agency { get; }
    public X509Certificate2 OtherRoot { get; }
    public X509Certificate2 Stranger { get; }
    public X509Certificate2 Expired { get; }
    public X509Certificate2 Tsa { get; }

    /// <summary>The value of <c>DanVan__Signatures__TrustedRoots</c> that trusts <see cref="Root"/>, in PEM.</summary>
    public string RootPem => Root.ExportCertificatePem();

    private static X500DistinguishedName Name(string cn, string o, string? ou, string uid)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCountryOrRegion("VN");
        builder.AddOrganizationName(o);
        if (ou is not null)
        {
            builder.AddOrganizationalUnitName(ou);
        }

        builder.Add("0.9.2342.19200300.100.1.1", uid, UniversalTagNumber.UTF8String);
        builder.AddCommonName(cn);
        return builder.Build();
    }

    private static X509Certificate2 Authority(string subject, X509Certificate2? issuer, DateTimeOffset from, DateTimeOffset to)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(from, to);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var signed = request.Create(issuer, from, to, Serial());
        return signed.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 Leaf(X500DistinguishedName subject, X509Certificate2 issuer, DateTimeOffset from, DateTimeOffset to, bool rsa, bool timestamping = false)
    {
        using var rsaKey = rsa ? RSA.Create(2048) : null;
        using var ecKey = rsa ? null : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = rsa
            ? new CertificateRequest(subject, rsaKey!, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, ecKey!, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (timestamping)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.8")], true));
        }

        using var issuerKey = issuer.GetECDsaPrivateKey()!;
        using var signed = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), from, to, Serial());
        return rsa ? signed.CopyWithPrivateKey(rsaKey!) : signed.CopyWithPrivateKey(ecKey!);
    }

    private static byte[] Serial() => RandomNumberGenerator.GetBytes(12);

    public void Dispose()
    {
        foreach (var c in new[] { Root, Intermediate, Person, Agency, OtherRoot, Stranger, Expired, Tsa })
        {
            c.Dispose();
        }
    }
}

/// <summary>
/// A minimal PDF writer for tests: one page per list of lines, text in a Helvetica font whose ToUnicode map
/// carries every character used (so Vietnamese text needs no embedded font program), or a page holding only an
/// image (a scan). An empty string among the lines leaves a paragraph gap.
/// </summary>
public static class TestPdf
{
    public static byte[] Text(params string[][] pages)
    {
        var chars = pages.SelectMany(p => p).SelectMany(l => l).Distinct().Where(c => c != ' ').ToList();
        if (chars.Count > 200)
        {
            throw new ArgumentException("The test font maps at most 200 distinct characters.");
        }

        var codes = new Dictionary<char, int> { [' '] = 32 };
        for (var i = 0; i < chars.Count; i++)
        {
            codes[chars[i]] = 33 + i;
        }

        var objects = new List<string>();
        var pageRefs = new List<int>();
        // 1 catalog, 2 pages, 3 font, 4 ToUnicode, 5 the glyph, then content and page pairs.
        objects.Add("<< /Type /Catalog /Pages 2 0 R >>");
        objects.Add(""); // pages, filled below
        // A Type 3 font is defined inside the file (each glyph an empty procedure), so no font program is
        // needed anywhere; its ToUnicode map says which character each code is.
        objects.Add($"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 500 700] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /g 5 0 R >> "
            + $"/Encoding << /Type /Encoding /Differences [32 {string.Join(' ', Enumerable.Repeat("/g", 224))}] >> /FirstChar 32 /LastChar 255 "
            + $"/Widths [{string.Join(' ', Enumerable.Repeat("500", 224))}] /Resources << >> /ToUnicode 4 0 R >>");
        objects.Add(Stream(ToUnicode(codes)));
        objects.Add(Stream("500 0 0 0 500 700 d1"));
        foreach (var lines in pages)
        {
            var content = new StringBuilder("BT /F1 12 Tf\n");
            var y = 780;
            foreach (var line in lines)
            {
                if (line.Length > 0)
                {
                    var hex = string.Concat(line.Select(c => codes[c].ToString("X2", CultureInfo.InvariantCulture)));
                    content.Append(CultureInfo.InvariantCulture, $"1 0 0 1 56 {y} Tm <{hex}> Tj\n");
                }

                y -= line.Length == 0 ? 10 : 15;
            }

            content.Append("ET");
            objects.Add(Stream(content.ToString()));
            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {objects.Count} 0 R >>");
            pageRefs.Add(objects.Count);
        }

        objects[1] = $"<< /Type /Pages /Kids [{string.Join(' ', pageRefs.Select(p => $"{p} 0 R"))}] /Count {pageRefs.Count} >>";
        return Write(objects);
    }

    /// <summary>A scanned page: one gray image drawn over the page, no text at all.</summary>
    public static byte[] Scanned()
    {
        var pixels = new string('8', 2 * 16 * 16);
        return Write(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
            Stream("q 595 0 0 842 0 0 cm /Im1 Do Q"),
            $"<< /Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /ASCIIHexDecode /Length {pixels.Length + 1} >>\nstream\n{pixels}>\nendstream",
        ]);
    }

    /// <summary>A PDF of about <paramref name="size"/> bytes: a text page and an uncompressed filler stream.</summary>
    public static byte[] OfSize(int size, string text = "Báo cáo công tác dân vận")
    {
        var baseFile = Text([text]);
        var filler = Math.Max(0, size - baseFile.Length - 200);
        var body = new string('0', filler);
        var objects = new List<string>();
        var source = Encoding.Latin1.GetString(baseFile);
        // Re-write with one more object holding the filler (a stream nobody references is legal PDF).
        foreach (var obj in SplitObjects(source))
        {
            objects.Add(obj);
        }

        objects.Add($"<< /Length {body.Length} >>\nstream\n{body}\nendstream");
        return Write(objects);
    }

    private static IEnumerable<string> SplitObjects(string pdf)
    {
        var at = 0;
        while ((at = pdf.IndexOf(" 0 obj\n", at, StringComparison.Ordinal)) >= 0)
        {
            var start = at + " 0 obj\n".Length;
            var end = pdf.IndexOf("\nendobj\n", start, StringComparison.Ordinal);
            yield return pdf[start..end];
            at = end;
        }
    }

    private static string Stream(string content) => $"<< /Length {Encoding.Latin1.GetByteCount(content)} >>\nstream\n{content}\nendstream";

    private static string ToUnicode(Dictionary<char, int> codes)
    {
        var text = new StringBuilder("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n");
        foreach (var chunk in codes.Chunk(100))
        {
            text.Append(CultureInfo.InvariantCulture, $"{chunk.Length} beginbfchar\n");
            foreach (var (c, code) in chunk)
            {
                text.Append(CultureInfo.InvariantCulture, $"<{code:X2}> <{(int)c:X4}>\n");
            }

            text.Append("endbfchar\n");
        }

        text.Append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend");
        return text.ToString();
    }

    private static byte[] Write(IReadOnlyList<string> objects)
    {
        var output = new StringBuilder("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(Encoding.Latin1.GetByteCount(output.ToString()));
            output.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = Encoding.Latin1.GetByteCount(output.ToString());
        output.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            output.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        output.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(output.ToString());
    }
}

/// <summary>
/// Signs a PDF the way signing tools do: an incremental update appending a signature dictionary whose
/// /ByteRange covers the whole file but its /Contents, and a detached CMS (SignedCms) over those ranges,
/// optionally with an RFC 3161 timestamp token (built here: a TSTInfo signed by the test TSA).
/// </summary>
public static class TestSigner
{
    private const int ContentsCapacity = 16 * 1024;

    public static byte[] Sign(byte[] pdf, X509Certificate2 signer, TestPki pki, DateTimeOffset? at = null, bool timestamp = false, HashAlgorithmName? digest = null)
    {
        var when = at ?? TestPki.SignedAt;
        var text = Encoding.Latin1.GetString(pdf);
        var size = int.Parse(Last(text, "/Size ", " "), CultureInfo.InvariantCulture);
        var prev = Last(text, "startxref\n", "\n");
        var number = size;
        var placeholder = "/ByteRange [0 0000000000 0000000000 0000000000]";
        var obj = $"{number} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached {placeholder} /Contents <{new string('0', 2 * ContentsCapacity)}> /M (D:{VietnamDate(when)}) >>\nendobj\n";
        var objOffset = pdf.Length;
        var xref = objOffset + obj.Length;
        var tail = $"xref\n{number} 1\n{objOffset:D10} 00000 n \ntrailer\n<< /Size {number + 1} /Root 1 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n";
        var file = Encoding.Latin1.GetBytes(text + obj + tail);

        var gapStart = objOffset + obj.IndexOf("/Contents <", StringComparison.Ordinal) + "/Contents ".Length;
        var gapEnd = gapStart + 2 * ContentsCapacity + 2;
        var ranges = $"/ByteRange [0 {gapStart:D10} {gapEnd:D10} {file.Length - gapEnd:D10}]";
        Encoding.Latin1.GetBytes(ranges).CopyTo(file, objOffset + obj.IndexOf(placeholder, StringComparison.Ordinal));

        var signed = file[..gapStart].Concat(file[gapEnd..]).ToArray();
        var cms = Cms(signed, signer, pki, when, timestamp, digest ?? HashAlgorithmName.SHA256);
        if (cms.Length > ContentsCapacity)
        {
            throw new InvalidOperationException("The signature does not fit its placeholder.");
        }

        Encoding.Latin1.GetBytes(Convert.ToHexString(cms)).CopyTo(file, gapStart + 1);
        return file;
    }

    /// <summary>An incremental update after the signature (a new object and its xref), as a later edit would append.</summary>
    public static byte[] Append(byte[] pdf, string note = "Sửa sau khi ký")
    {
        var text = Encoding.Latin1.GetString(pdf);
        var size = int.Parse(Last(text, "/Size ", " "), CultureInfo.InvariantCulture);
        var prev = Last(text, "startxref\n", "\n");
        var obj = $"{size} 0 obj\n<< /Note ({string.Concat(note.Where(char.IsAscii))}) >>\nendobj\n";
        var tail = $"xref\n{size} 1\n{pdf.Length:D10} 00000 n \ntrailer\n<< /Size {size + 1} /Root 1 0 R /Prev {prev} >>\nstartxref\n{pdf.Length + obj.Length}\n%%EOF\n";
        return Encoding.Latin1.GetBytes(text + obj + tail);
    }

    private static byte[] Cms(byte[] content, X509Certificate2 certificate, TestPki pki, DateTimeOffset at, bool timestamp, HashAlgorithmName digest)
    {
        var cms = new SignedCms(new ContentInfo(content), detached: true);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate)
        {
            DigestAlgorithm = new Oid(digest == HashAlgorithmName.SHA384 ? "2.16.840.1.101.3.4.2.2" : "2.16.840.1.101.3.4.2.1"),
            IncludeOption = X509IncludeOption.None,
        };
        signer.Certificates.Add(certificate);
        signer.Certificates.Add(pki.Intermediate);
        signer.SignedAttributes.Add(new Pkcs9SigningTime(at.UtcDateTime));
        cms.ComputeSignature(signer, silent: true);
        if (timestamp)
        {
            var info = cms.SignerInfos[0];
            var token = TimestampToken(SHA256.HashData(info.GetSignature()), pki, at.AddSeconds(5));
            info.AddUnsignedAttribute(new AsnEncodedData(new Oid("1.2.840.113549.1.9.16.2.14"), token));
        }

        return cms.Encode();
    }

    /// <summary>An RFC 3161 TimeStampToken: a SignedData over a TSTInfo whose message imprint is the signature's SHA-256.</summary>
    public static byte[] TimestampToken(byte[] imprint, TestPki pki, DateTimeOffset genTime)
    {
        var tst = new AsnWriter(AsnEncodingRules.DER);
        using (tst.PushSequence())
        {
            tst.WriteInteger(1);
            tst.WriteObjectIdentifier("1.3.6.1.4.1.99999.1");
            using (tst.PushSequence())
            {
                using (tst.PushSequence())
                {
                    tst.WriteObjectIdentifier("2.16.840.1.101.3.4.2.1");
                }

                tst.WriteOctetString(imprint);
            }

            tst.WriteInteger(20260510);
            tst.WriteGeneralizedTime(genTime, omitFractionalSeconds: true);
        }

        var cms = new SignedCms(new ContentInfo(new Oid("1.2.840.113549.1.9.16.1.4"), tst.Encode()), detached: false);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, pki.Tsa) { IncludeOption = X509IncludeOption.EndCertOnly };
        signer.SignedAttributes.Add(new Pkcs9SigningTime(genTime.UtcDateTime));
        signer.SignedAttributes.Add(SigningCertificateV2(pki.Tsa));
        cms.ComputeSignature(signer, silent: true);
        return cms.Encode();
    }

    /// <summary>ESS signing-certificate-v2 (RFC 5035): the TSA certificate's SHA-256, which timestamp readers require.</summary>
    private static AsnEncodedData SigningCertificateV2(X509Certificate2 certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteOctetString(SHA256.HashData(certificate.RawData));
        }

        return new AsnEncodedData(new Oid("1.2.840.113549.1.9.16.2.47"), writer.Encode());
    }

    private static string VietnamDate(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(7)).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+07'00'";

    private static string Last(string text, string before, string after)
    {
        var at = text.LastIndexOf(before, StringComparison.Ordinal) + before.Length;
        var end = text.IndexOfAny([.. after, '/', '>'], at);
        return text[at..end].Trim();
    }
}
