using System.Text;
using DanVan.Periods;
using DanVan.Signatures;
using DanVan.Tests.Support;
using DanVan.Tests.Uploads;
using UploadSamples = DanVan.Tests.Uploads.Samples;

namespace DanVan.Tests.Signatures;

/// <summary>Signature checks as part of accepting an upload, against Azurite: stored with the version, shown in the receipt, refused under Require.</summary>
public sealed class SignedUploadTests
{
    private static readonly TestPki Pki = TestPki.Shared;
    private static readonly byte[] Report = TestPdf.Text(["BÁO CÁO", "Kết quả thực hiện công tác dân vận 6 tháng đầu năm 2026"]);

    private static Task<UploadBed> BedAsync(string policy = "Record", string? roots = null) => UploadBed.StartAsync(settings: new Dictionary<string, string?>
    {
        ["DanVan:Signatures:Policy"] = policy,
        ["DanVan:Signatures:TrustedRoots"] = roots ?? Pki.RootPem,
    });

    [Fact]
    public async Task A_signed_PDF_is_stored_with_its_signatures_in_the_receipt_the_version_list_and_the_status_row()
    {
        await using var bed = await BedAsync();
        var pdf = TestSigner.Sign(TestSigner.Sign(Report, Pki.Person, Pki), Pki.Agency, Pki, timestamp: true);

        var response = await bed.SendAsync(UploadBed.Raw(pdf, "Báo cáo ký số.pdf", bed.UnitToken));

        Assert.Equal(201, response.Status);
        var receipt = response.Json;
        Assert.Equal("valid", receipt.GetProperty("signatureVerdict").GetString());
        var signatures = receipt.GetProperty("signatures");
        Assert.Equal(2, signatures.GetArrayLength());
        Assert.Equal("Nguyễn Văn An", signatures[0].GetProperty("signer").GetProperty("commonName").GetString());
        Assert.Equal("UID=MST:2500123456", signatures[1].GetProperty("signer").GetProperty("identifiers")[0].GetString());
        Assert.Equal("timestamp", signatures[1].GetProperty("timeSource").GetString());
        Assert.Equal("2026-05-10T10:00:05+07:00", signatures[1].GetProperty("signingTime").GetString());
        Assert.StartsWith("2 chữ ký số: Nguyễn Văn An (Sở Nội vụ tỉnh Vĩnh Phúc) ✔, Sở Nội vụ tỉnh Vĩnh Phúc ✔", receipt.GetProperty("signatureSummary").GetString());

        var list = await bed.ListAsync(UploadBed.Unit, bed.UnitToken);
        Assert.Equal("valid", list.Json.GetProperty("versions")[0].GetProperty("signatureVerdict").GetString());

        var status = await bed.App.Get<StatusService>().ForAsync(bed.App.Get<PeriodCatalog>().Get(UploadBed.Period));
        var row = status.Rows.Single(r => r.UnitCode == UploadBed.Unit);
        Assert.Equal("valid", row.Signatures!.Verdict);
        Assert.Equal(receipt.GetProperty("signatureSummary").GetString(), row.Signatures.Summary);
    }

    [Fact]
    public async Task Under_Record_an_unsigned_or_broken_PDF_is_accepted_and_says_so_and_a_DOCX_has_no_signature_fields()
    {
        await using var bed = await BedAsync();
        var broken = TestSigner.Sign(Report, Pki.Person, Pki);
        broken[Encoding.Latin1.GetString(broken).IndexOf("/Count 1", StringComparison.Ordinal) + 7] = (byte)'2';

        var unsigned = await bed.SendAsync(UploadBed.Raw(Report, "a.pdf", bed.UnitToken));
        var changed = await bed.SendAsync(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(broken, "b.pdf", "application/pdf")));
        var docx = await bed.SendAsync(UploadBed.Raw(UploadSamples.Docx(), "c.docx", bed.UnitToken));

