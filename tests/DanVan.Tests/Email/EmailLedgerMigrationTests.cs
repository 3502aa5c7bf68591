using Azure.Data.Tables;
using DanVan.Backup;
using DanVan.Email;
using DanVan.Periods;
using DanVan.Reminders;
using DanVan.Tests.Support;
using Microsoft.Extensions.Options;
using static DanVan.Tests.Reminders.ReminderTestKit;

namespace DanVan.Tests.Email;

/// <summary>
/// The email ledger moved from the table <c>reminders</c> to <c>emailledger</c>: rows a deployment wrote in the old table
/// (written here as the old code wrote them, by <see cref="OldLedgerWriter"/>) are what the ledger answers and claims
/// against, so no email already sent goes out again; a backup that names the old table restores into the new one.
/// </summary>
public sealed class EmailLedgerMigrationTests : IAsyncLifetime
{
    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    /// <summary>The old layout, written out here (not taken from the ledger): the table <c>{prefix}reminders</c>, its keys and columns.</summary>
    private sealed class OldLedgerWriter(TableServiceClient tables, string prefix)
    {
        public TableClient Table => tables.GetTableClient(prefix + "reminders");

        public async Task WriteAsync(string partitionKey, string rowKey, string unit, string stage, string status, DateTimeOffset claimedAt, string? messageId = null)
        {
            await Table.CreateIfNotExistsAsync();
            await Table.AddEntityAsync(new TableEntity(partitionKey, rowKey)
            {
                ["UnitCode"] = unit,
                ["Stage"] = stage,
                ["Status"] = status,
                ["MessageId"] = messageId,
                ["Attempts"] = 1,
                ["Runs"] = 1,
                ["To"] = unit.Length > 0 ? $"{unit}@example.org" : "so-noi-vu@example.org",
                ["Actor"] = "timer",
                ["ClaimedAt"] = claimedAt,
                ["SentAt"] = status == "sent" ? claimedAt.AddSeconds(5) : null,
                ["ClaimId"] = Guid.NewGuid().ToString("N"),
            });
        }
    }

    [Fact]
    public async Task Rows_of_the_old_reminders_table_are_the_ledger_s_and_an_email_sent_from_it_is_not_sent_again()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedAsync(app, Unit("so-tai-chinh"), Unit("so-y-te"));
        var old = new OldLedgerWriter(app.Get<TableServiceClient>(), app.Get<IOptions<DanVan.Configuration.DanVanOptions>>().Value.StoragePrefix);
        var before = Vn(5, 8, 7);
        await old.WriteAsync(PeriodId, "so-tai-chinh~before-7", "so-tai-chinh", "before-7", "sent", before, "sg-old-1");
        await old.WriteAsync($"{PeriodId}~receipt", "so-y-te~v1", "so-y-te", "", "sent", before, "sg-old-2");
        await old.WriteAsync($"{PeriodId}~digest", "before-7~2026-05-07", "", "before-7", "unknown", before);
        await old.WriteAsync("access", "so-y-te~req-1", "so-y-te", "", "failed", before);
        // A row the new table has already (a newer instance claimed it since): the copy keeps it.
        await app.Store.Table<EmailLedger>().AddEntityAsync(new TableEntity("access", "so-tai-chinh~req-2") { ["UnitCode"] = "so-tai-chinh", ["Status"] = "sent", ["To"] = "new@example.org", ["Actor"] = "admin", ["ClaimedAt"] = before, ["ClaimId"] = "new" });
        await old.WriteAsync("access", "so-tai-chinh~req-2", "so-tai-chinh", "", "failed", before);

        // The reminder run reads the ledger: the unit reminded from the old table is already sent; only the other is queued.
        var run = await app.Get<ReminderService>().RunAsync(app.Get<PeriodCatalog>().Get(PeriodId), dryRun: false, "timer");
        await EmailQueueDrain.DrainAsync(app);

        var lines = run.Reminders.ToDictionary(l => l.UnitCode);
        Assert.Equal((ReminderLineStatus.AlreadySent, "sg-old-1"), (lines["so-tai-chinh"].Status, lines["so-tai-chinh"].MessageId));
        Assert.Equal(ReminderLineStatus.Queued, lines["so-y-te"].Status);
        Assert.Equal(new[] { "so-y-te" }, stub.Reminders.Select(m => m.Arg("unitCode")!));

        var ledger = app.Get<EmailLedger>();
        var receipt = Assert.Single(await ledger.ReceiptsAsync(PeriodId));
        Assert.Equal(("so-y-te~v1", EmailStatus.Sent, "sg-old-2"), (receipt.RowKey, receipt.Status, receipt.MessageId));
        Assert.False((await ledger.ClaimOnDeliveryAsync(receipt.PartitionKey, receipt.RowKey, "another-delivery", new EmailQueueItem(receipt.RowKey, "another-delivery") { UnitCode = "so-y-te" }, default)).Won);
        Assert.Equal(EmailStatus.Unknown, Assert.Single(await ledger.DigestsAsync(PeriodId), d => d.RowKey == "before-7~2026-05-07").Status);
        var links = (await ledger.AccessLinksAsync()).ToDictionary(r => r.RowKey);
        Assert.Equal((EmailStatus.Sent, "new@example.org"), (links["so-tai-chinh~req-2"].Status, links["so-tai-chinh~req-2"].To));
        Assert.Equal(EmailStatus.Failed, links["so-y-te~req-1"].Status);
        Assert.True((await ledger.ClaimAccessLinkAsync("so-y-te", "req-1", "so-y-te@example.org", "admin", default)).Won); // a failed one is claimed again

