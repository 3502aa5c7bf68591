using Azure;
using Azure.Data.Tables;
using DanVan.Storage;

namespace DanVan.Email;

/// <summary>
/// The one owner of the retired table <c>reminders</c>, where the email ledger was kept before (the same keys and
/// columns as <see cref="EmailLedger"/>'s table). Never created or backed up: read once by the ledger's migration,
/// which leaves a marker row here once every row is copied, so the next instance reads that one row and nothing more.
/// </summary>
public sealed class RetiredReminders(DanVanStore store) : ITableOwner
{
    /// <summary>Where the old table says its rows were copied (PartitionKey, RowKey the new table's name): a partition no email row uses.</summary>
    private const string MigratedPartition = "~migrated";

    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.OldRemindersTable;

    private TableClient Table => store.Table<RetiredReminders>();

    /// <summary>
    /// The rows still to copy into <paramref name="into"/>: none when the marker says they were copied, or when the
    /// table does not exist (nothing was ever kept there).
    /// </summary>
    public async Task<IReadOnlyList<TableEntity>> RowsToCopyAsync(string into, CancellationToken ct)
    {
        try
        {
            if ((await Table.GetEntityIfExistsAsync<TableEntity>(MigratedPartition, into, cancellationToken: ct)).HasValue)
            {
                return [];
            }

            var rows = new List<TableEntity>();
            await foreach (var row in Table.QueryAsync<TableEntity>(cancellationToken: ct))
            {
                if (row.PartitionKey != MigratedPartition)
                {
                    rows.Add(row);
                }
            }

            return rows;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return [];
        }
    }

    /// <summary>Notes that every row was copied into <paramref name="into"/> (<paramref name="count"/> of them).</summary>
    public async Task MarkCopiedAsync(string into, int count, CancellationToken ct) =>
        await Table.UpsertEntityAsync(new TableEntity(MigratedPartition, into) { ["Rows"] = count }, TableUpdateMode.Replace, ct);
}
