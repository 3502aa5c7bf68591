using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace DanVan.Storage;

/// <summary>DanVan's tables, containers and queues, from the one <c>DanVanStorage</c> connection.</summary>
public sealed class DanVanStore(TableServiceClient tables, BlobServiceClient blobs, QueueServiceClient queues, StorageNames names)
{
    public StorageNames Names { get; } = names;

    public TableClient Units => tables.GetTableClient(Names.UnitsTable);
    public TableClient Credentials => tables.GetTableClient(Names.CredentialsTable);
    public TableClient Periods => tables.GetTableClient(Names.PeriodsTable);
    public TableClient Submissions => tables.GetTableClient(Names.SubmissionsTable);
    public TableClient Audit => tables.GetTableClient(Names.AuditTable);
    public TableClient EmailLedger => tables.GetTableClient(Names.EmailLedgerTable);

    /// <summary>The table the email ledger was kept in before (<c>reminders</c>): read once, to copy its rows.</summary>
    public TableClient OldReminders => tables.GetTableClient(Names.OldRemindersTable);
    public TableClient Compilations => tables.GetTableClient(Names.CompilationsTable);
    public TableClient Indicators => tables.GetTableClient(Names.IndicatorsTable);
    public TableClient Figures => tables.GetTableClient(Names.FiguresTable);
    public TableClient Decisions => tables.GetTableClient(Names.DecisionsTable);
    public TableClient PeriodChanges => tables.GetTableClient(Names.PeriodChangesTable);
    public TableClient Outlines => tables.GetTableClient(Names.OutlinesTable);

    public BlobContainerClient Reports => blobs.GetBlobContainerClient(Names.ReportsContainer);
    public BlobContainerClient CompilationBlobs => blobs.GetBlobContainerClient(Names.CompilationsContainer);
    public BlobContainerClient Outbox => blobs.GetBlobContainerClient(Names.OutboxContainer);
    public BlobContainerClient EmailBodies => blobs.GetBlobContainerClient(Names.EmailBodiesContainer);

    /// <summary>Messages are Base64, as the Functions queue extension reads and writes them by default (host.json <c>messageEncoding</c>).</summary>
    public QueueClient EmailQueue => queues.GetQueueClient(Names.EmailQueue);
    public QueueClient EmailPoisonQueue => queues.GetQueueClient(Names.EmailPoisonQueue);

    /// <summary>Creates every table, container and queue that is missing. Safe to run on every start.</summary>
    public async Task EnsureCreatedAsync(CancellationToken ct = default)
    {
        await Task.WhenAll(
            Names.Tables.Select(t => tables.GetTableClient(t).CreateIfNotExistsAsync(ct))
                .Concat<Task>(Names.Containers.Select(c => blobs.GetBlobContainerClient(c).CreateIfNotExistsAsync(cancellationToken: ct)))
                .Concat(Names.Queues.Select(q => queues.GetQueueClient(q).CreateIfNotExistsAsync(cancellationToken: ct))));
    }
}