        Assert.Equal(201, unsigned.Status);
        Assert.Equal("unsigned", unsigned.Json.GetProperty("signatureVerdict").GetString());
        Assert.Equal("Không có chữ ký số.", unsigned.Json.GetProperty("signatureSummary").GetString());
        Assert.Equal(201, changed.Status);
        Assert.Equal("broken", changed.Json.GetProperty("signatureVerdict").GetString());
        Assert.Contains("nội dung đã bị thay đổi sau khi ký", changed.Json.GetProperty("signatureSummary").GetString());
        Assert.Equal(201, docx.Status);
        Assert.False(docx.Json.TryGetProperty("signatures", out _));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "signature_missing", "an unsigned PDF" },
        { "signature_invalid", "a PDF changed after signing" },
        { "signature_invalid", "a PDF with a malformed signature dictionary" },
        { "signature_content_appended", "a PDF with content added after its signature" },
        { "signature_missing", "an unsigned PDF sent as a form (staged blocks)" },
        { "signed_pdf_required", "a DOCX" },
        { "signed_pdf_required", "an XLSX" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Under_Require_a_refused_upload_answers_its_own_code_and_leaves_nothing(string code, string upload)
    {
        await using var bed = await BedAsync("Require");
        var signed = TestSigner.Sign(Report, Pki.Person, Pki);
        var request = upload switch
        {
            "an unsigned PDF" => UploadBed.Raw(Report, "a.pdf", bed.UnitToken),
            "a PDF changed after signing" => UploadBed.Raw(Changed(signed), "a.pdf", bed.UnitToken),
            "a PDF with a malformed signature dictionary" => UploadBed.Raw(Malformed(), "a.pdf", bed.UnitToken),
            "a PDF with content added after its signature" => UploadBed.Raw(TestSigner.Append(signed), "a.pdf", bed.UnitToken),
            "an unsigned PDF sent as a form (staged blocks)" => UploadBed.Multipart(bed.UnitToken, MultipartPart.File(Report, "a.pdf", "application/pdf")),
            "a DOCX" => UploadBed.Raw(UploadSamples.Docx(), "a.docx", bed.UnitToken),
            "an XLSX" => UploadBed.Raw(UploadSamples.Xlsx(), "a.xlsx", bed.UnitToken),
            _ => throw new ArgumentException(upload),
        };

        var response = await bed.SendAsync(request);

        Assert.True(code == response.Code, $"{upload}: expected {code}, got {response.Status} {response.Text}");
        Assert.Equal(422, response.Status);
        Assert.False(string.IsNullOrWhiteSpace(response.Json.GetProperty("detail").GetString()));
        await bed.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Under_Require_a_signed_PDF_is_accepted_even_when_its_issuer_is_not_configured_as_trusted()
    {
        await using var bed = await BedAsync("Require", roots: "");

        var response = await bed.SendAsync(UploadBed.Raw(TestSigner.Sign(Report, Pki.Person, Pki), "a.pdf", bed.UnitToken));

        Assert.Equal(201, response.Status);
        Assert.Equal("untrusted", response.Json.GetProperty("signatureVerdict").GetString());
        Assert.Contains("chưa được cấu hình là tin cậy", response.Json.GetProperty("signatureSummary").GetString());
    }

    [Fact]
    public async Task Under_Record_a_malformed_signature_dictionary_is_a_clean_result_not_a_500()
    {
        await using var bed = await BedAsync();

        var response = await bed.SendAsync(UploadBed.Raw(Malformed(), "a.pdf", bed.UnitToken));

        Assert.Equal(201, response.Status);
        Assert.Equal("broken", response.Json.GetProperty("signatureVerdict").GetString());
    }

    [Fact]
    public async Task A_signed_PDF_is_verified_while_it_streams_to_storage_so_neither_path_reads_the_file_back()
    {
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(settings: new Dictionary<string, string?> { ["DanVan:Signatures:TrustedRoots"] = Pki.RootPem }, faults: faults);
        var pdf = TestSigner.Sign(TestSigner.Sign(Report, Pki.Person, Pki), Pki.Agency, Pki, timestamp: true);

        var before = faults.Seen(StorageCall.BlobRead);
        var raw = await bed.SendAsync(UploadBed.Raw(pdf, "Báo cáo ký số.pdf", bed.UnitToken));
        var afterRaw = faults.Seen(StorageCall.BlobRead);
        var multipart = await bed.SendAsync(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(TestSigner.Sign(Report, Pki.Agency, Pki), "b.pdf", "application/pdf")));

        Assert.Equal(201, raw.Status);
        Assert.Equal("valid", raw.Json.GetProperty("signatureVerdict").GetString());
        Assert.Equal(201, multipart.Status);
        Assert.Equal("valid", multipart.Json.GetProperty("signatureVerdict").GetString());
        Assert.Equal(before, afterRaw);
        Assert.Equal(afterRaw, faults.Seen(StorageCall.BlobRead));
    }

    private static byte[] Changed(byte[] signed)
    {
        var copy = signed.ToArray();
        copy[Encoding.Latin1.GetString(copy).IndexOf("/Count 1", StringComparison.Ordinal) + 7] = (byte)'2';
        return copy;
    }

    private static byte[] Malformed() =>
        Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(Report).Replace("/Type /Catalog", "/Type /Catalog /V << /Type /Sig /ByteRange [0 x 5] /Contents <30> >>"));
}
