using System.Security.Cryptography;
using System.Text;
using DanVan.Signatures;
using DanVan.Tests.Support;
using Microsoft.Extensions.Options;

namespace DanVan.Tests.Signatures;

public sealed class PdfSignatureVerifierTests
{
    private static readonly TestPki Pki = TestPki.Shared;
    private static readonly DateTimeOffset ReceivedAt = TestPki.SignedAt.AddDays(1);
    private static readonly byte[] Report = TestPdf.Text(["BÁO CÁO", "Kết quả thực hiện công tác dân vận năm 2026"]);

    private static PdfSignatureVerifier Verifier(string? roots = null) =>
        new(Options.Create(new SignatureOptions { TrustedRoots = roots ?? Pki.RootPem }));

    internal static Task<SignatureReport> VerifyAsync(byte[] file, PdfSignatureVerifier? verifier = null, SignatureLimits? limits = null) =>
        (verifier ?? Verifier()).VerifyAsync(
            _ => Task.FromResult<Stream>(new MemoryStream(file, writable: false)),
            (offset, length, _) => Task.FromResult<Stream>(new MemoryStream(file, (int)offset, (int)length, writable: false)),
            ReceivedAt,
            limits ?? SignatureLimits.Default,
            CancellationToken.None);

    [Fact]
    public async Task A_PDF_signed_by_a_person_under_the_configured_root_is_valid_and_names_the_signer()
    {
        var report = await VerifyAsync(TestSigner.Sign(Report, Pki.Person, Pki));

        Assert.Equal(SignatureVerdicts.Valid, report.Verdict);
        var s = Assert.Single(report.Signatures);
        Assert.True(s.Intact);
        Assert.True(s.CoversWholeFile);
        Assert.Equal(0, s.BytesAfter);
        Assert.Equal(TrustResults.Trusted, s.Trust);
        Assert.Equal("Nguyễn Văn An", s.Signer!.CommonName);
        Assert.Equal("Sở Nội vụ tỉnh Vĩnh Phúc", s.Signer.Organization);
        Assert.Equal("Văn phòng", s.Signer.OrganizationalUnit);
        Assert.Contains("UID=CCCD:026090001234", s.Signer.Identifiers);
        Assert.Equal(TimeSources.SignedAttribute, s.TimeSource);
        Assert.Equal(TestPki.SignedAt, s.SigningTime);
        Assert.Equal(TimeSpan.FromHours(7), s.SigningTime!.Value.Offset);
        Assert.Empty(s.Problems);
        Assert.Equal("1 chữ ký số: Nguyễn Văn An (Sở Nội vụ tỉnh Vĩnh Phúc) ✔ — hợp lệ, phủ toàn bộ tệp.", report.Summary);
    }

    [Fact]
    public async Task A_PDF_signed_by_the_person_then_the_agency_has_two_valid_signatures_the_first_followed_by_the_second()
    {
        var once = TestSigner.Sign(Report, Pki.Person, Pki);
        var twice = TestSigner.Sign(once, Pki.Agency, Pki, TestPki.SignedAt.AddMinutes(30));

        var report = await VerifyAsync(twice);

        Assert.Equal(SignatureVerdicts.Valid, report.Verdict);
        Assert.Equal(2, report.Signatures.Count);
        var (person, agency) = (report.Signatures[0], report.Signatures[1]);
        Assert.True(person.Intact && agency.Intact);
        Assert.False(person.CoversWholeFile);
        Assert.Equal(twice.Length - once.Length, person.BytesAfter);
        Assert.True(agency.CoversWholeFile);
        Assert.Equal("Sở Nội vụ tỉnh Vĩnh Phúc", agency.Signer!.CommonName);
        Assert.Contains("UID=MST:2500123456", agency.Signer.Identifiers);
        Assert.Equal(TestPki.SignedAt.AddMinutes(30), agency.SigningTime);
        Assert.Contains("Nguyễn Văn An (Sở Nội vụ tỉnh Vĩnh Phúc) ✔, Sở Nội vụ tỉnh Vĩnh Phúc ✔", report.Summary);
    }

    [Fact]
    public async Task A_byte_changed_inside_a_signed_range_breaks_the_signature()
    {
        var signed = TestSigner.Sign(Report, Pki.Person, Pki);
        var at = Encoding.Latin1.GetString(signed).IndexOf("/Count 1", StringComparison.Ordinal) + "/Count ".Length;
        signed[at] = (byte)'2';

        var report = await VerifyAsync(signed);

        Assert.Equal(SignatureVerdicts.Broken, report.Verdict);
        var s = Assert.Single(report.Signatures);
        Assert.False(s.Intact);
        Assert.Contains("digest_mismatch", s.Problems);
        Assert.Equal("nội dung đã bị thay đổi sau khi ký", s.Detail);
        Assert.True(report.NeedsAttention);
        Assert.Contains("✗", report.Summary);
    }

