using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Reading;
using DanVan.Storage;
using DanVan.Uploads;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DanVan.Backup;

/// <summary>One table restored: the rows read back from the target and whether they hash as the backup says.</summary>
public sealed record TableRestore(string Name, long Rows, long ExpectedRows, string ContentSha256, bool Verified);

/// <summary>What a restore did and found.</summary>
public sealed record RestoreReport(string BackupId, string TargetPrefix, IReadOnlyList<TableRestore> Tables, Reconciliation Reconciliation)
{
    public bool Verified => Tables.All(t => t.Verified);
}

/// <summary>
/// Restores a backup's tables into empty tables under a storage prefix of this account (the app's own, once its tables are
/// empty, or another one for a drill). Nothing is written unless every table asked for is empty in the target and every
/// file matches its manifest (size, SHA-256, rows, content hash); after writing, each table is read back and must hash
/// as it did when it was backed up. Then the restored state is reconciled (<see cref="RestoreReconciler"/>).
/// </summary>
public sealed partial class RestoreService(
    BackupService backups,
    TableServiceClient tables,
    BlobServiceClient blobs,
    QueueServiceClient queues,
    RestoreReconciler reconciler,
    IOptions<DanVanOptions> app)
{
    /// <summary>Storage accepts 100 rows and 4 MiB in one transaction; the JSON of a row is smaller than its request body, so stay well under.</summary>
    private const int MaxBatchRows = 100;
    private const int MaxBatchBytes = 1_500_000;

    public async Task<RestoreReport> RestoreAsync(string backupId, string targetPrefix, IReadOnlyList<string>? only, CancellationToken ct = default)
    {
        if (!PrefixPattern().IsMatch(targetPrefix))
        {
            throw Invalid("targetPrefix", "Tiền tố lưu trữ đích phải để trống hoặc gồm chữ thường và chữ số, bắt đầu bằng chữ (tối đa 16 ký tự).");
        }

        var manifest = await backups.GetAsync(backupId, ct)
            ?? throw RefusalCodes.UnknownBackup.Because($"Không có bản sao lưu hoàn chỉnh \"{backupId}\".");
        var unknown = (only ?? []).Where(n => manifest.Tables.All(t => t.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw Invalid("tables", $"Bản sao lưu không có bảng: {string.Join(", ", unknown)}.");
        }

        var chosen = manifest.Tables.Where(t => only is not { Count: > 0 } || only.Contains(t.Name)).ToList();
        // A complete set of DanVan's tables and containers under the prefix (what the app would create at start), so the
        // reconciliation and the app find every one of them.
        var target = Target(targetPrefix);
        await target.EnsureCreatedAsync(ct);
        var occupied = new List<string>();
        foreach (var table in chosen)
        {
            var client = tables.GetTableClient(targetPrefix + TableFor(table.Name));
            await client.CreateIfNotExistsAsync(ct);
            await foreach (var page in client.QueryAsync<TableEntity>(select: ["PartitionKey"], maxPerPage: 1, cancellationToken: ct).AsPages())
            {
                if (page.Values.Count > 0)
                {
                    occupied.Add(targetPrefix + TableFor(table.Name));
                }

                break;
            }
        }

        if (occupied.Count > 0)
        {
            throw RefusalCodes.RestoreTargetNotEmpty.Because(
                $"Chỉ khôi phục vào bảng trống; các bảng sau đã có dữ liệu: {string.Join(", ", occupied)}.");
        }

        foreach (var table in chosen)
        {
            var (rows, bytes, sha, content) = await ReadAsync(manifest.Id, table, write: null, ct);
            if (rows != table.Rows || bytes != table.Bytes || sha != table.Sha256 || content != table.ContentSha256)
            {
                throw RefusalCodes.BackupDamaged.Because(
                    $"Tệp {table.File} của bản sao lưu {manifest.Id} không khớp với bản kê (số dòng, kích thước hoặc SHA-256); không có gì được ghi.");
            }
        }

        var restored = new List<TableRestore>();
        foreach (var table in chosen)
        {
            var client = tables.GetTableClient(targetPrefix + TableFor(table.Name));
            await ReadAsync(manifest.Id, table, batch => client.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), ct), ct);
            var (rows, content) = await ContentOfAsync(client, ct);
            restored.Add(new TableRestore(table.Name, rows, table.Rows, content, rows == table.Rows && content == table.ContentSha256));
        }

        return new RestoreReport(manifest.Id, targetPrefix, restored, await reconciler.ReconcileAsync(target, targetPrefix, chosen.Select(t => t.Name).ToList(), ct));
    }

    /// <summary>
    /// The table a backup's table is restored into: its own name, except the email ledger's old table (<c>reminders</c>,
    /// in backups made before it was renamed), whose rows have the ledger's keys and columns and go to <c>emailledger</c>.
    /// </summary>
    internal static string TableFor(string backupName) =>
        backupName == StorageNames.OldRemindersName ? StorageNames.EmailLedgerName : backupName;

    private static DomainException Invalid(string field, string detail) =>
        DomainException.Invalid(detail, [new Violation(null, field, "invalid", detail)]);

    private DanVanStore Target(string prefix) =>
        new(tables, blobs, queues, new StorageNames(Options.Create(new DanVanOptions { StoragePrefix = prefix, AdminToken = app.Value.AdminToken })));

    /// <summary>
    /// Reads a table's file: rows, bytes, SHA-256 of the file and of its rows' content; with <paramref name="write"/>, hands
    /// the rows on in transactions (one partition each, in the file's order), a few at once.
    /// </summary>
    private async Task<(long Rows, long Bytes, string Sha256, string ContentSha256)> ReadAsync(string id, TableBackup table, Func<List<TableEntity>, Task>? write, CancellationToken ct)
    {
        var download = await backups.Container.GetBlobClient($"{id}/{table.File}").DownloadStreamingAsync(cancellationToken: ct);
        await using var stored = download.Value.Content;
        await using var hashing = new HashingReadStream(stored);
        using var content = new ContentHash();
        var rows = 0L;
        var inFlight = new List<Task>();
        var batch = new List<TableEntity>();
        var batchBytes = 0;
        async Task FlushAsync()
        {
            if (write is null || batch.Count == 0)
            {
                return;
            }

            inFlight.Add(write(batch));
            batch = [];
            batchBytes = 0;
            if (inFlight.Count >= app.Value.MaxParallelism)
            {
                var finished = await Task.WhenAny(inFlight);
                inFlight.Remove(finished);
                await finished;
            }
        }

        await using (var gzip = new GZipStream(hashing, CompressionMode.Decompress, leaveOpen: true))
        using (var reader = new StreamReader(gzip, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                var bytes = Encoding.UTF8.GetBytes(line);
                var (row, rowContent) = EntityLines.Parse(bytes);
                content.Append(rowContent);
                content.Append("\n"u8);
                rows++;
                if (batch.Count > 0 && (batch[0].PartitionKey != row.PartitionKey || batch.Count == MaxBatchRows || batchBytes + bytes.Length > MaxBatchBytes))
                {
                    await FlushAsync();
                }

                batch.Add(row);
                batchBytes += bytes.Length;
            }

            // Read to the end of the file, so the hash covers every byte (gzip may leave its trailer unread).
            await hashing.CopyToAsync(Stream.Null, ct);
        }

        await FlushAsync();
        await Task.WhenAll(inFlight);
        return (rows, hashing.BytesRead, Convert.ToHexStringLower(hashing.Hash()), content.CurrentHex());
    }

    /// <summary>A table as it is now: rows and the SHA-256 of their content, as the backup hashed them.</summary>
    internal static async Task<(long Rows, string ContentSha256)> ContentOfAsync(TableClient table, CancellationToken ct)
    {
        using var content = new ContentHash();
        var rows = 0L;
        await foreach (var row in table.QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: ct))
        {
            content.Append(EntityLines.Content(row));
            content.Append("\n"u8);
            rows++;
        }

        return (rows, content.CurrentHex());
    }

    [GeneratedRegex("^([a-z][a-z0-9]{0,15})?$")]
    private static partial Regex PrefixPattern();
}