        // Copied once: the old table says so, and a new instance reads that one row instead of copying again.
        Assert.True((await old.Table.GetEntityIfExistsAsync<TableEntity>("~migrated", app.Store.Table<EmailLedger>().Name)).HasValue);
        await old.WriteAsync(PeriodId, "so-y-te~before-3", "so-y-te", "before-3", "sent", before);
        var fresh = new EmailLedger(app.Store, app.Clock, app.Get<IOptions<EmailOptions>>());
        Assert.Empty(await fresh.ForStageAsync(PeriodId, "before-3", default));
        await old.Table.DeleteAsync();
    }

    [Fact]
    public async Task Without_an_old_table_nothing_is_copied_and_none_is_created()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        var ledger = app.Get<EmailLedger>();

        Assert.True((await ledger.ClaimAsync(PeriodId, "so-y-te", "before-7", "so-y-te@example.org", null, "timer", default)).Won);
        Assert.Single(await ledger.ForPeriodAsync(PeriodId));
        Assert.Empty(await TablesNamedAsync(app, app.Store.Names.OldRemindersTable));
    }

    private static async Task<List<string>> TablesNamedAsync(TestApp app, string name)
    {
        var names = new List<string>();
        await foreach (var t in app.Get<TableServiceClient>().QueryAsync(t => t.Name == name))
        {
            names.Add(t.Name);
        }

        return names;
    }

    [Fact]
    public async Task A_backup_that_names_the_old_reminders_table_restores_into_the_email_ledger()
    {
        await using var app = await StartAsync(stub, Vn(5, 8));
        await SeedAsync(app, Unit("so-tai-chinh"), Unit("so-y-te"));
        await app.Get<ReminderService>().RunAsync(app.Get<PeriodCatalog>().Get(PeriodId), dryRun: false, "timer");
        await EmailQueueDrain.DrainAsync(app);
        var sent = (await app.Get<EmailLedger>().ForPeriodAsync(PeriodId)).OrderBy(r => r.RowKey).ToList();
        Assert.Equal(2, sent.Count);

        // A backup as made before the rename: the same rows, in a file and a manifest entry named "reminders".
        var manifest = await app.Get<BackupService>().RunAsync("test", "admin");
        var container = app.Store.Names.BackupsContainer;
        var blobs = app.Get<Azure.Storage.Blobs.BlobServiceClient>().GetBlobContainerClient(container);
        var ledgerTable = manifest.Tables.Single(t => t.Name == "emailledger");
        var oldFile = ledgerTable.File.Replace("emailledger", "reminders", StringComparison.Ordinal);
        var content = (await blobs.GetBlobClient($"{manifest.Id}/{ledgerTable.File}").DownloadContentAsync()).Value.Content;
        await blobs.GetBlobClient($"{manifest.Id}/{oldFile}").UploadAsync(content, overwrite: true);
        var oldManifest = manifest with { Tables = manifest.Tables.Select(t => t == ledgerTable ? t with { Name = "reminders", File = oldFile } : t).ToList() };
        await blobs.GetBlobClient($"{manifest.Id}/{BackupManifest.FileName}").UploadAsync(BinaryData.FromObjectAsJson(oldManifest, BackupService.Json), overwrite: true);

        var target = "r" + Guid.NewGuid().ToString("N")[..10];
        var report = await app.Get<RestoreService>().RestoreAsync(manifest.Id, target, ["reminders", "units"]);

        var restoredTable = Assert.Single(report.Tables, t => t.Name == "reminders");
        Assert.True(restoredTable.Verified);
        Assert.Equal((3, 3L), (ledgerTable.Rows, restoredTable.Rows)); // two reminders and the digest
        var targetStore = new DanVan.Storage.DanVanStore(
            app.Get<TableServiceClient>(), app.Get<Azure.Storage.Blobs.BlobServiceClient>(), app.Get<Azure.Storage.Queues.QueueServiceClient>(),
            new DanVan.Storage.StorageNames(Options.Create(new DanVan.Configuration.DanVanOptions { StoragePrefix = target, AdminToken = TestApp.AdminToken })));
        var restored = (await new EmailLedger(targetStore, app.Clock, app.Get<IOptions<EmailOptions>>()).ForPeriodAsync(PeriodId)).OrderBy(r => r.RowKey).ToList();
        Assert.Equal(sent.Select(r => (r.RowKey, r.Status, r.MessageId, r.ClaimId)), restored.Select(r => (r.RowKey, r.Status, r.MessageId, r.ClaimId)));
        Assert.Empty(await TablesNamedAsync(app, target + "reminders"));
        foreach (var name in targetStore.Names.Tables)
        {
            await app.Get<TableServiceClient>().DeleteTableAsync(name);
        }
    }
}