    [Fact]
    public async Task Content_appended_after_the_last_signature_is_reported_with_how_many_bytes()
    {
        var signed = TestSigner.Sign(Report, Pki.Person, Pki);
        var changed = TestSigner.Append(signed);

        var report = await VerifyAsync(changed);

        Assert.Equal(SignatureVerdicts.ContentAppended, report.Verdict);
        var s = Assert.Single(report.Signatures);
        Assert.True(s.Intact);
        Assert.False(s.CoversWholeFile);
        Assert.Equal(changed.Length - signed.Length, s.BytesAfter);
        Assert.Contains("content_after_signature", s.Problems);
        Assert.Contains("nội dung được thêm sau chữ ký cuối cùng", report.Summary);
    }

    [Fact]
    public async Task A_signer_that_does_not_chain_to_the_configured_root_is_intact_but_untrusted()
    {
        var report = await VerifyAsync(TestSigner.Sign(Report, Pki.Stranger, Pki));

        Assert.Equal(SignatureVerdicts.Untrusted, report.Verdict);
        var s = Assert.Single(report.Signatures);
        Assert.True(s.Intact);
        Assert.Equal(TrustResults.UntrustedIssuer, s.Trust);
        Assert.Contains("tổ chức cấp chứng thư chưa được cấu hình là tin cậy", report.Summary);
        Assert.False(report.NeedsAttention);
    }

    [Fact]
    public async Task With_no_trust_anchor_configured_a_good_signature_says_its_issuer_is_not_trusted()
    {
        var report = await VerifyAsync(TestSigner.Sign(Report, Pki.Person, Pki), Verifier(roots: ""));

        Assert.Equal(SignatureVerdicts.Untrusted, report.Verdict);
        Assert.Equal(TrustResults.UntrustedIssuer, Assert.Single(report.Signatures).Trust);
    }

    [Fact]
    public async Task A_certificate_expired_at_signing_time_is_not_valid_at_signing_time()
    {
        var report = await VerifyAsync(TestSigner.Sign(Report, Pki.Expired, Pki));

        var s = Assert.Single(report.Signatures);
        Assert.True(s.Intact);
        Assert.Equal(TrustResults.NotValidAtSigningTime, s.Trust);
        Assert.Equal(SignatureVerdicts.Untrusted, report.Verdict);
        Assert.Contains("chứng thư không còn hiệu lực tại thời điểm ký", report.Summary);
    }

    [Fact]
    public async Task A_signature_with_an_RFC_3161_timestamp_takes_its_time_from_the_token()
    {
        var report = await VerifyAsync(TestSigner.Sign(Report, Pki.Agency, Pki, timestamp: true));

        var s = Assert.Single(report.Signatures);
        Assert.Equal(SignatureVerdicts.Valid, report.Verdict);
        Assert.Equal(TimeSources.Timestamp, s.TimeSource);
        Assert.Equal(TestPki.SignedAt.AddSeconds(5), s.SigningTime);
    }

    [Fact]
    public async Task A_SHA_384_signature_is_checked_by_reading_its_ranges_again()
    {
        var report = await VerifyAsync(TestSigner.Sign(Report, Pki.Person, Pki, digest: HashAlgorithmName.SHA384));

        Assert.Equal(SignatureVerdicts.Valid, report.Verdict);
    }

    [Fact]
    public async Task A_PDF_with_no_signature_is_unsigned()
    {
        var report = await VerifyAsync(Report);

        Assert.Equal(SignatureVerdicts.Unsigned, report.Verdict);
        Assert.Empty(report.Signatures);
        Assert.Equal("Không có chữ ký số.", report.Summary);
    }

    [Theory]
    [InlineData("/ByteRange [0 10 20]")]
    [InlineData("/ByteRange [0 -5 abc 999999999999]")]
    [InlineData("/ByteRange [0 9999999 9999999 9999999]")]
    public async Task A_malformed_byte_range_is_a_broken_signature_not_an_exception(string byteRange)
    {
        var file = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(Report).Replace("/Type /Catalog", $"/Type /Catalog /V << /Type /Sig {byteRange} /Contents <3082> >>"));

        var report = await VerifyAsync(file);

