using System.Text.Json;
using Azure.Data.Tables;
using DanVan.Auth;
using DanVan.Changes;
using DanVan.Compilation;
using DanVan.Decisions;
using DanVan.Domain;
using DanVan.Figures;
using DanVan.Functions;
using DanVan.Periods;
using DanVan.Submissions;
using DanVan.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DanVan.Tests.Compilation;

/// <summary>
/// The period changes index: every upload, decision and figures entry moves its period's stamp exactly once; what is
/// cached at a marker is served only while the marker holds; a change left in flight is settled from its ticket.
/// </summary>
public sealed class PeriodChangesTests
{
    private const string PeriodId = CompilationTests.PeriodId;

    [Fact]
    public async Task An_upload_a_decision_and_a_figures_entry_each_move_the_stamp_once_and_leave_their_ticket()
    {
        var (app, seeder, _) = await CompilationTests.ScenarioAsync();
        await using var _app = app;
        var changes = app.Get<PeriodChangeStore>();
        var start = (await changes.ReadAsync(PeriodId)).Stamp;
        Assert.Equal(4, start);

        await seeder.SeedAsync(PeriodId, "ubnd-vinh-yen", "muon.pdf", TestFiles.Pdf(), app.Clock.GetUtcNow());
        Assert.Equal(5, (await changes.ReadAsync(PeriodId)).Stamp);

        await app.Get<DecisionService>().ExemptAsync("admin", PeriodId, "ban-quan-ly-kcn", "Đơn vị đang sáp nhập", null);
        Assert.Equal(6, (await changes.ReadAsync(PeriodId)).Stamp);

        await app.Get<FigureStore>().AppendAsync(Entry("so-tai-chinh", app.Clock.GetUtcNow()));
        var read = await changes.ReadAsync(PeriodId);
        Assert.Equal(7, read.Stamp);
        Assert.Empty(read.Pending);

        // Each write's own transaction added its ticket, as stored.
        async Task<IReadOnlyList<string>> Tickets(TableClient table)
        {
            var fates = new List<string>();
            await foreach (var t in table.QueryAsync<ChangeTicketEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {PeriodId} and RowKey ge {"t~"} and RowKey lt {"t~~"}")))
            {
                fates.Add(t.Fate);
            }

            return fates;
        }

        Assert.Equal(Enumerable.Repeat(ChangeTickets.Stored, 5), await Tickets(app.Store.Table<SubmissionStore>()));
        Assert.Equal([ChangeTickets.Stored], await Tickets(app.Store.Table<DecisionStore>()));
        Assert.Equal([ChangeTickets.Stored], await Tickets(app.Store.Table<FigureStore>()));
    }

    [Fact]
    public async Task A_period_changed_by_a_decision_or_a_figures_entry_is_gathered_again_by_the_timer()
    {
        var (app, _, _) = await CompilationTests.ScenarioAsync();
        await using var _app = app;
        var compiler = app.Get<Compiler>();
        var changes = app.Get<PeriodChangeStore>();
        Assert.Equal(1, Assert.Single(await compiler.CompileDueAsync()).Compilation.Version);
        Assert.Empty(await compiler.CompileDueAsync());

        // A decision changes the bundle: a new version.
        await app.Get<DecisionService>().ExemptAsync("admin", PeriodId, "ubnd-vinh-yen", "Đơn vị đang sáp nhập", null);
        var exempted = Assert.Single(await compiler.CompileDueAsync()).Compilation;
        Assert.Equal(2, exempted.Version);
        Assert.Equal(1, exempted.Counts!.Exempt);

        // Figures without indicators change nothing in the bundle, but the period is gathered and noted at its new marker.
        var before = (await changes.ReadAsync(PeriodId)).CompiledMarker;
        await app.Get<FigureStore>().AppendAsync(Entry("so-tai-chinh", app.Clock.GetUtcNow()));
        Assert.Empty(await compiler.CompileDueAsync());
        var noted = await changes.ReadAsync(PeriodId);
        Assert.NotEqual(before, noted.CompiledMarker);
        Assert.Equal(2, noted.CompiledVersion);
        Assert.Empty(await compiler.CompileDueAsync());
    }

    [Fact]
    public async Task Cached_counts_are_served_only_while_the_stamp_holds_and_never_while_a_change_is_in_flight()
    {
        var (app, seeder, _) = await CompilationTests.ScenarioAsync();
        await using var _app = app;
        var changes = app.Get<PeriodChangeStore>();
        await app.Get<Compiler>().CompileDueAsync();
        Assert.Equal("4,3,2,1,1", Counts(await H1Async(app, TestApp.AdminToken)));

        // Counts planted at the current marker are served: that is the cache, read with no read of the period's own.
        var read = await changes.ReadAsync(PeriodId);
        Assert.True(await changes.RecordCountsAsync(read, read.CountsMarker!, "9,9,9,9,9,0,0,0,0,0"));
        Assert.Equal("9,9,9,9,9", Counts(await H1Async(app, TestApp.AdminToken)));

        // A change in flight (begun, its write not known): the stamp is not known, so the heads are read.
        var ticket = await changes.BeginAsync(PeriodId, "submissions", "ubnd-vinh-yen");
        Assert.Null((await changes.ReadAsync(PeriodId)).Stamp);
        Assert.Equal("4,3,2,1,1", Counts(await H1Async(app, TestApp.AdminToken)));
        await ticket.NotStoredAsync();

        // Planted again, then a real upload: the stamp moved, the planted counts are never served again.
        read = await changes.ReadAsync(PeriodId);
        Assert.True(await changes.RecordCountsAsync(read, read.CountsMarker!, "9,9,9,9,9,0,0,0,0,0"));
        await seeder.SeedAsync(PeriodId, "ubnd-vinh-yen", "muon.pdf", TestFiles.Pdf(), app.Clock.GetUtcNow());
        Assert.Equal("4,4,2,2,0", Counts(await H1Async(app, TestApp.AdminToken)));

        // A renamed unit moves the marker too (the registry is part of it), though not the stamp.
        read = await changes.ReadAsync(PeriodId);
        Assert.True(await changes.RecordCountsAsync(read, read.CountsMarker!, "9,9,9,9,9,0,0,0,0,0"));
        await app.Get<DanVan.Registry.UnitRegistry>().PutAsync(new Unit("so-tai-chinh", "Sở Tài chính tỉnh", "Sở, ban, ngành", [], null, SubmissionSeeder.UnitsFrom, null));
        Assert.Equal("4,4,2,2,0", Counts(await H1Async(app, TestApp.AdminToken)));
    }

    [Fact]
    public async Task Get_periods_reads_the_same_few_tables_whatever_the_years_of_history_for_the_admin_and_a_unit()
    {
        var faults = new StorageFaults();
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 6, 1, 0, 15, 0, TimeSpan.FromHours(7)),
            new Dictionary<string, string?> { ["DanVan:Plan:FirstYear"] = "2020" }, faults: faults);
        await SubmissionSeeder.AddUnitAsync(app, "so-noi-vu", "Sở Nội vụ");
        await SubmissionSeeder.AddUnitAsync(app, "so-tai-chinh", "Sở Tài chính");
        var seeder = new SubmissionSeeder(app);
        var due = app.Get<PeriodCatalog>().Current().Where(p => p.Deadline <= app.Clock.GetUtcNow()).ToList();
        Assert.True(due.Count >= 12);
        foreach (var period in due)
        {
            await seeder.SeedAsync(period.Id.ToString(), "so-noi-vu", "bao-cao.pdf", TestFiles.Pdf(), period.Deadline.AddDays(-1));
        }

