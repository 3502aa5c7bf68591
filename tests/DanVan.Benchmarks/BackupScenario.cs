using System.Diagnostics;
using System.Globalization;
using DanVan.Audit;
using DanVan.Auth;
using DanVan.Backup;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Tests.Support;

namespace DanVan.Benchmarks;

/// <summary>
/// A backup of every table and its restore (into an empty prefix, verified) at 5,000 units × 10 periods: every unit's
/// upload in every period (its version, head, ticket and change rows, its audit entry), the registry and a credential
/// per unit. Reported: seconds, rows per table, bytes.
/// </summary>
public static class BackupScenario
{
    /// <summary>Units: 5,000 (the issue's scenario), or <c>DANVAN_BENCH_BACKUP_UNITS</c> on a machine too busy for it.</summary>
    private static readonly int Units = int.Parse(Environment.GetEnvironmentVariable("DANVAN_BENCH_BACKUP_UNITS") ?? "5000", CultureInfo.InvariantCulture);
    private const int Periods = 10;
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 3, 0, 0, TimeSpan.FromHours(7));

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        await using var app = await TestApp.StartAsync(Now, new Dictionary<string, string?> { ["DanVan:Plan:FirstYear"] = "2021" });
        var seeding = Stopwatch.StartNew();
        await SeedAsync(app);
        Console.WriteLine($"  seeded {Periods} periods × {Units} units in {seeding.Elapsed.TotalSeconds:F0} s");

        var clock = Stopwatch.StartNew();
        var manifest = await app.Get<BackupService>().RunAsync(BackupService.Manual, "bench");
        var backup = clock.Elapsed;

        var target = "r" + Guid.NewGuid().ToString("N")[..8];
        clock.Restart();
        var report = await app.Get<RestoreService>().RestoreAsync(manifest.Id, target, null);
        var restore = clock.Elapsed;
        await DeleteAsync(app, target);
        if (!report.Verified)
        {
            throw new InvalidOperationException("the restore did not verify");
        }

        var perTable = string.Join(", ", manifest.Tables.Where(t => t.Rows > 0).Select(t => $"{t.Name} {t.Rows:N0} ({t.Bytes / 1024.0 / 1024:F1} MB)"));
        var shape = $"{Units:N0} units × {Periods} periods: {manifest.Rows:N0} rows, {manifest.Bytes / 1024.0 / 1024:F1} MB gzip";
        return
        [
            new Row($"backup every table, {Units:N0} units × {Periods} periods", $"{backup.TotalSeconds:F1} s", "", "", "reported", null,
                $"{shape} ({manifest.Rows / backup.TotalSeconds:N0} rows/s); re-read partitions {manifest.Tables.Sum(t => t.Reread)}; {perTable}"),
            new Row($"restore it into an empty prefix, verified", $"{restore.TotalSeconds:F1} s", "", "", "reported", null,
                $"{manifest.Rows / restore.TotalSeconds:N0} rows/s: files checked (SHA-256, rows), rows written 100 a transaction, every table read back and hashed, reconciled ({report.Reconciliation.VersionsChecked:N0} version blobs checked)"),
        ];
    }

    private static async Task SeedAsync(TestApp app)
    {
        await app.Get<UnitRegistry>().ImportAsync(Enumerable.Range(1, Units)
            .Select(i => (UnitRecord?)new UnitRecord($"don-vi-{i:D4}", $"Đơn vị số {i:D4} tỉnh Vĩnh Phúc", "Sở, ban, ngành", [$"don-vi-{i:D4}@example.org"], $"giam-doc-{i:D4}@example.org", "2015-01-01", null))
            .ToList());
        var credentials = app.Get<CredentialStore>();
        await Parallel.ForEachAsync(Enumerable.Range(1, Units), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) => await credentials.IssueAsync($"don-vi-{i:D4}", ct));

        var seeder = new SubmissionSeeder(app);
        var audit = app.Get<AuditLog>();
        var file = "%PDF-1.7\n% một tệp nhỏ\n"u8.ToArray();
        var periods = app.Get<PeriodCatalog>().Current().Where(p => p.Deadline <= Now).TakeLast(Periods).ToList();
        // One writer per period: every version commit replaces the period's row under its ETag.
        await Parallel.ForEachAsync(periods, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (period, ct) =>
        {
            var id = period.Id.ToString();
            var events = new List<AuditEvent>();
            for (var i = 1; i <= Units; i++)
            {
                var unit = $"don-vi-{i:D4}";
                var version = await seeder.SeedAsync(id, unit, $"Báo cáo {period.Title} - đơn vị {i:D4}.pdf", file, period.Deadline.AddDays(-3), "application/pdf");
                events.Add(new AuditEvent($"unit:{unit}", AuditActions.Upload, id, unit, $"v{version.Version} {version.Sha256}"));
            }

            await audit.RecordManyAsync(events, ct);
            Console.WriteLine($"  seeded {id}: {Units} versions");
        });
    }

    private static async Task DeleteAsync(TestApp app, string prefix)
    {
        var tables = app.Get<Azure.Data.Tables.TableServiceClient>();
        var blobs = app.Get<Azure.Storage.Blobs.BlobServiceClient>();
        var queues = app.Get<Azure.Storage.Queues.QueueServiceClient>();
        var names = new DanVan.Storage.StorageNames(Microsoft.Extensions.Options.Options.Create(new DanVan.Configuration.DanVanOptions { StoragePrefix = prefix }));
        await Task.WhenAll(names.Tables.Select(t => tables.DeleteTableAsync(t))
            .Concat<Task>(names.Containers.Select(c => blobs.GetBlobContainerClient(c).DeleteIfExistsAsync()))
            .Concat(names.Queues.Select(q => queues.DeleteQueueAsync(q))));
    }
}