        Assert.Equal(SignatureVerdicts.Broken, report.Verdict);
        Assert.Contains("byte_range_invalid", Assert.Single(report.Signatures).Problems);
    }

    [Fact]
    public async Task Contents_that_are_not_a_CMS_signature_are_a_broken_signature()
    {
        var signed = TestSigner.Sign(Report, Pki.Person, Pki);
        var text = Encoding.Latin1.GetString(signed);
        var at = text.IndexOf("/Contents <", StringComparison.Ordinal) + "/Contents <".Length;
        Encoding.Latin1.GetBytes("0402ABCD").CopyTo(signed, at);

        var report = await VerifyAsync(signed);

        Assert.Equal(SignatureVerdicts.Broken, report.Verdict);
        Assert.Contains("cms_invalid", Assert.Single(report.Signatures).Problems);
    }

    [Fact]
    public async Task More_signature_dictionaries_than_the_bound_make_the_file_broken()
    {
        var file = TestSigner.Sign(TestSigner.Sign(Report, Pki.Person, Pki), Pki.Agency, Pki);

        var report = await VerifyAsync(file, limits: SignatureLimits.Default with { MaxSignatures = 1 });

        Assert.Equal(SignatureVerdicts.Broken, report.Verdict);
    }

    [Fact]
    public async Task A_signature_is_checked_as_soon_as_the_scan_has_read_it_while_the_rest_of_the_file_still_streams()
    {
        var once = TestSigner.Sign(Report, Pki.Person, Pki);
        var file = TestSigner.Sign(once, Pki.Agency, Pki, TestPki.SignedAt.AddMinutes(30));
        var verifier = Verifier();
        using var scan = verifier.Scan(SignatureLimits.Default);

        // Up to the first revision's end: the person's signature is read, the agency's not yet.
        scan.Append(file.AsSpan(0, once.Length));
        var person = Assert.Single(scan.Contents);
        var check = await Assert.IsType<Task<CmsCheck>>(person.Prepared).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(check.SignatureVerifies);
        Assert.Equal((TrustResults.Trusted, TimeSources.SignedAttribute, (DateTimeOffset?)TestPki.SignedAt), (check.Trust, check.Source, check.Time));
        Assert.Equal("Nguyễn Văn An", check.Subject!.CommonName);

        scan.Append(file.AsSpan(once.Length));
        var streamed = await verifier.VerifyScannedAsync(scan, (_, _, _) => throw new InvalidOperationException("nothing is read back"), ReceivedAt, SignatureLimits.Default, CancellationToken.None);
        var whole = await VerifyAsync(file, verifier);
        Assert.Equal(SignatureVerdicts.Valid, streamed.Verdict);
        Assert.Equal(whole.ToJson(), streamed.ToJson());
    }

    [Fact]
    public void A_signature_whose_CMS_is_not_DER_is_a_clean_result_from_the_early_check_too()
    {
        var verifier = Verifier();
        Assert.Null(verifier.Prepare([0x30, 0x82, 0xff]).Cms);
        Assert.Null(verifier.Prepare([0x04, 0x01, 0x00]).Cms);
        Assert.Null(verifier.Prepare([]).Cms);
    }

    [Fact]
    public async Task The_scan_finds_the_same_signatures_whatever_the_chunk_size()
    {
        var file = TestSigner.Sign(TestSigner.Sign(Report, Pki.Person, Pki), Pki.Agency, Pki);
        foreach (var chunk in new[] { 1, 7, 4096 })
        {
            using var scan = new PdfSignatureScan(8, 64 * 1024);
            for (var i = 0; i < file.Length; i += chunk)
            {
                scan.Append(file.AsSpan(i, Math.Min(chunk, file.Length - i)));
            }

            scan.Complete();
            Assert.Equal(2, scan.ByteRanges.Count);
            Assert.Equal(2, scan.Contents.Count);
            var last = scan.Contents[1];
            var expected = SHA256.HashData(file[..(int)last.Start].Concat(file[(int)last.End..]).ToArray());
            Assert.Equal(expected, last.Sha256WithoutThis[file.Length]);
            Assert.Equal(SHA256.HashData(file), scan.FileSha256()); // the upload's digest of the file, taken by the scan
        }
    }

    [Fact]
    public void Trusted_roots_that_do_not_parse_name_the_setting()
    {
        var ex = Assert.Throws<FormatException>(() => new SignatureOptions { TrustedRoots = "not base64!" }.Roots());
        Assert.Contains("DanVan__Signatures__TrustedRoots", ex.Message);
        Assert.Single(new SignatureOptions { TrustedRoots = Convert.ToBase64String(Pki.Root.RawData) }.Roots());
    }
}
