using Azure;
using Azure.Data.Tables;
using DanVan.Storage;

namespace DanVan.Email;

/// <summary>The ledger's table rows (never seen outside it) and the one-time copy of the rows of the old <c>reminders</c> table.</summary>
public sealed partial class EmailLedger
{
    private readonly SemaphoreSlim migrating = new(1, 1);
    private volatile bool migrated;

    /// <summary>
    /// Copies, once, the rows of the table the ledger was kept in before (<c>reminders</c>, the same keys and columns)
    /// into this one; every ledger operation waits for it, so no email already claimed there is claimed again here. A row
    /// already here is newer (a claim made since, or an earlier copy) and is kept. Once every row is copied, the old table
    /// gets a marker row, so the next instance reads one row of it and nothing more; a table that does not exist has
    /// nothing to copy. A copy that fails is tried again at the next use; copying twice is harmless.
    /// </summary>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        if (migrated)
        {
            return;
        }

        await migrating.WaitAsync(ct);
        try
        {
            if (!migrated)
            {
                await CopyOldRowsAsync(ct);
                migrated = true;
            }
        }
        finally
        {
            migrating.Release();
        }
    }

    private async Task CopyOldRowsAsync(CancellationToken ct)
    {
        var old = new RetiredReminders(store);
        var rows = await old.RowsToCopyAsync(Table.Name, ct);
        if (rows.Count == 0)
        {
            return;
        }

        foreach (var chunk in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(MaxTransaction)))
        {
            await CopyAsync(chunk, ct);
        }

        await old.MarkCopiedAsync(Table.Name, rows.Count, ct);
    }

    /// <summary>Rows of one partition: added together; when any exists already, each on its own, keeping what is here.</summary>
    private async Task CopyAsync(TableEntity[] rows, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            row.ETag = default;
            row.Remove("odata.etag");
            row.Remove("Timestamp");
        }

        try
        {
            await Table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), ct);
        }
        catch (Exception ex) when (StorageFailures.Is(ex, ct))
        {
            foreach (var row in rows)
            {
                try
                {
                    await Table.AddEntityAsync(row, ct);
                }
                catch (RequestFailedException conflict) when (conflict.Status == 409)
                {
                    // Here already: a newer claim of the same email, or an earlier copy.
                }
            }
        }
    }

    /// <summary>One ledger row as the table holds it.</summary>
    private sealed class Entity : TableRow, ITableEntity
    {
        public string UnitCode { get; set; } = "";
        public string Stage { get; set; } = "";
        public string Status { get; set; } = "";
        public string? Reason { get; set; }
        public string? MessageId { get; set; }
        public int Attempts { get; set; }
        public int Runs { get; set; }
        public string To { get; set; } = "";
        public string? Cc { get; set; }
        public string Actor { get; set; } = "";
        public DateTimeOffset ClaimedAt { get; set; }
        public DateTimeOffset? SendingAt { get; set; }
        public DateTimeOffset? SentAt { get; set; }
        public DateTimeOffset? AttemptedAt { get; set; }
        public string? SendId { get; set; }
        public string? ClaimId { get; set; }

        public EmailLedgerRow ToRecord() => new(PartitionKey, RowKey, ETag == default ? null : ETag.ToString())
        {
            UnitCode = UnitCode,
            Stage = Stage,
            Status = Status,
            Reason = Reason,
            MessageId = MessageId,
            Attempts = Attempts,
            Runs = Runs,
            To = To,
            Cc = Cc,
            Actor = Actor,
            ClaimedAt = ClaimedAt,
            SendingAt = SendingAt,
            SentAt = SentAt,
            AttemptedAt = AttemptedAt,
            SendId = SendId,
            ClaimId = ClaimId,
        };

        public static Entity Of(EmailLedgerRow r) => new()
        {
            PartitionKey = r.PartitionKey,
            RowKey = r.RowKey,
            ETag = r.Version is { } version ? new ETag(version) : throw new ArgumentException("A row is written back only as the version it was read as.", nameof(r)),
            UnitCode = r.UnitCode,
            Stage = r.Stage,
            Status = r.Status,
            Reason = r.Reason,
            MessageId = r.MessageId,
            Attempts = r.Attempts,
            Runs = r.Runs,
            To = r.To,
            Cc = r.Cc,
            Actor = r.Actor,
            ClaimedAt = r.ClaimedAt,
            SendingAt = r.SendingAt,
            SentAt = r.SentAt,
            AttemptedAt = r.AttemptedAt,
            SendId = r.SendId,
            ClaimId = r.ClaimId,
        };

        /// <summary>A row as the claim an item of a batch message carries wrote it (status <c>queued</c>), under that write's version.</summary>
        public static Entity AsClaimed(string partitionKey, EmailQueueItem item) => new()
        {
            PartitionKey = partitionKey,
            RowKey = item.RowKey,
            ETag = new ETag(item.ETag!),
            UnitCode = item.UnitCode ?? "",
            Stage = item.Stage ?? "",
            Status = EmailStatus.Queued,
            Runs = item.Runs,
            Attempts = item.Attempts,
            ClaimId = item.ClaimId,
            To = item.To ?? "",
            Cc = item.Cc,
            Actor = item.Actor ?? "",
            ClaimedAt = item.ClaimedAt ?? default,
        };
    }
}
