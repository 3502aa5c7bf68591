using System.Security.Cryptography;
using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Signatures;
using DanVan.Tests.Signatures;
using DanVan.Tests.Support;

namespace DanVan.Tests.Compilation;

public sealed class PdfReportTextTests
{
    internal static readonly string[] VietnameseReport =
    [
        "BÁO CÁO KẾT QUẢ THỰC HIỆN CHỈ THỊ SỐ 33/CT-TTG",
        "",
        "Sở Tài chính báo cáo tình hình thực hiện trong 6 tháng đầu năm 2026",
        "như sau.",
        "",
        "1. Công tác phổ biến, quán triệt",
        "Sở đã tổ chức hội nghị quán triệt Chỉ thị số 33/CT-TTg cho toàn thể",
        "cán bộ, công chức, viên chức của cơ quan vào ngày 15/3/2026.",
        "",
        "4. Cải cách hành chính",
        "Rút ngắn 30% thời gian giải quyết thủ tục hành chính về ngân sách,",
        "được người dân và doanh nghiệp đánh giá cao.",
    ];

    internal const string SectionOneJoined = "Sở đã tổ chức hội nghị quán triệt Chỉ thị số 33/CT-TTg cho toàn thể cán bộ, công chức, viên chức của cơ quan vào ngày 15/3/2026.";
    internal const string SectionFourJoined = "Rút ngắn 30% thời gian giải quyết thủ tục hành chính về ngân sách, được người dân và doanh nghiệp đánh giá cao.";

    [Fact]
    public void A_Vietnamese_text_PDF_is_read_into_whole_paragraphs_sorted_into_the_plans_sections_like_DOCX()
    {
        var reading = PdfReportText.Read(new MemoryStream(TestPdf.Text(VietnameseReport)), "bao-cao.pdf");

        Assert.Null(reading.Problem);
        var filed = ReportFiling.File(DanVan.Outline.OutlineService.Sample("H1"), ReportTree.Read(reading.Paragraphs!)).Where(f => f.Outcome == FilingOutcome.Placed).ToList();
        Assert.Equal([("II", "1", SectionOneJoined), ("II", "4", SectionFourJoined)], filed.Select(f => (f.Part!, f.Content!, f.Line.Original)));
        Assert.Equal("1. Công tác phổ biến, quán triệt", filed[0].Heading);
    }

    [Fact]
    public void A_signed_PDF_reads_its_text_through_the_incremental_update()
    {
        var signed = TestSigner.Sign(TestPdf.Text(VietnameseReport), TestPki.Shared.Person, TestPki.Shared);

        var reading = PdfReportText.Read(new MemoryStream(signed), "ky-so.pdf");

        Assert.Contains(SectionOneJoined, reading.Paragraphs!.Select(p => p.Text));
    }

    [Fact]
    public void A_scan_with_no_text_layer_gets_the_note_instead_of_an_empty_section()
    {
        var reading = PdfReportText.Read(new MemoryStream(TestPdf.Scanned()), "ban-quet.pdf");

        Assert.Null(reading.Paragraphs);
        Assert.Contains("bản quét, không có lớp chữ", reading.Problem);
    }

    [Fact]
    public void A_PDF_over_a_bound_is_a_note_naming_the_bound()
    {
        var pdf = TestPdf.Text(VietnameseReport, VietnameseReport, VietnameseReport);

        var pages = PdfReportText.Read(new MemoryStream(pdf), "dai.pdf", ReportLimits.Default with { MaxPages = 2 });
        var chars = PdfReportText.Read(new MemoryStream(pdf), "dai.pdf", ReportLimits.Default with { MaxTextChars = 300 });

        Assert.Contains("hơn 2 trang", pages.Problem);
        Assert.Contains("văn bản dài hơn 300 ký tự", chars.Problem);
    }

    [Fact]
    public void A_file_that_is_not_a_PDF_inside_is_a_note_not_an_exception()
    {
        var reading = PdfReportText.Read(new MemoryStream("%PDF-1.7\nkhông phải PDF"u8.ToArray()), "hong.pdf");

        Assert.Null(reading.Paragraphs);
        Assert.NotNull(reading.Problem);
    }

    [Fact]
    public void A_file_without_an_end_of_file_mark_in_its_last_kilobyte_is_a_note_without_being_parsed()
    {
        // 1 MB of random bytes behind a PDF header: opened leniently, PdfPig would search all of it for objects.
        var noise = RandomNumberGenerator.GetBytes(1024 * 1024);
        "%PDF-1.7\n"u8.CopyTo(noise);

        var reading = PdfReportText.Read(new MemoryStream(noise), "nhieu.pdf");

        Assert.Null(reading.Paragraphs);
        Assert.Equal(PdfReportText.Broken("nhieu.pdf", "không có %%EOF ở cuối tệp"), reading.Problem);
    }

