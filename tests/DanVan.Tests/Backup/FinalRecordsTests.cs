using System.Collections.Concurrent;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using DanVan.Backup;
using DanVan.Compilation;
using DanVan.Functions;
using DanVan.Periods;
using DanVan.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DanVan.Tests.Backup;

/// <summary>
/// Final records against Azurite: every write DanVan makes to a final bundle or a backup is conditional (if-none-match *),
/// so it can never replace one; a backup that fails stops the finalization; the report versions of a final bundle are
/// sealed until the bundle's retention ends; expired backups go, the newest never. Plus exact round trips of every type.
/// </summary>
public sealed class FinalRecordsTests
{
    private const string PeriodId = "2026-H1";
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);

    private static DateTimeOffset At(int month, int day, int hour = 9) => new(2026, month, day, hour, 0, 0, Vn);

    [Fact]
    public async Task Every_write_to_a_final_bundle_or_a_backup_is_if_none_match_so_none_is_ever_overwritten()
    {
        var writes = new BlobRequests();
        await using var app = await StartAsync(writes);
        await SeedAsync(app);
        await app.Get<BackupService>().RunAsync(BackupService.Nightly, "timer");
        var compilations = app.Get<CompilationsFunctions>();
        Assert.Equal(201, (await TestHttp.InvokeAsync(TestHttp.Request("POST", "/x", TestApp.AdminToken), r => compilations.CreateCompilation(r, PeriodId, default))).Status);
        Assert.Equal(200, (await TestHttp.InvokeAsync(TestHttp.Request("POST", "/x", TestApp.AdminToken), r => compilations.FinalizePeriod(r, PeriodId, default))).Status);
        await app.Get<BackupService>().DeleteExpiredAsync(); // nothing is past its retention: nothing deleted

        var names = app.Store.Names;
        var final = writes.Seen.Where(r => r.Container == names.CompilationsContainer || r.Container == names.BackupsContainer).Where(r => r.Blob is not null).ToList();
        var committing = final.Where(r => r.Method == "PUT" && !r.Query.Contains("comp=block&", StringComparison.Ordinal) && !r.Query.EndsWith("comp=block", StringComparison.Ordinal)).ToList();

        // Two backups (the nightly one and the one before the finalization) of every table plus their manifests, two bundles.
        Assert.Equal((names.Tables.Count() + 1) * 2, committing.Count(r => r.Container == names.BackupsContainer));
        Assert.Equal(2, committing.Count(r => r.Container == names.CompilationsContainer));
        Assert.All(committing, r => Assert.True(r.IfNoneMatch == "*", $"{r.Method} {r.Container}/{r.Blob}?{r.Query} is not conditional"));
        Assert.DoesNotContain(final, r => r.Method is "DELETE" or "PATCH" || (r.Method == "PUT" && (r.Query.Contains("comp=metadata", StringComparison.Ordinal) || r.Query.Contains("comp=properties", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task A_backup_that_fails_stops_the_finalization_and_leaves_the_period_open()
    {
        var faults = new StorageFaults();
        await using var app = await TestApp.StartAsync(At(5, 20), faults: faults);
        await SeedAsync(app);
        var finalize = () => TestHttp.InvokeAsync(TestHttp.Request("POST", "/x", TestApp.AdminToken), r => app.Get<CompilationsFunctions>().FinalizePeriod(r, PeriodId, default));

        faults.Rule(call => call == StorageCall.PutBlockList ? StorageFault.Answer500 : StorageFault.None);
        var refused = await finalize();

        Assert.Equal(503, refused.Status);
        Assert.Equal("storage_unavailable", refused.Code);
        Assert.Null(await app.Get<PeriodCatalog>().FinalizedAtAsync(PeriodId));
        Assert.Empty(await app.Get<CompilationStore>().ListAsync(PeriodId));
        Assert.Empty(await app.Get<BackupService>().ListAsync());

        faults.Off();
        Assert.Equal(200, (await finalize()).Status);
        Assert.NotNull(await app.Get<PeriodCatalog>().FinalizedAtAsync(PeriodId));
        Assert.Equal(BackupService.BeforeFinalization(PeriodId), Assert.Single(await app.Get<BackupService>().ListAsync()).Reason);
    }

    [Fact]
    public async Task The_report_versions_of_a_final_bundle_are_sealed_until_the_bundle_s_retention_ends()
    {
        var writes = new BlobRequests();
        await using var app = await StartAsync(writes, new Dictionary<string, string?> { ["DanVan:Backup:FinalRecordDays"] = "3650" });
        await SeedAsync(app);
        Assert.Equal(200, (await TestHttp.InvokeAsync(TestHttp.Request("POST", "/x", TestApp.AdminToken), r => app.Get<CompilationsFunctions>().FinalizePeriod(r, PeriodId, default))).Status);
        var bundle = Assert.Single(await app.Get<CompilationStore>().ListAsync(PeriodId));
        var versions = await app.Get<DanVan.Submissions.SubmissionStore>().VersionsAsync(PeriodId, "so-tai-chinh");

        app.Clock.Advance(TimeSpan.FromDays(1));
        await app.Get<FinalRecords>().SealRecentAsync();

        var sealedBlobs = writes.Seen.Where(r => r.Query.Contains("comp=immutabilityPolicies", StringComparison.Ordinal)).ToList();
        var included = versions.Single(v => v.Version == bundle.SourceVersions.Single().Version);
        var seal = Assert.Single(sealedBlobs);
        Assert.Equal(included.BlobName, seal.Blob);
        Assert.Equal(bundle.CreatedAt.AddDays(3650).ToString("R"), seal.Until);

        // A period finalized longer ago than the nightly window is not visited again.
        app.Clock.Advance(FinalRecords.Recent);
        Assert.Equal(0, await app.Get<FinalRecords>().SealRecentAsync());
    }

    [Fact]
    public async Task Backups_past_their_retention_are_deleted_but_never_the_newest()
    {
        await using var app = await TestApp.StartAsync(At(5, 10), new Dictionary<string, string?> { ["DanVan:Backup:RetentionDays"] = "7" });
        var backups = app.Get<BackupService>();
        var old = await backups.RunAsync(BackupService.Nightly, "timer");
        app.Clock.Advance(TimeSpan.FromDays(8));

        Assert.Empty(await backups.DeleteExpiredAsync()); // the only one is the newest
        var newer = await backups.RunAsync(BackupService.Nightly, "timer");
        Assert.Equal([old.Id], await backups.DeleteExpiredAsync());

        Assert.Equal([newer.Id], (await backups.ListAsync()).Select(b => b.Id));
        await foreach (var blob in backups.Container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, old.Id + "/", default))
        {
            Assert.Fail($"{blob.Name} of the expired backup is still there");
        }
    }

    [Fact]
    public async Task Every_property_type_comes_back_from_a_restore_exactly_as_it_was()
    {
        await using var app = await TestApp.StartAsync(At(5, 10));
        var original = new TableEntity("kiểm-thử", "mọi-kiểu")
        {
            ["Text"] = "Sở Nội vụ tỉnh Vĩnh Phúc: \"báo cáo\"\n\t\\ 6 tháng — đã ký ✓ 🇻🇳",
            ["Empty"] = "",
            ["Yes"] = true,
            ["No"] = false,
            ["Int32"] = int.MinValue,
            ["Int64"] = long.MaxValue,
            ["SmallInt64"] = 5L,
            ["Double"] = 0.1,
            ["WholeDouble"] = 2.0,
            ["Negative"] = -1234.5678e-10,
            ["At"] = new DateTimeOffset(2026, 5, 14, 16, 59, 59, TimeSpan.Zero).AddTicks(9_999_999),
            ["Id"] = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
            ["Bytes"] = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(),
        };
        var units = app.Get<TableServiceClient>().GetTableClient(app.Store.Names.UnitsTable);
        await units.AddEntityAsync(original);
        var manifest = await app.Get<BackupService>().RunAsync(BackupService.Manual, "test");

        var target = "r" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var report = await app.Get<RestoreService>().RestoreAsync(manifest.Id, target, ["units"]);
            Assert.True(report.Verified);
            var back = (await app.Get<TableServiceClient>().GetTableClient(target + "units").GetEntityAsync<TableEntity>("kiểm-thử", "mọi-kiểu")).Value;
            foreach (var (name, value) in original.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")))
            {
                Assert.True(back.TryGetValue(name, out var restored), $"{name} is missing");
                Assert.Equal(value!.GetType(), restored!.GetType());
                Assert.Equal(value, restored);
            }
        }
        finally
        {
            await app.Get<TableServiceClient>().DeleteTableAsync(target + "units");
        }
    }

    private static Task<TestApp> StartAsync(BlobRequests writes, IDictionary<string, string?>? settings = null)
    {
        var options = new BlobClientOptions { Transport = new HttpClientTransport(new HttpClient(new ImmutabilityPolicyAnswers())) };
        options.AddPolicy(writes, HttpPipelinePosition.PerRetry);
        return TestApp.StartAsync(At(5, 20), settings, s => s.AddSingleton(new BlobServiceClient(Azurite.ConnectionString, options)));
    }

    /// <summary>A unit with two uploads (the second one late).</summary>
    private static async Task SeedAsync(TestApp app)
    {
        await SubmissionSeeder.AddUnitAsync(app, "so-tai-chinh", "Sở Tài chính");
        var seeder = new SubmissionSeeder(app);
        await seeder.SeedAsync(PeriodId, "so-tai-chinh", "Báo cáo.pdf", Encoding.UTF8.GetBytes("%PDF-1.7 một"), At(5, 10));
        await seeder.SeedAsync(PeriodId, "so-tai-chinh", "Báo cáo (sửa).pdf", Encoding.UTF8.GetBytes("%PDF-1.7 hai"), At(5, 16));
    }

    /// <summary>
    /// Azurite does not implement Set Blob Immutability Policy (it answers "not implemented"): this handler answers it as
    /// Azure documents it (200, the policy echoed); every other request goes to Azurite.
    /// </summary>
    private sealed class ImmutabilityPolicyAnswers() : DelegatingHandler(new HttpClientHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.Query.Contains("comp=immutabilityPolicies", StringComparison.Ordinal) != true)
            {
                return base.SendAsync(request, cancellationToken);
            }

            var answer = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent([]) };
            answer.Headers.Add("x-ms-immutability-policy-until-date", request.Headers.GetValues("x-ms-immutability-policy-until-date"));
            answer.Headers.Add("x-ms-immutability-policy-mode", request.Headers.GetValues("x-ms-immutability-policy-mode"));
            answer.Headers.Add("x-ms-request-id", Guid.NewGuid().ToString());
            answer.Headers.Add("x-ms-version", "2025-01-05");
            return Task.FromResult(answer);
        }
    }

    /// <summary>Every blob request as sent (each retry too): method, container, blob, query, If-None-Match, a policy's until.</summary>
    private sealed class BlobRequests : HttpPipelineSynchronousPolicy
    {
        public ConcurrentQueue<(string Method, string Container, string? Blob, string Query, string? IfNoneMatch, string? Until)> Seen { get; } = new();

        public override void OnSendingRequest(HttpMessage message)
        {
            var request = message.Request;
            var path = Uri.UnescapeDataString(request.Uri.Path).TrimStart('/').Split('/', 3); // account, container, blob
            request.Headers.TryGetValue("If-None-Match", out var ifNoneMatch);
            request.Headers.TryGetValue("x-ms-immutability-policy-until-date", out var until);
            Seen.Enqueue((request.Method.ToString(), path.Length > 1 ? path[1] : "", path.Length > 2 ? path[2] : null, request.Uri.Query.TrimStart('?'), ifNoneMatch, until));
        }
    }
}
