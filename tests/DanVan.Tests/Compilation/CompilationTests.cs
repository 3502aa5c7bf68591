using DanVan.Audit;
using DanVan.Compilation;
using DanVan.Domain;
using DanVan.Periods;
using DanVan.Tests.Support;

namespace DanVan.Tests.Compilation;

public sealed class CompilationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    internal const string PeriodId = "2026-H1";
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);

    /// <summary>After the 2026-H1 deadline (before 15/5/2026), shortly after midnight Vietnam time.</summary>
    private static readonly DateTimeOffset AfterDeadline = new(2026, 5, 16, 0, 15, 0, Vn);

    private const string SectionFourText = "Rút ngắn 30% thời gian giải quyết thủ tục hành chính tại Sở Nội vụ.";
    private const string SectionOneText = "Đã tổ chức 3 hội nghị quán triệt Chỉ thị số 33/CT-TTg cho 120 cán bộ.";

    /// <summary>
    /// Four required units in Vietnamese name order: Ban Quản lý (XLSX, on time), Sở Nội vụ (DOCX, on
    /// time, a second version), Sở Tài chính (PDF, late), UBND thành phố Vĩnh Yên (missing).
    /// </summary>
    internal static async Task<(TestApp App, SubmissionSeeder Seeder, Dictionary<string, byte[]> Files)> ScenarioAsync(StorageFaults? faults = null)
    {
        var app = await TestApp.StartAsync(AfterDeadline, faults: faults);
        await SubmissionSeeder.AddUnitAsync(app, "so-noi-vu", "Sở Nội vụ");
        await SubmissionSeeder.AddUnitAsync(app, "so-tai-chinh", "Sở Tài chính");
        await SubmissionSeeder.AddUnitAsync(app, "ban-quan-ly-kcn", "Ban Quản lý các khu công nghiệp");
        await SubmissionSeeder.AddUnitAsync(app, "ubnd-vinh-yen", "UBND thành phố Vĩnh Yên", "UBND cấp huyện");

        var seeder = new SubmissionSeeder(app);
        var docx = TestFiles.Docx(
            "BÁO CÁO KẾT QUẢ THỰC HIỆN CHỈ THỊ SỐ 33/CT-TTG",
            "Lời mở đầu của Sở Nội vụ về tình hình chung.",
            "1. Công tác phổ biến, quán triệt",
            SectionOneText,
            "4. Cải cách hành chính",
            SectionFourText);
        var files = new Dictionary<string, byte[]>
        {
            ["ban-quan-ly-kcn"] = TestFiles.Xlsx("Số liệu của Ban Quản lý"),
            ["so-noi-vu"] = docx,
            ["so-tai-chinh"] = TestFiles.Pdf(),
        };
        await seeder.SeedAsync(PeriodId, "so-noi-vu", "bao-cao-cu.docx", TestFiles.Docx("Bản cũ"), new DateTimeOffset(2026, 5, 10, 9, 0, 0, Vn));
        await seeder.SeedAsync(PeriodId, "so-noi-vu", "Báo cáo Sở Nội vụ.docx", docx, new DateTimeOffset(2026, 5, 14, 23, 59, 59, Vn));
        await seeder.SeedAsync(PeriodId, "ban-quan-ly-kcn", "so-lieu.xlsx", files["ban-quan-ly-kcn"], new DateTimeOffset(2026, 5, 12, 8, 0, 0, Vn));
        await seeder.SeedAsync(PeriodId, "so-tai-chinh", "bao-cao-ky-so.PDF", files["so-tai-chinh"], new DateTimeOffset(2026, 5, 15, 0, 0, 0, Vn));
        return (app, seeder, files);
    }

    private static Period Period(TestApp app) => app.Get<PeriodCatalog>().Get(PeriodId);

    [Fact]
    public async Task The_bundle_has_each_units_latest_file_then_the_summary_the_draft_and_the_manifest_in_order()
    {
        var (app, _, files) = await ScenarioAsync();
        await using var _app = app;

        var created = await TestHttp.InvokeAsync(
            TestHttp.Request("POST", $"/api/periods/{PeriodId}/compilations", TestApp.AdminToken),
            r => Bundle.Functions(app).CreateCompilation(r, PeriodId, CancellationToken.None));
        Assert.Equal(201, created.Status);
        Assert.Equal(1, created.Json.GetProperty("version").GetInt32());
        Assert.Equal(4, created.Json.GetProperty("required").GetInt32());
        Assert.Equal(2, created.Json.GetProperty("onTime").GetInt32());
        Assert.Equal(1, created.Json.GetProperty("late").GetInt32());
        Assert.Equal(1, created.Json.GetProperty("missing").GetInt32());

        var response = await TestHttp.InvokeAsync(
            TestHttp.Request("GET", $"/api/periods/{PeriodId}/compilations/latest", TestApp.AdminToken),
            r => Bundle.Functions(app).DownloadLatestCompilation(r, PeriodId, CancellationToken.None));
        Assert.Equal("application/zip", response.ContentType);
        Assert.Contains("filename*=UTF-8''T%E1%BB%95ng%20h%E1%BB%A3p%20", response.Headers.ContentDisposition.ToString());
        var bundle = new Bundle(response.Body);

        Assert.Equal(
        [
            "BaoCao/01 - Ban Quản lý các khu công nghiệp - Báo cáo 06 tháng năm 2026.xlsx",
            "BaoCao/02 - Sở Nội vụ - Báo cáo 06 tháng năm 2026.docx",
            "BaoCao/03 - Sở Tài chính - Báo cáo 06 tháng năm 2026.pdf",
            "TongHop.xlsx",
            "DuThao-BaoCao.docx",
            "manifest.json",
        ], bundle.Names);

        Assert.Equal(Bundle.Sha256(files["ban-quan-ly-kcn"]), Bundle.Sha256(bundle.Entries[0].Content));
        Assert.Equal(Bundle.Sha256(files["so-noi-vu"]), Bundle.Sha256(bundle.Entries[1].Content));
        Assert.Equal(Bundle.Sha256(files["so-tai-chinh"]), Bundle.Sha256(bundle.Entries[2].Content));
        Assert.All(bundle.Entries, e => Assert.Equal(new DateTime(2026, 5, 15, 0, 0, 0), e.LastWriteTime.DateTime));

        // Every entry with a non-ASCII name carries the UTF-8 (language encoding) flag, bit 11.
        var flags = bundle.RawFlags();
        Assert.Equal(bundle.Names, flags.Select(f => f.Name));
        Assert.All(flags.Where(f => f.Name.Any(c => c > 127)), f =>
        {
            Assert.NotEqual(0, f.CentralFlags & 0x0800);
            Assert.NotEqual(0, f.LocalFlags & 0x0800);
        });

        // The manifest lists every other entry with its size and hash, and the inputs' versions.
        var manifest = bundle.Manifest;
        Assert.Equal(PeriodId, manifest.GetProperty("periodId").GetString());
        Assert.Equal(created.Json.GetProperty("inputsFingerprint").GetString(), manifest.GetProperty("inputsFingerprint").GetString());
        var listed = manifest.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(bundle.Names.Take(5), listed.Select(e => e.GetProperty("name").GetString()));
        foreach (var e in listed)
        {
            var content = bundle[e.GetProperty("name").GetString()!];
            Assert.Equal(content.LongLength, e.GetProperty("size").GetInt64());
            Assert.Equal(Bundle.Sha256(content), e.GetProperty("sha256").GetString());
        }

        var inputs = manifest.GetProperty("inputs").EnumerateArray().ToDictionary(i => i.GetProperty("unitCode").GetString()!);
        Assert.Equal(2, inputs["so-noi-vu"].GetProperty("version").GetInt32());
        Assert.Equal(Bundle.Sha256(files["so-noi-vu"]), inputs["so-noi-vu"].GetProperty("sha256").GetString());

        // The list shows it, and the recorded hash is the downloaded bytes' hash.
        var list = await TestHttp.InvokeAsync(
            TestHttp.Request("GET", $"/api/periods/{PeriodId}/compilations", TestApp.AdminToken),
            r => Bundle.Functions(app).ListCompilations(r, PeriodId, CancellationToken.None));
        var only = Assert.Single(list.Json.EnumerateArray());
        Assert.Equal(Bundle.Sha256(bundle.Bytes), only.GetProperty("sha256").GetString());
        Assert.Equal(bundle.Bytes.LongLength, only.GetProperty("sizeBytes").GetInt64());
        Assert.Equal("ban-quan-ly-kcn", only.GetProperty("sourceVersions")[0].GetProperty("unitCode").GetString());

        var trail = await app.Get<AuditLog>().ListAsync(PeriodId);
        Assert.Contains(trail, e => e.Action == AuditActions.Compilation && e.Actor == DanVan.Auth.Actors.BreakGlass);
        Assert.Contains(trail, e => e.Action == AuditActions.CompilationDownload && e.Actor == DanVan.Auth.Actors.BreakGlass);
    }

    [Fact]
    public async Task The_summary_workbook_has_one_row_per_required_unit_matching_the_status_table()
    {
        var (app, _, files) = await ScenarioAsync();
        await using var _app = app;
        await app.Get<Compiler>().CompileAsync(Period(app), "admin");
        var bundle = await Bundle.DownloadLatestAsync(app, PeriodId);

        var problems = TestFiles.ValidationErrors(bundle["TongHop.xlsx"], isDocx: false);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var rows = TestFiles.XlsxRows(bundle["TongHop.xlsx"]);
        Assert.Contains("Báo cáo 06 tháng năm 2026", rows[2]["B"]);
        Assert.Contains("15/05/2026", rows[3]["B"]);
        Assert.Contains("15/05/2026 00:00", rows[4]["B"]);
        Assert.Equal(SummaryWorkbook.Columns, rows[(uint)SummaryWorkbook.HeaderRow].Values);

        var report = await app.Get<StatusService>().ForAsync(Period(app));
        var first = (uint)SummaryWorkbook.HeaderRow + 1;
        for (var i = 0; i < report.Rows.Count; i++)
        {
            var status = report.Rows[i];
            var row = rows[first + (uint)i];
            Assert.Equal((i + 1).ToString(), row["A"]);
            Assert.Equal(status.UnitName, row["B"]);
            Assert.Equal(status.Group, row["C"]);
            Assert.Equal(status.Status.Label(), row["D"]);
            Assert.Equal(status.ReceivedAt is { } at ? VietnamTime.ToVietnam(at).ToString("dd/MM/yyyy HH:mm:ss") : "", row["E"]);
            Assert.Equal(status.VersionCount.ToString(), row["F"]);
        }

        var noiVu = rows[first + 1];
        Assert.Equal("Báo cáo Sở Nội vụ.docx", noiVu["G"]);
        Assert.Equal(files["so-noi-vu"].Length.ToString(), noiVu["H"]);
        Assert.Equal(Bundle.Sha256(files["so-noi-vu"]), noiVu["I"]);
        Assert.Equal("Chưa nộp", rows[first + 3]["D"]);

        var totals = rows.Values.Where(r => r.ContainsKey("B") && r.ContainsKey("C") && !r.ContainsKey("A")).ToDictionary(r => r["B"], r => r["C"]);
        Assert.Equal("4", totals["Tổng số đơn vị phải báo cáo"]);
        Assert.Equal("2", totals["Đúng hạn"]);
        Assert.Equal("1", totals["Muộn"]);
        Assert.Equal("1", totals["Chưa nộp"]);
    }

    [Fact]
    public async Task The_draft_report_has_the_administrative_header_the_figures_and_a_units_text_under_the_right_section()
    {
        var (app, _, _) = await ScenarioAsync();
        await using var _app = app;
        await app.Get<Compiler>().CompileAsync(Period(app), "admin");
        var bundle = await Bundle.DownloadLatestAsync(app, PeriodId);

        var problems = TestFiles.ValidationErrors(bundle["DuThao-BaoCao.docx"], isDocx: true);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var paragraphs = TestFiles.DocxParagraphs(bundle["DuThao-BaoCao.docx"]);
        Assert.Equal(["ỦY BAN NHÂN DÂN", "TỈNH VĨNH PHÚC", "-------"], paragraphs.Take(3));
        Assert.Contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", paragraphs);
        Assert.Contains("Độc lập - Tự do - Hạnh phúc", paragraphs);
        Assert.Contains("Số: …/BC-UBND", paragraphs);
        Assert.Contains("Vĩnh Phúc, ngày … tháng … năm …", paragraphs);
        Assert.Contains(paragraphs, p => p.Contains("Chỉ thị số 33/CT-TTg") && p.StartsWith("Kết quả thực hiện"));
        Assert.Contains(paragraphs, p => p.Contains("Báo cáo 06 tháng năm 2026"));
        Assert.Contains("Kính gửi: Bộ Nội vụ.", paragraphs);
        Assert.Contains("Số cơ quan, đơn vị phải báo cáo: 4; nộp đúng hạn: 2; nộp muộn: 1; chưa nộp: 1.", paragraphs);

        // Late and missing units are listed under their headings.
        var late = paragraphs.IndexOf("Cơ quan, đơn vị nộp muộn (1):");
        Assert.StartsWith("- Sở Tài chính (nhận lúc 15/05/2026 00:00)", paragraphs[late + 1]);
        var missing = paragraphs.IndexOf("Cơ quan, đơn vị chưa nộp (1):");
        Assert.Equal("- UBND thành phố Vĩnh Yên", paragraphs[missing + 1]);

        // Sở Nội vụ's "4." text sits under section 4 (before section 5), attributed to it; its "1." text under section 1.
        var four = paragraphs.FindIndex(p => p.StartsWith("4. Cải cách hành chính nhà nước"));
        var five = paragraphs.FindIndex(p => p.StartsWith("5. "));
        var text = paragraphs.IndexOf(SectionFourText);
        Assert.InRange(text, four + 1, five - 1);
        Assert.Equal("Sở Nội vụ:", paragraphs[paragraphs.IndexOf("4. Cải cách hành chính") - 1]);
        var one = paragraphs.FindIndex(p => p.StartsWith("1. Phổ biến, quán triệt"));
        var two = paragraphs.FindIndex(p => p.StartsWith("2. "));
        Assert.InRange(paragraphs.IndexOf(SectionOneText), one + 1, two - 1);
        var other = paragraphs.IndexOf(PlanSections.OtherHeading);
        Assert.True(paragraphs.IndexOf("Lời mở đầu của Sở Nội vụ về tình hình chung.") > other);

        // The PDF (a page with no text) and the XLSX are noted as not gathered.
        Assert.Contains(paragraphs, p => p.StartsWith("- Sở Tài chính:") && p.Contains("bao-cao-ky-so.PDF") && p.Contains("xem tệp gốc trong thư mục BaoCao"));
        Assert.Contains(paragraphs, p => p.StartsWith("- Ban Quản lý các khu công nghiệp:") && p.Contains("so-lieu.xlsx"));
    }

    [Fact]
    public async Task Compiling_twice_with_no_change_gives_byte_identical_bundles_and_the_timer_skips_the_second()
    {
        var (app, _, _) = await ScenarioAsync();
        await using var _app = app;
        var compiler = app.Get<Compiler>();

        var first = Assert.Single(await compiler.CompileDueAsync());
        Assert.True(first.Created);
        Assert.Equal(1, first.Compilation.Version);
        Assert.Equal(Compiler.TimerActor, first.Compilation.CreatedBy);

        app.Clock.Advance(TimeSpan.FromHours(5));
        var again = await compiler.CompileAsync(Period(app), "admin");
        Assert.Equal(2, again.Compilation.Version);
        Assert.Equal(first.Compilation.Sha256, again.Compilation.Sha256);
        Assert.Equal((await Bundle.OfAsync(app, first.Compilation)).Bytes, (await Bundle.OfAsync(app, again.Compilation)).Bytes);

        app.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Empty(await compiler.CompileDueAsync());
        Assert.Equal(2, (await app.Get<CompilationStore>().ListAsync(PeriodId)).Count);
    }

    [Fact]
    public async Task A_late_upload_after_a_compilation_makes_the_next_timer_run_compile_version_2()
    {
        var (app, seeder, _) = await ScenarioAsync();
        await using var _app = app;
        var compiler = app.Get<Compiler>();
        Assert.Single(await compiler.CompileDueAsync());

        app.Clock.Advance(TimeSpan.FromHours(10));
        var lateDocx = TestFiles.Docx("8. Tiếp công dân", "Tiếp 15 lượt công dân trong kỳ.");
        await seeder.SeedAsync(PeriodId, "ubnd-vinh-yen", "Báo cáo UBND Vĩnh Yên.docx", lateDocx, app.Clock.GetUtcNow());
        app.Clock.Advance(TimeSpan.FromHours(14));

        var second = Assert.Single(await compiler.CompileDueAsync());
        Assert.Equal(2, second.Compilation.Version);
        Assert.Equal(0, second.Compilation.Missing);
        Assert.Equal(2, second.Compilation.Late);
        Assert.Contains(new SourceVersion("ubnd-vinh-yen", 1), second.Compilation.SourceVersions);

        var bundle = await Bundle.DownloadLatestAsync(app, PeriodId);
        Assert.Contains("BaoCao/04 - UBND thành phố Vĩnh Yên - Báo cáo 06 tháng năm 2026.docx", bundle.Names);
        var paragraphs = TestFiles.DocxParagraphs(bundle["DuThao-BaoCao.docx"]);
        var eight = paragraphs.FindIndex(p => p.StartsWith("8. Tiếp công dân, giải quyết"));
        var nine = paragraphs.FindIndex(p => p.StartsWith("9. "));
        Assert.InRange(paragraphs.IndexOf("Tiếp 15 lượt công dân trong kỳ."), eight + 1, nine - 1);
        Assert.Empty(await compiler.CompileDueAsync());
    }

    [Fact]
    public async Task A_corrupt_docx_is_included_in_the_bundle_and_noted_in_the_draft()
    {
        var (app, seeder, _) = await ScenarioAsync();
        await using var _app = app;
        var corrupt = TestFiles.CorruptDocx();
        await seeder.SeedAsync(PeriodId, "ubnd-vinh-yen", "hong.docx", corrupt, new DateTimeOffset(2026, 5, 14, 8, 0, 0, Vn));

        var result = await app.Get<Compiler>().CompileAsync(Period(app), "admin");
        Assert.Equal(0, result.Compilation.Missing);

        var bundle = await Bundle.OfAsync(app, result.Compilation);
        Assert.Equal(corrupt, bundle["BaoCao/04 - UBND thành phố Vĩnh Yên - Báo cáo 06 tháng năm 2026.docx"]);
        var paragraphs = TestFiles.DocxParagraphs(bundle["DuThao-BaoCao.docx"]);
        Assert.Contains(paragraphs, p => p.StartsWith("- UBND thành phố Vĩnh Yên:") && p.Contains("\"hong.docx\" bị lỗi"));
        Assert.Contains(SectionFourText, paragraphs);
    }

    [Fact]
    public async Task Already_compressed_files_are_stored_as_they_are_and_others_are_deflated()
    {
        var (app, seeder, _) = await ScenarioAsync();
        await using var _app = app;
        var doc = new byte[200_000];
        "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"u8.CopyTo(doc);
        await seeder.SeedAsync(PeriodId, "ubnd-vinh-yen", "bao-cao.doc", doc, new DateTimeOffset(2026, 5, 14, 8, 0, 0, Vn));

        var result = await app.Get<Compiler>().CompileAsync(Period(app), "admin");
        var bundle = await Bundle.OfAsync(app, result.Compilation);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bundle.Bytes));
        var reports = zip.Entries.Where(e => e.FullName.StartsWith(BundleWriter.ReportsFolder)).ToDictionary(e => Path.GetExtension(e.FullName));

        Assert.All(new[] { ".xlsx", ".docx", ".pdf" }, ext => Assert.Equal(reports[ext].Length, reports[ext].CompressedLength));
        Assert.True(reports[".doc"].CompressedLength < reports[".doc"].Length / 10);
        Assert.Equal(doc, bundle[reports[".doc"].FullName]);
    }

    [Fact]
    public async Task A_compilation_that_fails_midway_leaves_no_bundle_and_no_record()
    {
        var (app, _, _) = await ScenarioAsync();
        await using var _app = app;
        var version = await app.Get<DanVan.Submissions.SubmissionStore>().VersionAsync(PeriodId, "so-tai-chinh", 1);
        await app.Store.Reports.DeleteBlobAsync(version!.BlobName);

        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => app.Get<Compiler>().CompileAsync(Period(app), "admin"));

        Assert.Empty(await app.Get<CompilationStore>().ListAsync(PeriodId));
        await foreach (var blob in app.Store.CompilationBlobs.GetBlobsAsync())
        {
            Assert.Fail($"Left behind: {blob.Name}");
        }
    }

    [Fact]
    public async Task Concurrent_compilations_each_record_a_complete_bundle_or_defer_to_the_winner()
    {
        var (app, _, _) = await ScenarioAsync();
        await using var _app = app;
        var compiler = app.Get<Compiler>();
        var period = Period(app);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => compiler.CompileAsync(period, "admin"))));

        var recorded = await app.Get<CompilationStore>().ListAsync(PeriodId);
        output.WriteLine($"4 concurrent compiles -> recorded versions [{string.Join(", ", recorded.Select(c => c.Version))}]; answers: {string.Join(", ", results.Select(r => $"v{r.Compilation.Version}{(r.Created ? " created" : " (deferred to winner)")}"))}");
        Assert.NotEmpty(recorded);
        Assert.Equal(recorded.Count, recorded.Select(c => c.Version).Distinct().Count());
        Assert.All(results, r => Assert.Contains(recorded, c => c.Version == r.Compilation.Version && c.BlobName == r.Compilation.BlobName));
        foreach (var c in recorded)
        {
            var bundle = await Bundle.OfAsync(app, c);
            Assert.Equal(c.Sha256, Bundle.Sha256(bundle.Bytes));
            Assert.Equal(6, bundle.Entries.Count);
            Assert.Equal(recorded[0].Sha256, c.Sha256);
        }

        // Losers removed their blobs: every stored bundle is a recorded one.
        var blobs = new List<string>();
        await foreach (var blob in app.Store.CompilationBlobs.GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal(recorded.Select(c => c.BlobName).Order(), blobs.Order());
    }

    [Fact]
    public async Task Finalize_closes_the_period_and_makes_a_final_compilation()
    {
        var (app, _, _) = await ScenarioAsync();
        await using var _app = app;
        var functions = Bundle.Functions(app);

        var response = await TestHttp.InvokeAsync(
            TestHttp.Request("POST", $"/api/periods/{PeriodId}/finalize", TestApp.AdminToken),
            r => functions.FinalizePeriod(r, PeriodId, CancellationToken.None));
        Assert.Equal(200, response.Status);
        Assert.False(response.Json.GetProperty("alreadyFinalized").GetBoolean());
        Assert.True(response.Json.GetProperty("compilation").GetProperty("final").GetBoolean());
        Assert.Equal(1, response.Json.GetProperty("compilation").GetProperty("version").GetInt32());
        Assert.NotNull(await app.Get<PeriodCatalog>().FinalizedAtAsync(PeriodId));

        // Finalized periods are no longer the timer's business; a repeated finalize changes nothing.
        Assert.Empty(await app.Get<Compiler>().CompileDueAsync());
        var repeat = await TestHttp.InvokeAsync(
            TestHttp.Request("POST", $"/api/periods/{PeriodId}/finalize", TestApp.AdminToken),
            r => functions.FinalizePeriod(r, PeriodId, CancellationToken.None));
        Assert.True(repeat.Json.GetProperty("alreadyFinalized").GetBoolean());
        Assert.Equal(1, repeat.Json.GetProperty("compilation").GetProperty("version").GetInt32());

        var trail = await app.Get<AuditLog>().ListAsync(PeriodId);
        Assert.Single(trail, e => e.Action == AuditActions.Finalize);
    }

    [Fact]
    public async Task Compilation_routes_are_for_the_admin_only_and_a_period_without_one_answers_no_compilation()
    {
        await using var app = await TestApp.StartAsync(AfterDeadline);
        await SubmissionSeeder.AddUnitAsync(app, "so-noi-vu", "Sở Nội vụ");
        var token = (await app.Get<DanVan.Auth.CredentialStore>().IssueAsync("so-noi-vu")).Token;
        var functions = Bundle.Functions(app);

        var asUnit = await TestHttp.InvokeAsync(
            TestHttp.Request("POST", $"/api/periods/{PeriodId}/compilations", token),
            r => functions.CreateCompilation(r, PeriodId, CancellationToken.None));
        Assert.Equal(403, asUnit.Status);
        var anonymous = await TestHttp.InvokeAsync(
            TestHttp.Request("GET", $"/api/periods/{PeriodId}/compilations/latest"),
            r => functions.DownloadLatestCompilation(r, PeriodId, CancellationToken.None));
        Assert.Equal(401, anonymous.Status);
        var none = await TestHttp.InvokeAsync(
            TestHttp.Request("GET", $"/api/periods/{PeriodId}/compilations/latest", TestApp.AdminToken),
            r => functions.DownloadLatestCompilation(r, PeriodId, CancellationToken.None));
        Assert.Equal(404, none.Status);
        Assert.Equal("no_compilation", none.Code);
        var unknown = await TestHttp.InvokeAsync(
            TestHttp.Request("GET", "/api/periods/2026-Q9/compilations", TestApp.AdminToken),
            r => functions.ListCompilations(r, "2026-Q9", CancellationToken.None));
        Assert.Equal("unknown_period", unknown.Code);

        // The timer leaves a period nobody submitted to alone.
        Assert.Empty(await app.Get<Compiler>().CompileDueAsync());
    }
}