    [Fact]
    public void A_PDF_with_a_little_trailing_garbage_after_its_end_of_file_mark_is_still_read()
    {
        var pdf = TestPdf.Text(VietnameseReport).Concat(new byte[PdfReportText.EndOfFileWindow - 16]).ToArray();

        var reading = PdfReportText.Read(new MemoryStream(pdf), "bao-cao.pdf");

        Assert.Contains(SectionOneJoined, reading.Paragraphs!.Select(p => p.Text));
    }

    [Fact]
    public async Task The_bundle_shows_signatures_in_the_workbook_and_manifest_and_the_draft_gathers_PDF_text_and_lists_unsigned_or_broken_files()
    {
        var pki = TestPki.Shared;
        var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 16, 0, 15, 0, TimeSpan.FromHours(7)));
        await using var _app = app;
        await SubmissionSeeder.AddUnitAsync(app, "so-tai-chinh", "Sở Tài chính");
        await SubmissionSeeder.AddUnitAsync(app, "so-noi-vu", "Sở Nội vụ");
        await SubmissionSeeder.AddUnitAsync(app, "so-y-te", "Sở Y tế");
        var seeder = new SubmissionSeeder(app);
        var signed = TestSigner.Sign(TestPdf.Text(VietnameseReport), pki.Person, pki);
        var broken = TestSigner.Append(TestSigner.Sign(TestPdf.Text(["Báo cáo"]), pki.Agency, pki));
        var at = new DateTimeOffset(2026, 5, 12, 8, 0, 0, TimeSpan.FromHours(7));
        var good = await PdfSignatureVerifierTests.VerifyAsync(signed);
        var appended = await PdfSignatureVerifierTests.VerifyAsync(broken);
        await seeder.SeedAsync("2026-H1", "so-tai-chinh", "bao-cao.pdf", signed, at, "application/pdf", good.ToJson());
        await seeder.SeedAsync("2026-H1", "so-noi-vu", "bao-cao.pdf", broken, at, "application/pdf", appended.ToJson());
        await seeder.SeedAsync("2026-H1", "so-y-te", "bao-cao.docx", TestFiles.Docx("Báo cáo"), at);

        await app.Get<Compiler>().CompileAsync(app.Get<PeriodCatalog>().Get("2026-H1"), "admin");
        var bundle = await Bundle.DownloadLatestAsync(app, "2026-H1");

        var rows = TestFiles.XlsxRows(bundle[BundleWriter.SummaryEntry]);
        Assert.Equal("Ký số", rows[(uint)SummaryWorkbook.HeaderRow]["J"]);
        var financeRow = rows.Values.Single(r => r.GetValueOrDefault("B") == "Sở Tài chính");
        Assert.Equal(good.Summary, financeRow["J"]);

        var inputs = bundle.Manifest.GetProperty("inputs").EnumerateArray().ToDictionary(i => i.GetProperty("unitCode").GetString()!);
        Assert.Equal("valid", inputs["so-tai-chinh"].GetProperty("signatures").GetProperty("verdict").GetString());
        Assert.Equal("Nguyễn Văn An", inputs["so-tai-chinh"].GetProperty("signatures").GetProperty("signatures")[0].GetProperty("signer").GetProperty("commonName").GetString());
        Assert.Equal("content_appended", inputs["so-noi-vu"].GetProperty("signatures").GetProperty("verdict").GetString());

        var paragraphs = TestFiles.DocxParagraphs(bundle[BundleWriter.DraftEntry]);
        var list = paragraphs.IndexOf($"{DraftSignatures.Heading} (2):");
        Assert.True(list > 0, string.Join("\n", paragraphs));
        Assert.Equal($"- Sở Nội vụ: {appended.Summary}", paragraphs[list + 1]);
        Assert.StartsWith("- Sở Y tế: tệp \"bao-cao.docx\" không phải PDF", paragraphs[list + 2]);

        var one = paragraphs.FindIndex(p => p.StartsWith("1. Phổ biến, quán triệt"));
        var two = paragraphs.FindIndex(p => p.StartsWith("2. "));
        Assert.InRange(paragraphs.IndexOf("Sở Tài chính: " + SectionOneJoined), one + 1, two - 1);

        // The manifest says, per paragraph, the unit, version, the heading it came from and where it went.
        var filing = bundle.Manifest.GetProperty("filing").EnumerateArray().Where(f => f.GetProperty("unitCode").GetString() == "so-tai-chinh").ToList();
        var placed = filing.Single(f => f.GetProperty("text").GetString()!.StartsWith("Sở đã tổ chức hội nghị quán triệt"));
        Assert.Equal(1, placed.GetProperty("version").GetInt32());
        Assert.Equal("1. Công tác phổ biến, quán triệt", placed.GetProperty("heading").GetString());
        Assert.Equal(("placed", "II", "1"), (placed.GetProperty("outcome").GetString(), placed.GetProperty("part").GetString(), placed.GetProperty("content").GetString()));
        Assert.Equal("title", filing[0].GetProperty("outcome").GetString());
    }
}
