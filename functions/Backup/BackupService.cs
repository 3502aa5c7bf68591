using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DanVan.Backup;

/// <summary>
/// Backups of every DanVan table (<see cref="StorageNames.Tables"/>, so a table added later is backed up without a change
/// here) into the backup container: <c>{id}/{nn}-{table}.jsonl.gz</c>, one per table in <see cref="BackupOrder"/>, then
/// <c>{id}/manifest.json</c>. Every blob is written once, only if none exists at its name (if-none-match *): a backup is
/// never overwritten, and in Azure the container is write-once for its retention (infra/modules/storage.bicep).
/// </summary>
public sealed class BackupService(
    TableServiceClient tables,
    BlobServiceClient blobs,
    StorageNames names,
    IOptions<DanVanOptions> app,
    IOptions<BackupOptions> options,
    TimeProvider clock,
    ILogger<BackupService> logger)
{
    public const string Nightly = "nightly";
    public const string Manual = "manual";

    public static string BeforeFinalization(string periodId) => $"before-finalize-{periodId}";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public BlobContainerClient Container => blobs.GetBlobContainerClient(names.BackupsContainer);

    /// <summary>Exports every table, in order, then writes the manifest. <paramref name="reason"/> is [a-z0-9-].</summary>
    public async Task<BackupManifest> RunAsync(string reason, string by, CancellationToken ct = default)
    {
        var startedAt = clock.GetUtcNow();
        var id = $"{startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}-{reason}-{Guid.NewGuid().ToString("N")[..6]}";
        await Container.CreateIfNotExistsAsync(cancellationToken: ct);
        var exporter = new TableExporter(options.Value.MaxRereads, clock);
        var done = new List<TableBackup>();
        var order = BackupOrder.Of(names.Tables, app.Value.StoragePrefix);
        for (var i = 0; i < order.Count; i++)
        {
            var (table, name) = order[i];
            var file = $"{(i + 1).ToString("D2", CultureInfo.InvariantCulture)}-{name}.jsonl.gz";
            var client = tables.GetTableClient(table);
            await client.CreateIfNotExistsAsync(ct); // a table nobody wrote yet is an empty snapshot, not a failure
            var export = await exporter.ExportAsync(client, name, file, Container.GetBlockBlobClient($"{id}/{file}"), ct);
            if (export.Unsettled.Count > 0)
            {
                logger.LogWarning("Backup {BackupId}: {Count} partitions of {Table} were written during every read; kept as last read", id, export.Unsettled.Count, name);
            }

            done.Add(export);
        }

        var manifest = new BackupManifest(BackupManifest.CurrentFormat, id, reason, by, app.Value.StoragePrefix, startedAt, clock.GetUtcNow(), done);
        await Container.GetBlobClient($"{id}/{BackupManifest.FileName}").UploadAsync(
            BinaryData.FromObjectAsJson(manifest, Json),
            new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
            ct);
        logger.LogInformation("Backup {BackupId} ({Reason}): {Tables} tables, {Rows} rows, {Bytes} bytes", id, reason, done.Count, manifest.Rows, manifest.Bytes);
        return manifest;
    }

    /// <summary>
    /// The backup finalization makes first, so the state just before the period is closed can always be brought back. A
    /// backup that fails stops the finalization: storage failing is answered 503 (try again shortly); anything else is the
    /// refusal <c>backup_failed</c>. Either way the period stays open and nothing is changed.
    /// </summary>
    public async Task<BackupManifest> BeforeFinalizationAsync(string periodId, string by, CancellationToken ct = default)
    {
        try
        {
            return await RunAsync(BeforeFinalization(periodId), by, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !StorageFailures.Is(ex, ct))
        {
            logger.LogError(ex, "Backup before finalizing {PeriodId} failed; the period is not finalized", periodId);
            throw RefusalCodes.BackupFailed.Because(
                $"Không sao lưu được dữ liệu trước khi khóa sổ kỳ {periodId}, nên kỳ báo cáo chưa bị khóa sổ. Vui lòng thử lại hoặc báo cho người vận hành.");
        }
    }

    /// <summary>The finished backups (those with a manifest), newest first.</summary>
    public async Task<IReadOnlyList<BackupManifest>> ListAsync(CancellationToken ct = default)
    {
        var found = new List<BackupManifest>();
        if (!await Container.ExistsAsync(ct))
        {
            return found;
        }

        await foreach (var item in Container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", prefix: null, ct))
        {
            if (item.IsPrefix && await GetAsync(item.Prefix.TrimEnd('/'), ct) is { } manifest)
            {
                found.Add(manifest);
            }
        }

        return found.OrderByDescending(m => m.StartedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>A finished backup's manifest, or null (no such backup, or not finished).</summary>
    public async Task<BackupManifest?> GetAsync(string id, CancellationToken ct = default)
    {
        if (!IsId(id))
        {
            return null;
        }

        try
        {
            var content = await Container.GetBlobClient($"{id}/{BackupManifest.FileName}").DownloadContentAsync(ct);
            return content.Value.Content.ToObjectFromJson<BackupManifest>(Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>A backup id as <see cref="RunAsync"/> makes them: [0-9A-Za-z-], nothing that could leave the backup's folder.</summary>
    public static bool IsId(string id) => id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>
    /// Deletes backups older than <see cref="BackupOptions.RetentionDays"/>, never the newest. Its files go before its
    /// manifest, so a backup half deleted is no longer listed; a delete refused (a write-once retention not yet over) is
    /// logged and tried again the next night. Returns the ids deleted.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeleteExpiredAsync(CancellationToken ct = default)
    {
        var before = clock.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
        var deleted = new List<string>();
        foreach (var manifest in (await ListAsync(ct)).Skip(1).Where(m => m.StartedAt < before))
        {
            try
            {
                foreach (var table in manifest.Tables)
                {
                    await Container.GetBlobClient($"{manifest.Id}/{table.File}").DeleteIfExistsAsync(cancellationToken: ct);
                }

                await Container.GetBlobClient($"{manifest.Id}/{BackupManifest.FileName}").DeleteIfExistsAsync(cancellationToken: ct);
                deleted.Add(manifest.Id);
            }
            catch (RequestFailedException ex)
            {
                logger.LogWarning(ex, "Expired backup {BackupId} not deleted ({Status}); tried again next night", manifest.Id, ex.Status);
            }
        }

        return deleted;
    }
}
