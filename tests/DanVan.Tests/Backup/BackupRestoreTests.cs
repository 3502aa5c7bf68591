using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using DanVan.Backup;
using DanVan.Functions;
using DanVan.Periods;
using DanVan.Tests.Figures;
using DanVan.Tests.Support;
using DanVan.Tests.Uploads;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace DanVan.Tests.Backup;

/// <summary>
/// Every table filled through the functions, backed up, wiped, restored: the same API answers the same bytes. The numbers
/// (rows per table, seconds, bytes) are written to the test's output.
/// </summary>
public sealed class BackupRestoreTests(ITestOutputHelper output)
{
    private const string PeriodId = "2026-H1";
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);

    private static DateTimeOffset At(int month, int day, int hour = 9) => new(2026, month, day, hour, 0, 0, Vn);

    [Fact]
    public async Task A_backup_restored_into_wiped_tables_answers_every_read_with_the_same_bytes()
    {
        var bed = await FiguresBed.StartAsync(At(5, 10));
        await using var app = bed.App;
        var tokens = await FillAsync(bed);
        var backups = app.Get<BackupFunctions>();
        var names = app.Store.Names;

        // Every table has rows (the fill reaches all of them), and the finalization made its own backup first.
        foreach (var table in names.Tables)
        {
            Assert.True(await RowsAsync(app, table) > 0, $"table {table} is empty after the fill: make FillAsync write to it through its functions");
        }

        var listed = await CallAsync(TestHttp.Request("GET", "/api/backups", TestApp.AdminToken), r => backups.ListBackups(r, default));
        Assert.Contains(listed.Json.EnumerateArray(), b => b.GetProperty("reason").GetString() == BackupService.BeforeFinalization(PeriodId));

        var before = await ReadEverythingAsync(app, tokens);
        var auditAtBackup = await AuditAsync(app); // with the downloads the reads above recorded

        var clock = Stopwatch.StartNew();
        var made = await CallAsync(TestHttp.Request("POST", "/api/backups", TestApp.AdminToken), r => backups.CreateBackup(r, default));
        var backupSeconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(201, made.Status);
        var manifest = made.Json.Deserialize<BackupManifest>(BackupService.Json)!;
        // Every table of StorageNames, each once; those BackupOrder knows in its order (a table added since goes first).
        Assert.Equal(names.Tables.Select(t => t[app.Get<Microsoft.Extensions.Options.IOptions<DanVan.Configuration.DanVanOptions>>().Value.StoragePrefix.Length..]).Order(), manifest.Tables.Select(t => t.Name).Order());
        Assert.Equal(BackupOrder.Known.Where(k => manifest.Tables.Any(t => t.Name == k)), manifest.Tables.Select(t => t.Name).Where(BackupOrder.Known.Contains));
        Assert.All(manifest.Tables, t => Assert.Empty(t.Unsettled));

        await WipeAsync(app);
        foreach (var table in names.Tables)
        {
            Assert.Equal(0, await RowsAsync(app, table));
        }

        clock.Restart();
        var restored = await CallAsync(TestHttp.Request("POST", $"/api/backups/{manifest.Id}/restore", TestApp.AdminToken), r => backups.RestoreBackup(r, manifest.Id, default));
        var restoreSeconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(200, restored.Status);
        var report = restored.Json;
        Assert.True(report.GetProperty("verified").GetBoolean(), restored.Text);
        var reconciled = report.GetProperty("reconciliation");
        Assert.Equal(0, reconciled.GetProperty("versionsWithoutBlob").GetInt32());
        Assert.Equal(0, reconciled.GetProperty("compilationsWithoutBlob").GetInt32());
        Assert.Equal(0, reconciled.GetProperty("reportBlobsWithoutVersion").GetInt32());
        Assert.Equal(4, reconciled.GetProperty("versionsChecked").GetInt32());
        Assert.Equal(2, reconciled.GetProperty("compilationsChecked").GetInt32());

        var after = await ReadEverythingAsync(app, tokens);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (read, answer) in before)
        {
            var again = after[read];
            if (read == "audit")
            {
                // The restore is itself recorded (by whom, when); the rest is what was backed up. (Entries of one instant
                // are in the order of their keys, so the restore's place among those of the fake clock's instant is not fixed.)
                var entries = JsonDocument.Parse(again.Body).RootElement.EnumerateArray().ToList();
                var restore = Assert.Single(entries, e => e.GetProperty("action").GetString() == BackupFunctions.RestoreAction);
                Assert.Equal("break-glass", restore.GetProperty("actor").GetString());
                again = again with { Body = JsonSerializer.SerializeToUtf8Bytes(entries.Where(e => e.GetProperty("action").GetString() != BackupFunctions.RestoreAction), DanVan.Domain.Json.Options) };
                var expected = JsonSerializer.SerializeToUtf8Bytes(JsonDocument.Parse(auditAtBackup.Body).RootElement.EnumerateArray(), DanVan.Domain.Json.Options);
                Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(again.Body));
                continue;
            }

            // Storage gives every row it writes a new ETag, so a concurrency token a client held from before the restore
            // no longer matches (its If-Match gets 412 and it reads again): the only bytes a restore changes.
            var (was, now) = answer.ContentType.Contains("json", StringComparison.Ordinal)
                ? (WithoutETags(answer.Body), WithoutETags(again.Body))
                : (Convert.ToHexString(answer.Body), Convert.ToHexString(again.Body));
            Assert.Equal(answer.Status, again.Status);
            Assert.True(was == now, $"{read} differs after the restore:\n{was}\n---\n{now}");
        }

        output.WriteLine($"backup {manifest.Id}: {manifest.Rows} rows, {manifest.Bytes} bytes gzip, backup {backupSeconds:F2} s, restore {restoreSeconds:F2} s");
        foreach (var t in manifest.Tables)
        {
            output.WriteLine($"  {t.Name,-14} {t.Rows,6} rows {t.Bytes,8} bytes  re-read {t.Reread}");
        }
    }

    [Fact]
    public void A_table_added_since_is_exported_first_and_the_known_ones_in_their_order()
    {
        var order = BackupOrder.Of(["pxunits", "pxsubmissions", "pxaudit", "pxuploadsessions", "pxperiodchanges"], "px");

        Assert.Equal(["uploadsessions", "audit", "periodchanges", "submissions", "units"], order.Select(t => t.Name));
        Assert.Equal("pxuploadsessions", order[0].Table);
    }

    [Fact]
    public async Task A_restore_refuses_a_target_with_rows_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync(At(5, 10));
        await SubmissionSeeder.AddUnitAsync(app, "so-tu-phap", "Sở Tư pháp");
        var manifest = await app.Get<BackupService>().RunAsync(BackupService.Manual, "test");

        var refused = await CallAsync(TestHttp.Request("POST", $"/api/backups/{manifest.Id}/restore", TestApp.AdminToken), r => app.Get<BackupFunctions>().RestoreBackup(r, manifest.Id, default));

        Assert.Equal(409, refused.Status);
        Assert.Equal("restore_target_not_empty", refused.Code);
        Assert.Equal(1, await RowsAsync(app, app.Store.Names.UnitsTable));
        var unknown = await CallAsync(TestHttp.Request("POST", "/api/backups/nope/restore", TestApp.AdminToken), r => app.Get<BackupFunctions>().RestoreBackup(r, "nope", default));
        Assert.Equal(404, unknown.Status);
        Assert.Equal("unknown_backup", unknown.Code);
        var unit = await CallAsync(TestHttp.Request("POST", $"/api/backups/{manifest.Id}/restore", "not-a-token-of-anyone"), r => app.Get<BackupFunctions>().RestoreBackup(r, manifest.Id, default));
        Assert.Equal(401, unit.Status);
    }

    /// <summary>Units, credentials, indicators, uploads (and their receipts), figures, decisions, reminders, compilations, a finalization.</summary>
    private static async Task<Dictionary<string, string>> FillAsync(FiguresBed bed)
    {
        var app = bed.App;
        var units = app.Get<UnitsFunctions>();
        var tokens = new Dictionary<string, string>();
        foreach (var (code, name) in new[] { ("so-tai-chinh", "Sở Tài chính"), ("so-y-te", "Sở Y tế"), ("ubnd-vinh-yen", "UBND thành phố Vĩnh Yên"), ("so-gd-dt", "Sở Giáo dục và Đào tạo") })
        {
            var unit = new { name, group = "Sở, ban, ngành", emails = new[] { $"{code}@example.org" }, headEmail = $"giam-doc.{code}@example.org", activeFrom = "2023-01-01" };
            Assert.Equal(201, (await CallAsync(TestHttp.Request("PUT", $"/api/units/{code}", TestApp.AdminToken, json: unit), r => units.PutUnit(r, code, default))).Status);
            var issued = await CallAsync(TestHttp.Request("POST", $"/api/units/{code}/token", TestApp.AdminToken), r => units.IssueToken(r, code, default));
            tokens[code] = issued.Json.GetProperty("token").GetString()!;
        }

        var reports = app.Get<ReportsFunctions>();
        foreach (var (code, file) in new[] { ("so-tai-chinh", "Báo cáo 6 tháng.pdf"), ("so-tai-chinh", "Báo cáo 6 tháng (sửa).pdf"), ("so-y-te", "Báo cáo Sở Y tế.pdf") })
        {
            var upload = await CallAsync(UploadBed.Raw(Encoding.UTF8.GetBytes("%PDF-1.7 " + file), file, tokens[code], contentType: "application/pdf"), r => reports.UploadReport(r, PeriodId, default));
            Assert.Equal(201, upload.Status);
        }

        Assert.Equal(201, (await bed.EnterAsync(PeriodId, tokens["so-tai-chinh"], new Dictionary<string, object?> { ["QT_SO_CUOC"] = 12, ["ASXH_KINH_PHI"] = 12.5m, ["VHCS_KE_HOACH"] = true })).Status);
        Assert.Equal(201, (await bed.EnterAsync(PeriodId, tokens["so-y-te"], new Dictionary<string, object?> { ["QT_SO_CUOC"] = 3 })).Status);

        // The province's outline, a new version of the built-in sample (the period pins the version it starts with).
        var outlines = app.Get<OutlineFunctions>();
        var outline = await CallAsync(TestHttp.Request("GET", "/x", TestApp.AdminToken), r => outlines.GetOutline(r, "H1", default));
        Assert.Equal(200, outline.Status);
        var parts = JsonDocument.Parse(outline.Text).RootElement.GetProperty("parts").Clone();
        Assert.Equal(201, (await CallAsync(TestHttp.Request("PUT", "/x", TestApp.AdminToken, json: new { parts }), r => outlines.PutOutline(r, "H1", default))).Status);

        var decisions = app.Get<DecisionsFunctions>();
        Assert.Equal(200, (await CallAsync(TestHttp.Request("POST", "/x", TestApp.AdminToken, json: new { version = 2, decision = "accepted" }), r => decisions.ReviewReport(r, PeriodId, "so-tai-chinh", default))).Status);
        Assert.Equal(200, (await CallAsync(TestHttp.Request("PUT", "/x", TestApp.AdminToken, json: new { deadline = "2026-05-29", reason = "Lũ lụt kéo dài." }), r => decisions.ExtendDeadline(r, PeriodId, "ubnd-vinh-yen", default))).Status);

        // After the deadline: the overdue reminders, the emails sent (to the outbox), a late upload, a compilation, the finalization.
        app.Clock.SetUtcNow(At(5, 16));
        var reminders = await CallAsync(TestHttp.Request("POST", $"/api/periods/{PeriodId}/reminders", TestApp.AdminToken), r => app.Get<RemindersFunctions>().SendReminders(r, PeriodId, default));
        Assert.Equal(200, reminders.Status);
        Assert.NotEmpty(reminders.Json.GetProperty("reminders").EnumerateArray());
        var late = await CallAsync(UploadBed.Raw(Encoding.UTF8.GetBytes("%PDF-1.7 muộn"), "Báo cáo muộn.pdf", tokens["ubnd-vinh-yen"], contentType: "application/pdf"), r => reports.UploadReport(r, PeriodId, default));
        Assert.Equal(201, late.Status);
        await EmailQueueDrain.DrainAsync(app);

        var compilations = app.Get<CompilationsFunctions>();
        Assert.Equal(201, (await CallAsync(TestHttp.Request("POST", "/x", TestApp.AdminToken), r => compilations.CreateCompilation(r, PeriodId, default))).Status);
        Assert.Equal(200, (await CallAsync(TestHttp.Request("POST", "/x", TestApp.AdminToken), r => compilations.FinalizePeriod(r, PeriodId, default))).Status);
        await EmailQueueDrain.DrainAsync(app);

        // A unit's list of periods caches its own rows (table unitperiods).
        Assert.Equal(200, (await CallAsync(TestHttp.Request("GET", "/api/periods", tokens["ubnd-vinh-yen"]), r => app.Get<PeriodsFunctions>().ListPeriods(r, default))).Status);
        await app.Get<DanVan.Auth.CredentialStore>().LastUsesWrittenAsync();
        return tokens;
    }

    /// <summary>What the API answers an admin (and each unit, for its own status) about everything that was filled.</summary>
    private static async Task<Dictionary<string, TestResponse>> ReadEverythingAsync(TestApp app, Dictionary<string, string> tokens)
    {
        var admin = TestApp.AdminToken;
        var reads = new Dictionary<string, TestResponse>();

        // The audit first: the downloads below are recorded in it.
        reads["audit"] = await AuditAsync(app);

        // A unit's own read first: it writes the credential's last use, which the admin's list of access shows.
        foreach (var (code, token) in tokens)
        {
            reads[$"{code}/own status"] = await CallAsync(TestHttp.Request("GET", "/x", token), r => app.Get<PeriodsFunctions>().PeriodStatus(r, PeriodId, default));
            reads[$"{code}/versions"] = await CallAsync(TestHttp.Request("GET", "/x", admin), r => app.Get<ReportsFunctions>().ListReportVersions(r, PeriodId, code, default));
            reads[$"{code}/v1"] = await CallAsync(TestHttp.Request("GET", "/x", admin), r => app.Get<ReportsFunctions>().DownloadReportVersion(r, PeriodId, code, "1", default));
            reads[$"{code}/decisions"] = await CallAsync(TestHttp.Request("GET", "/x", admin), r => app.Get<DecisionsFunctions>().GetDecisions(r, PeriodId, code, default));
            reads[$"{code}/figures"] = await CallAsync(TestHttp.Request("GET", "/x", admin), r => app.Get<FiguresFunctions>().ListFigureVersions(r, PeriodId, code, default));
        }

        await app.Get<DanVan.Auth.CredentialStore>().LastUsesWrittenAsync();
        reads["periods"] = await CallAsync(TestHttp.Request("GET", "/api/periods", admin), r => app.Get<PeriodsFunctions>().ListPeriods(r, default));
        reads["status"] = await CallAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/status", admin), r => app.Get<PeriodsFunctions>().PeriodStatus(r, PeriodId, default));
        reads["status.csv"] = await CallAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/status", admin, query: "format=csv"), r => app.Get<PeriodsFunctions>().PeriodStatus(r, PeriodId, default));
        reads["units"] = await CallAsync(TestHttp.Request("GET", "/api/units", admin), r => app.Get<UnitsFunctions>().ListUnits(r, default));
        reads["access"] = await CallAsync(TestHttp.Request("GET", "/api/units/access", admin), r => app.Get<AccessFunctions>().ListUnitAccess(r, default));
        reads["compilations"] = await CallAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/compilations", admin), r => app.Get<CompilationsFunctions>().ListCompilations(r, PeriodId, default));
        reads["compilations/latest"] = await CallAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/compilations/latest", admin), r => app.Get<CompilationsFunctions>().DownloadLatestCompilation(r, PeriodId, default));
        reads["indicators"] = await CallAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/indicators", admin), r => app.Get<FiguresFunctions>().GetPeriodIndicators(r, PeriodId, default));
        reads["outline"] = await CallAsync(TestHttp.Request("GET", "/api/outlines/H1", admin), r => app.Get<OutlineFunctions>().GetOutline(r, "H1", default));
        reads["figures"] = await CallAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/figures", admin), r => app.Get<FiguresFunctions>().FigureTotalsForPeriod(r, PeriodId, default));
        reads["ledger"] = await CallAsync(TestHttp.Request("POST", $"/api/periods/{PeriodId}/reminders", admin, query: "dryRun=true"), r => app.Get<RemindersFunctions>().SendReminders(r, PeriodId, default));
        reads["emails/failed"] = await CallAsync(TestHttp.Request("GET", "/api/emails/failed", admin), r => app.Get<EmailFunctions>().ListFailedEmails(r, default));
        return reads;
    }

    private static Task<TestResponse> AuditAsync(TestApp app) =>
        CallAsync(TestHttp.Request("GET", "/api/audit", TestApp.AdminToken), r => app.Get<AuditFunctions>().ListAudit(r, default));

    private static string WithoutETags(byte[] body) =>
        System.Text.RegularExpressions.Regex.Replace(Encoding.UTF8.GetString(body), "\"etag\":\"(?:[^\"\\\\]|\\\\.)*\"", "\"etag\":\"…\"");

    private static Task<TestResponse> CallAsync(HttpRequest request, Func<HttpRequest, Task<Microsoft.AspNetCore.Mvc.IActionResult>> function) =>
        TestHttp.InvokeAsync(request, function);

    private static async Task<int> RowsAsync(TestApp app, string table)
    {
        var rows = 0;
        await foreach (var _ in app.Get<TableServiceClient>().GetTableClient(table).QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            rows++;
        }

        return rows;
    }

    /// <summary>Every row of every table deleted (the tables stay, as after a mistaken bulk delete).</summary>
    private static async Task WipeAsync(TestApp app)
    {
        foreach (var name in app.Store.Names.Tables)
        {
            var table = app.Get<TableServiceClient>().GetTableClient(name);
            await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, Azure.ETag.All);
            }
        }
    }
}