        await app.Get<Compiler>().CompileDueAsync();
        var token = (await app.Get<CredentialStore>().IssueAsync("so-noi-vu")).Token;
        await H1Async(app, token, "2026-H1");
        await H1Async(app, TestApp.AdminToken, "2026-H1");

        // The admin: the registry, the finalized periods and the index. A unit: its credential, its registry row (read by
        // the credential check, whether the unit has ended, and again for the periods), the finalized periods, the index
        // and its own rows. However many periods there are.
        foreach (var (bearer, reads) in new[] { (TestApp.AdminToken, 3), (token, 6) })
        {
            var before = faults.Seen(StorageCall.TableRead);
            var answer = await H1Async(app, bearer, "2026-H1");
            Assert.Equal(reads, faults.Seen(StorageCall.TableRead) - before);
            Assert.Equal(bearer == token ? "1,1,1,0,0" : "2,1,1,0,1", Counts(answer));
        }
    }

    [Fact]
    public async Task A_unit_caller_sees_its_own_row_cached_and_read_again_once_its_period_changed()
    {
        var (app, seeder, _) = await CompilationTests.ScenarioAsync();
        await using var _app = app;
        var token = (await app.Get<CredentialStore>().IssueAsync("so-noi-vu")).Token;
        var first = await H1Async(app, token);
        Assert.Equal("on_time", first.GetProperty("myStatus").GetString());
        Assert.Equal("pending", first.GetProperty("myReview").GetString());
        var cached = await app.Get<UnitPeriodCache>().RowsAsync("so-noi-vu");
        Assert.Equal((await app.Get<PeriodChangeStore>().ReadAsync(PeriodId)).Stamp, cached[PeriodId].Stamp);

        // Sở Nội vụ returns the unit's latest version: the unit sees it at once.
        await app.Get<DecisionService>().ReviewAsync("admin", PeriodId, "so-noi-vu", 2, ReviewVerdict.Returned, "Thiếu phụ lục số liệu", null);
        var returned = await H1Async(app, token);
        Assert.Equal("returned", returned.GetProperty("myReview").GetString());
        Assert.Equal("Thiếu phụ lục số liệu", returned.GetProperty("myReturnReason").GetString());

        // Another unit's upload moves the period's stamp: the unit's own row is read again, and is still its own.
        await seeder.SeedAsync(PeriodId, "ubnd-vinh-yen", "muon.pdf", TestFiles.Pdf(), app.Clock.GetUtcNow());
        var again = await H1Async(app, token);
        Assert.Equal("1,1,1,0,0", Counts(again));
        Assert.Equal("returned", again.GetProperty("myReview").GetString());

        // An extension for the unit: its own deadline.
        var late = (await app.Get<CredentialStore>().IssueAsync("ubnd-vinh-yen")).Token;
        Assert.Equal("late", (await H1Async(app, late)).GetProperty("myStatus").GetString());
        await app.Get<DecisionService>().ExtendAsync("admin", PeriodId, "ubnd-vinh-yen", app.Clock.GetUtcNow().AddDays(5), "Sự cố mạng", null);
        var extended = await H1Async(app, late);
        Assert.Equal("on_time", extended.GetProperty("myStatus").GetString());
        Assert.True(extended.TryGetProperty("myDeadline", out var deadline) && deadline.ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task A_change_left_in_flight_is_settled_by_the_timer_from_its_ticket_stored_or_not()
    {
        var (app, _, _) = await CompilationTests.ScenarioAsync();
        await using var _app = app;
        var changes = app.Get<PeriodChangeStore>();
        var compiler = app.Get<Compiler>();
        await compiler.CompileDueAsync();
        var stamp = (await changes.ReadAsync(PeriodId)).Stamp;

        // A writer that stopped after its write was stored, before marking its change: the write is in the period...
        var stored = await changes.BeginAsync(PeriodId, "figures", "so-tai-chinh");
        await app.Store.Table<FigureStore>().SubmitTransactionAsync(stored.Transaction([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(PeriodId, "v~so-tai-chinh~000001"))]));

        // ... and one that stopped before its write: nothing is.
        var lost = await changes.BeginAsync(PeriodId, "submissions", "ubnd-vinh-yen");
        Assert.Null((await changes.ReadAsync(PeriodId)).Stamp);

        // Within the hour the timer leaves both in flight; the period is not known current, so it is gathered.
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Empty(await compiler.CompileDueAsync());
        Assert.Equal(2, (await changes.ReadAsync(PeriodId)).Pending.Count);

        // Later it settles them: the stored one counts, the other is refused for good (its write can never land now).
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await compiler.CompileDueAsync());
        var read = await changes.ReadAsync(PeriodId);
        Assert.Empty(read.Pending);
        Assert.Equal(stamp + 1, read.Stamp);
        Assert.NotNull(read.CompiledMarker);
        var late = await Assert.ThrowsAsync<TableTransactionFailedException>(() => app.Store.Table<SubmissionStore>().SubmitTransactionAsync(
            lost.Transaction([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(PeriodId, "v~ubnd-vinh-yen~000001"))])));
        Assert.Equal(409, late.Status);
        Assert.Null(await app.Get<SubmissionStore>().VersionAsync(PeriodId, "ubnd-vinh-yen", 1));
    }

    [Fact]
    public async Task With_a_fifth_of_storage_replies_lost_every_stored_change_is_counted_exactly_once()
    {
        var faults = new StorageFaults();
        var (app, seeder, _) = await CompilationTests.ScenarioAsync(faults);
        await using var _app = app;
        var changes = app.Get<PeriodChangeStore>();
        var start = (await changes.ReadAsync(PeriodId)).Stamp!.Value;
        var dice = new Random(20261202);
        faults.Rule(_ =>
        {
            lock (dice)
            {
                return dice.NextDouble() < 0.2 ? StorageFault.DropReply : StorageFault.None;
            }
        });

        string[] units = ["so-noi-vu", "so-tai-chinh", "ban-quan-ly-kcn", "ubnd-vinh-yen"];
        for (var i = 0; i < 36; i++)
        {
            var unit = units[i % units.Length];
            try
            {
                switch (i % 3)
                {
                    case 0:
                        await seeder.SeedAsync(PeriodId, unit, $"ban-{i}.pdf", TestFiles.Pdf(), app.Clock.GetUtcNow());
                        break;
                    case 1:
                        await app.Get<FigureStore>().AppendAsync(Entry(unit, app.Clock.GetUtcNow()));
                        break;
                    default:
                        var before = await app.Get<DecisionStore>().GetAsync(PeriodId, unit);
                        var exempt = (before?.Decisions ?? UnitDecisions.None(unit)) is { IsExempt: true } d ? d with { Exemption = null } : UnitDecisions.None(unit) with { Exemption = new Exemption("Thử", app.Clock.GetUtcNow(), "admin") };
                        await app.Get<DecisionStore>().SaveAsync(PeriodId, before, exempt, new DecisionEvent(0, "exempt", app.Clock.GetUtcNow(), "admin", "Thử", null, null));
                        break;
                }
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or AppendFailedException or DecisionConflictException or IOException or AggregateException)
            {
                // Some writes fail under the faults; whether each was stored is what the count must reflect.
            }
        }

        faults.Off();
        app.Clock.Advance(TimeSpan.FromHours(2));
        await app.Get<PendingChanges>().SettleStaleAsync(await changes.ReadAsync());
        var read = await changes.ReadAsync(PeriodId);
        Assert.Empty(read.Pending);

        var versions = 0;
        var figures = 0;
        var decisions = 0;
        foreach (var unit in units)
        {
            versions += (await app.Get<SubmissionStore>().VersionsAsync(PeriodId, unit)).Count;
            figures += (await app.Get<FigureStore>().VersionsAsync(PeriodId, unit)).Count;
            decisions += (await app.Get<DecisionStore>().HistoryAsync(PeriodId, unit)).Count;
        }

        Assert.True(faults.Injected.Count > 0);
        // The four versions of the scenario were counted before the faults began.
        Assert.Equal(versions - 4 + figures + decisions, read.Stamp!.Value - start);
    }

    [Fact]
    public async Task Recording_folds_more_committed_changes_than_a_transaction_holds_and_keeps_the_stamp()
    {
        await using var app = await TestApp.StartAsync();
        var changes = app.Get<PeriodChangeStore>();
        await Task.WhenAll(Enumerable.Range(0, 250).Select(async i =>
        {
            var ticket = await changes.BeginAsync("2026-H1", "submissions", $"don-vi-{i}");
            await ticket.StoredAsync();
        }));

        var read = await changes.ReadAsync("2026-H1");
        Assert.Equal(250, read.Stamp);
        Assert.True(await changes.RecordCountsAsync(read, "marker", "1,1,1,0,0,0,0,0,0,0"));
        var folded = await changes.ReadAsync("2026-H1");
        Assert.Equal(250, folded.Stamp);
        Assert.Equal(250, folded.Folded);
        Assert.Empty(folded.CommittedKeys);
        Assert.Equal("marker", folded.CountsMarker);

        // A reader holding the row as it was before cannot write over the newer one.
        Assert.False(await changes.RecordCountsAsync(read, "older", "0,0,0,0,0,0,0,0,0,0"));
        Assert.Equal("marker", (await changes.ReadAsync("2026-H1")).CountsMarker);
    }

    [Fact]
    public async Task An_upload_and_a_compilation_note_their_period_for_the_orphan_sweep_before_writing_a_blob()
    {
        await using var bed = await DanVan.Tests.Uploads.UploadBed.StartAsync(new DateTimeOffset(2026, 5, 20, 9, 0, 0, TimeSpan.FromHours(7)));
        var changes = bed.App.Get<BlobWriteNotes>();
        Assert.Empty(await changes.WrittenWithinAsync(DanVan.Uploads.OrphanSweeper.Window));

        var stored = await bed.SendAsync(DanVan.Tests.Uploads.UploadBed.Raw(DanVan.Tests.Uploads.Samples.Pdf(5_000), "Báo cáo.pdf", bed.UnitToken));
        Assert.Equal(201, stored.Status);
        Assert.Equal([DanVan.Tests.Uploads.UploadBed.Period], await changes.WrittenWithinAsync(DanVan.Uploads.OrphanSweeper.Window));

        await bed.App.Store.Table<BlobWriteNotes>().DeleteEntityAsync("blobs", DanVan.Tests.Uploads.UploadBed.Period);
        await bed.App.Get<Compiler>().CompileAsync(bed.App.Get<PeriodCatalog>().Get("2025-Y"), "admin");
        Assert.Contains("2025-Y", await changes.WrittenWithinAsync(DanVan.Uploads.OrphanSweeper.Window));
    }

    [Fact]
    public async Task Blob_write_notes_kept_in_the_period_changes_table_before_are_carried_over_and_the_old_rows_go()
    {
        await using var app = await TestApp.StartAsync();
        var changes = app.Get<PeriodChangeStore>();
        var ticket = await changes.BeginAsync("2026-H1", "submissions", "so-noi-vu");
        await ticket.StoredAsync();
        var old = app.Store.Table<PeriodChangeStore>();
        await old.AddEntityAsync(new Azure.Data.Tables.TableEntity(PeriodChangeKeys.RetiredBlobsPartition, "2025-Y"));
        await old.AddEntityAsync(new Azure.Data.Tables.TableEntity("u~so-noi-vu", "2026-H1") { ["Stamp"] = 1L, ["Sources"] = "1:{}" });
        Assert.Equal(2, (await changes.RetiredRowsAsync()).Count);

        // The sweep's read carries the old note over (written anew: younger, so a visit too many, never one too few).
        Assert.Equal(["2025-Y"], await app.Get<BlobWriteNotes>().WrittenWithinAsync(DanVan.Uploads.OrphanSweeper.Window));
        Assert.Empty(await changes.RetiredRowsAsync());
        Assert.Equal(["2025-Y"], await app.Get<BlobWriteNotes>().WrittenWithinAsync(DanVan.Uploads.OrphanSweeper.Window));

        // The change log is left as it was.
        Assert.Equal(1, (await changes.ReadAsync("2026-H1")).Stamp);
    }

    private static FigureEntry Entry(string unit, DateTimeOffset at) =>
        new(Guid.NewGuid().ToString("N"), PeriodId, unit, 0, at, "admin", "json", 1, new Dictionary<string, decimal> { ["hoi-nghi"] = 3 }, null);

    private static string Counts(JsonElement p) =>
        string.Join(",", new[] { "required", "submitted", "onTime", "late", "missing" }.Select(k => p.GetProperty(k).GetInt32()));

    private static async Task<JsonElement> H1Async(TestApp app, string token, string periodId = PeriodId)
    {
        var functions = ActivatorUtilities.CreateInstance<PeriodsFunctions>(app.Services);
        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods", token), r => functions.ListPeriods(r, default));
        Assert.Equal(200, response.Status);
        return response.Json.EnumerateArray().Single(p => p.GetProperty("id").GetString() == periodId);
    }
}
