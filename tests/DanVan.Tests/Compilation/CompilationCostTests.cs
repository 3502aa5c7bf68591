using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DanVan.Audit;
using DanVan.Changes;
using DanVan.Compilation;
using DanVan.Domain;
using DanVan.Functions;
using DanVan.Http;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Tests.Support;
using DanVan.Uploads;
using Microsoft.Extensions.DependencyInjection;

namespace DanVan.Tests.Compilation;

/// <summary>Work that follows what changed: skipped periods, paged listings, cheap counts, stored entries.</summary>
public sealed class CompilationCostTests
{
    private const string PeriodId = CompilationTests.PeriodId;
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);

    [Fact]
    public async Task The_timer_skips_every_unchanged_period_after_three_reads_whatever_the_number_of_periods()
    {
        var faults = new StorageFaults();
        var (app, _, _) = await CompilationTests.ScenarioAsync(faults);
        await using var _app = app;
        var compiler = app.Get<Compiler>();
        Assert.True(Assert.Single(await compiler.CompileDueAsync()).Created);

        app.Clock.Advance(TimeSpan.FromDays(1));
        var due = app.Get<PeriodCatalog>().Current().Count(p => p.Deadline <= app.Clock.GetUtcNow());
        var before = faults.Seen(StorageCall.TableRead);
        var blobReads = faults.Seen(StorageCall.BlobRead);
        Assert.Empty(await compiler.CompileDueAsync());

        // The registry, the finalized periods and the changes index, once each, however many periods are due: gathering
        // 2026-H1 would also read its compilations, its heads, its versions and the registry again.
        Assert.True(due > 1);
        Assert.Equal(3, faults.Seen(StorageCall.TableRead) - before);
        Assert.Equal(blobReads, faults.Seen(StorageCall.BlobRead));
    }

    [Fact]
    public async Task A_new_version_or_a_renamed_unit_moves_the_marker_and_the_timer_compiles_again()
    {
        var (app, seeder, _) = await CompilationTests.ScenarioAsync();
        await using var _app = app;
        var compiler = app.Get<Compiler>();
        await compiler.CompileDueAsync();

        await seeder.SeedAsync(PeriodId, "ubnd-vinh-yen", "muon.pdf", TestFiles.Pdf(), app.Clock.GetUtcNow());
        var late = Assert.Single(await compiler.CompileDueAsync());
        Assert.Equal(2, late.Compilation.Version);
        Assert.Contains(new SourceVersion("ubnd-vinh-yen", 1), late.Compilation.SourceVersions);

        await app.Get<UnitRegistry>().PutAsync(new Unit("so-tai-chinh", "Sở Tài chính tỉnh", "Sở, ban, ngành", [], null, SubmissionSeeder.UnitsFrom, null));
        Assert.Equal(3, Assert.Single(await compiler.CompileDueAsync()).Compilation.Version);
        Assert.Empty(await compiler.CompileDueAsync());
    }

    [Fact]
    public async Task A_compilation_recorded_before_the_changes_index_is_gathered_once_then_noted_and_skipped()
    {
        var (app, _, _) = await CompilationTests.ScenarioAsync();
        await using var _app = app;
        var compiler = app.Get<Compiler>();
        var first = Assert.Single(await compiler.CompileDueAsync()).Compilation;

        // As an older DanVan left it: the version itself as the key, and no row of the period in the changes index.
        var row = (await app.Store.Table<CompilationStore>().GetEntityAsync<CompilationEntity>(PeriodId, CompilationEntity.RowKeyOf(1))).Value;
        await app.Store.Table<CompilationStore>().DeleteEntityAsync(PeriodId, row.RowKey);
        row.RowKey = CompilationEntity.LegacyRowKeyOf(1);
        await app.Store.Table<CompilationStore>().AddEntityAsync(row);
        await app.Store.Table<PeriodChangeStore>().DeleteEntityAsync(PeriodChangeKeys.PeriodsPartition, PeriodChangeKeys.Period(PeriodId));
        Assert.Null((await app.Get<PeriodChangeStore>().ReadAsync(PeriodId)).CompiledMarker);

        var store = app.Get<CompilationStore>();
        Assert.Empty(await compiler.CompileDueAsync());
        var noted = await app.Get<PeriodChangeStore>().ReadAsync(PeriodId);
        Assert.Equal(first.Version, noted.CompiledVersion);
        Assert.NotNull(noted.CompiledMarker);

        // A new compilation goes above the legacy row, and both are listed newest first.
        var second = await compiler.CompileAsync(app.Get<PeriodCatalog>().Get(PeriodId), "admin");
        Assert.Equal(2, second.Compilation.Version);
        Assert.Equal([2, 1], (await store.ListAsync(PeriodId)).Select(c => c.Version));
    }

    [Fact]
    public async Task Compilations_are_listed_newest_first_a_page_at_a_time_across_legacy_rows()
    {
        var (app, _, _) = await CompilationTests.ScenarioAsync();
        await using var _app = app;
        var period = app.Get<PeriodCatalog>().Get(PeriodId);
        for (var i = 0; i < 5; i++)
        {
            await app.Get<Compiler>().CompileAsync(period, "admin");
        }

        // Versions 1 and 2 as an older DanVan keyed them.
        foreach (var version in new[] { 1, 2 })
        {
            var row = (await app.Store.Table<CompilationStore>().GetEntityAsync<CompilationEntity>(PeriodId, CompilationEntity.RowKeyOf(version))).Value;
            await app.Store.Table<CompilationStore>().DeleteEntityAsync(PeriodId, row.RowKey);
            row.RowKey = CompilationEntity.LegacyRowKeyOf(version);
            await app.Store.Table<CompilationStore>().AddEntityAsync(row);
        }

        var functions = Bundle.Functions(app);
        var seen = new List<List<int>>();
        string? continuation = null;
        do
        {
            var query = "limit=2" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation));
            var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/compilations", TestApp.AdminToken, query: query), r => functions.ListCompilations(r, PeriodId, default));
            Assert.Equal(200, response.Status);
            seen.Add(response.Json.EnumerateArray().Select(c => c.GetProperty("version").GetInt32()).ToList());
            continuation = response.Headers.TryGetValue(Paging.Header, out var next) ? next.ToString() : null;
        }
        while (continuation is not null);

        Assert.Equal([[5, 4], [3, 2], [1]], seen);
        Assert.Equal(5, (await app.Get<CompilationStore>().LatestAsync(PeriodId))!.Version);
        var all = await TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/compilations", TestApp.AdminToken), r => functions.ListCompilations(r, PeriodId, default));
        Assert.Equal([5, 4, 3, 2, 1], all.Json.EnumerateArray().Select(c => c.GetProperty("version").GetInt32()));
        Assert.False(all.Headers.ContainsKey(Paging.Header));

        foreach (var bad in new[] { "limit=0", "limit=1001", "limit=abc", "continuation=x", "continuation=0" })
        {
            var refused = await TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/compilations", TestApp.AdminToken, query: bad), r => functions.ListCompilations(r, PeriodId, default));
            Assert.Equal(400, refused.Status);
            Assert.Equal("invalid_parameter", refused.Code);
        }
    }

    [Fact]
    public async Task The_audit_trail_is_paged_newest_first_across_periods_and_events_outside_a_period()
    {
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 20, 9, 0, 0, Vn));
        var audit = app.Get<AuditLog>();
        var expected = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(1));
            var periodId = (i % 3) switch { 0 => "2026-H1", 1 => null, _ => "2025-Y" };
            await audit.RecordAsync("admin", AuditActions.UnitPut, periodId, detail: $"event {i}");
            expected.Insert(0, $"event {i}");
        }

        var functions = ActivatorUtilities.CreateInstance<AuditFunctions>(app.Services);
        var pages = new List<List<string>>();
        string? continuation = null;
        do
        {
            var query = "limit=3" + (continuation is null ? "" : "&continuation=" + continuation);
            var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/audit", TestApp.AdminToken, query: query), r => functions.ListAudit(r, default));
            Assert.Equal(200, response.Status);
            pages.Add(response.Json.EnumerateArray().Select(e => e.GetProperty("detail").GetString()!).ToList());
            continuation = response.Headers.TryGetValue(Paging.Header, out var next) ? next.ToString() : null;
        }
        while (continuation is not null);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(expected, pages.SelectMany(p => p));

        var one = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/audit", TestApp.AdminToken, query: "periodId=2026-H1&limit=2"), r => functions.ListAudit(r, default));
        Assert.Equal(["event 6", "event 3"], one.Json.EnumerateArray().Select(e => e.GetProperty("detail").GetString()));
        Assert.True(one.Headers.ContainsKey(Paging.Header));
    }

    [Fact]
    public async Task Period_counts_follow_each_new_version_before_and_after_a_compilation_and_a_unit_sees_its_own_row()
    {
        var (app, seeder, _) = await CompilationTests.ScenarioAsync();
        await using var _app = app;
        var functions = ActivatorUtilities.CreateInstance<PeriodsFunctions>(app.Services);
        async Task<System.Text.Json.JsonElement> H1(string token)
        {
            var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods", token), r => functions.ListPeriods(r, default));
            Assert.Equal(200, response.Status);
            return response.Json.EnumerateArray().Single(p => p.GetProperty("id").GetString() == PeriodId);
        }

        static string Counts(System.Text.Json.JsonElement p) =>
            string.Join(",", new[] { "required", "submitted", "onTime", "late", "missing" }.Select(k => p.GetProperty(k).GetInt32()));

        Assert.Equal("4,3,2,1,1", Counts(await H1(TestApp.AdminToken)));
        await app.Get<Compiler>().CompileDueAsync();
        Assert.Equal("4,3,2,1,1", Counts(await H1(TestApp.AdminToken)));

        await seeder.SeedAsync(PeriodId, "ubnd-vinh-yen", "muon.pdf", TestFiles.Pdf(), app.Clock.GetUtcNow());
        Assert.Equal("4,4,2,2,0", Counts(await H1(TestApp.AdminToken)));

        var token = (await app.Get<DanVan.Auth.CredentialStore>().IssueAsync("so-tai-chinh")).Token;
        var mine = await H1(token);
        Assert.Equal("1,1,0,1,0", Counts(mine));
        Assert.Equal("late", mine.GetProperty("myStatus").GetString());
    }

    [Fact]
    public async Task Compressed_formats_are_stored_the_rest_deflated_and_equal_inputs_give_equal_bytes()
    {
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 16, 0, 15, 0, Vn));
        var seeder = new SubmissionSeeder(app);
        var files = new (string Code, string Name, byte[] Content)[]
        {
            ("don-vi-a", "bao-cao.pdf", TestFiles.Pdf()),
            ("don-vi-b", "bao-cao.docx", TestFiles.Docx("Nội dung")),
            ("don-vi-c", "so-lieu.xlsx", TestFiles.Xlsx("Số liệu")),
            ("don-vi-d", "bao-cao.odt", Zipped("content.xml", "<office:document-content/>")),
            ("don-vi-e", "so-lieu.ods", Zipped("content.xml", "<office:document-content/>")),
            ("don-vi-f", "bao-cao.doc", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Báo cáo cũ định dạng DOC. ", 400)))),
        };
        var at = new DateTimeOffset(2026, 5, 10, 8, 0, 0, Vn);
        foreach (var (code, name, content) in files)
        {
            await SubmissionSeeder.AddUnitAsync(app, code, $"Đơn vị {code[^1]}");
            await seeder.SeedAsync(PeriodId, code, name, content, at);
        }

        var period = app.Get<PeriodCatalog>().Get(PeriodId);
        var first = await app.Get<Compiler>().CompileAsync(period, "admin");
        var second = await app.Get<Compiler>().CompileAsync(period, "admin");
        var bundle = await Bundle.OfAsync(app, first.Compilation);
        Assert.Equal(bundle.Bytes, (await Bundle.OfAsync(app, second.Compilation)).Bytes);

        var methods = CompressionMethods(bundle.Bytes);
        foreach (var (name, method) in methods)
        {
            var expected = name.EndsWith(".doc", StringComparison.Ordinal) || name == BundleWriter.ManifestEntryName ? 8 : 0;
            Assert.True(expected == method, $"{name}: method {method}, expected {expected}");
        }

        Assert.Equal(files.Length + 3, methods.Count);
        Assert.Equal(files.Select(f => Bundle.Sha256(f.Content)).Order(), bundle.Entries.Where(e => e.Name.StartsWith(BundleWriter.ReportsFolder, StringComparison.Ordinal)).Select(e => Bundle.Sha256(e.Content)).Order());
    }

    [Theory]
    [InlineData("a.PDF", CompressionLevel.NoCompression)]
    [InlineData("a.docx", CompressionLevel.NoCompression)]
    [InlineData("a.xlsx", CompressionLevel.NoCompression)]
    [InlineData("a.odt", CompressionLevel.NoCompression)]
    [InlineData("a.ods", CompressionLevel.NoCompression)]
    [InlineData("a.zip", CompressionLevel.NoCompression)]
    [InlineData("a.doc", CompressionLevel.Optimal)]
    [InlineData("a.xls", CompressionLevel.Optimal)]
    [InlineData("manifest.json", CompressionLevel.Optimal)]
    public void A_file_is_stored_or_deflated_by_its_extension(string name, CompressionLevel level) =>
        Assert.Equal(level, BundleWriter.LevelFor(name));

    [Fact]
    public void The_sweep_visits_periods_in_play_and_an_older_one_only_while_a_blob_written_for_it_may_be_judged()
    {
        var plan = new ReportingPlan(DeadlineRule.Before, ReportingPlan.Default().Reports, 2016);
        var now = new DateTimeOffset(2026, 6, 1, 0, 15, 0, Vn);
        var current = plan.PeriodsThrough(2026).Where(p => p.IsOpenAt(now)).ToList();
        var finalized = new Dictionary<string, DateTimeOffset> { ["2025-Y"] = now.AddDays(-100), ["2025-H1"] = now.AddHours(-3) };
        var writtenLately = new HashSet<string>(StringComparer.Ordinal) { "2019-H1", "2025-Y" };

        for (var night = 0; night < 40; night++)
        {
            var tonight = OrphanSweeper.Tonight(current, finalized, writtenLately, now.AddDays(night));
            Assert.Contains("2026-H1", tonight);
            Assert.Contains("2019-H1", tonight);
            Assert.Equal(night < 2, tonight.Contains("2025-H1"));
            Assert.DoesNotContain("2025-Y", tonight);
            Assert.DoesNotContain("2018-Y", tonight);
            Assert.True(tonight.Count <= 3, string.Join(",", tonight));
        }

        Assert.DoesNotContain("2019-H1", OrphanSweeper.Tonight(current, finalized, new HashSet<string>(), now));
    }

    private static byte[] Zipped(string name, string text)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = new StreamWriter(zip.CreateEntry(name).Open());
            entry.Write(string.Concat(Enumerable.Repeat(text, 50)));
        }

        return output.ToArray();
    }

    /// <summary>Each entry's compression method from the central directory (0 stored, 8 deflated).</summary>
    private static List<(string Name, int Method)> CompressionMethods(byte[] bytes)
    {
        var b = bytes.AsSpan();
        var eocd = b.LastIndexOf([(byte)0x50, (byte)0x4b, (byte)0x05, (byte)0x06]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(b[(eocd + 10)..]);
        var offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(b[(eocd + 16)..]);
        var result = new List<(string, int)>();
        for (var i = 0; i < count; i++)
        {
            var method = BinaryPrimitives.ReadUInt16LittleEndian(b[(offset + 10)..]);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(b[(offset + 28)..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(b[(offset + 30)..]);
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(b[(offset + 32)..]);
            result.Add((Encoding.UTF8.GetString(b.Slice(offset + 46, nameLength)), method));
            offset += 46 + nameLength + extraLength + commentLength;
        }

        return result;
    }
}
