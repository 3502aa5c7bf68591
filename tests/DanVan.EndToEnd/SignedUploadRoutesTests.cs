using System.Net;
using System.Text;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;

namespace DanVan.EndToEnd;

/// <summary>A signed PDF through the real worker: its receipt, its version list, and its row on the dashboard (status JSON and CSV).</summary>
[Collection(DanVanHostCollection.Name)]
public sealed class SignedUploadRoutesTests(DanVanHost danvan)
{
    private static readonly PlanPeriod Period = SamplePlan.Current(SuiteClock.Now);

    [Fact]
    public async Task A_signed_upload_gets_its_signatures_in_the_receipt_and_on_its_dashboard_row()
    {
        var (code, token) = await danvan.UnitWithTokenAsync("sig");
        var pki = TestPki.Shared;
        var pdf = TestSigner.Sign(TestSigner.Sign(TestPdf.Text(["BÁO CÁO", "Kết quả công tác dân vận"]), pki.Person, pki), pki.Agency, pki, timestamp: true);

        using var uploaded = await danvan.SendAsync(Scenario.UploadRequest(token, Period.Id, pdf: pdf));
        var receipt = await uploaded.ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal("valid", receipt.GetProperty("signatureVerdict").GetString());
        var signatures = receipt.GetProperty("signatures");
        Assert.Equal(2, signatures.GetArrayLength());
        Assert.Equal("Nguyễn Văn An", signatures[0].GetProperty("signer").GetProperty("commonName").GetString());
        Assert.Equal("UID=CCCD:026090001234", signatures[0].GetProperty("signer").GetProperty("identifiers")[0].GetString());
        Assert.Equal("signed_attribute", signatures[0].GetProperty("timeSource").GetString());
        Assert.Equal("timestamp", signatures[1].GetProperty("timeSource").GetString());
        Assert.Equal(new DateTimeOffset(2026, 5, 10, 10, 0, 5, TimeSpan.FromHours(7)), signatures[1].GetProperty("signingTime").GetDateTimeOffset());
        var summary = receipt.GetProperty("signatureSummary").GetString()!;
        Assert.Equal("2 chữ ký số: Nguyễn Văn An (Sở Nội vụ tỉnh Vĩnh Phúc) ✔, Sở Nội vụ tỉnh Vĩnh Phúc ✔ — hợp lệ, phủ toàn bộ tệp.", summary);

        using var listed = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/reports/{code}"));
        Assert.Equal(summary, (await listed.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("versions")[0].GetProperty("signatureSummary").GetString());

        using var status = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{Period.Id}/status"));
        var row = (await status.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("unitCode").GetString() == code);
        Assert.Equal("valid", row.GetProperty("signatureVerdict").GetString());
        Assert.Equal(summary, row.GetProperty("signatureSummary").GetString());

        using var csv = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{Period.Id}/status?format=csv"));
        var lines = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF').Split("\r\n");
        Assert.Contains(",Ký số,Mã ký số,", lines[0]);
        Assert.Contains($",\"{summary}\",valid,", lines.Single(l => l.Contains($",{code},", StringComparison.Ordinal)));

        using var page = await danvan.SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/dashboard"));
        Assert.Contains("<th scope=\"col\">Ký số</th>", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unsigned_PDF_is_accepted_under_the_default_policy_and_says_it_has_no_signature()
    {
        var (_, token) = await danvan.UnitWithTokenAsync("sig");

        using var uploaded = await danvan.SendAsync(Scenario.UploadRequest(token, Period.Id, pdf: TestPdf.Text(["Báo cáo chưa ký"])));
        var receipt = await uploaded.ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal("unsigned", receipt.GetProperty("signatureVerdict").GetString());
        Assert.Equal("Không có chữ ký số.", receipt.GetProperty("signatureSummary").GetString());
    }
}
