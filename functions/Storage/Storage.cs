using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace DanVan.Storage;

/// <summary>DanVan's tables, containers and queues, from the one <c>DanVanStorage</c> connection.</summary>
public sealed class DanVanStore(TableServiceClient tables, BlobServiceClient blobs, QueueServiceClient queues, StorageNames names)
{
    public StorageNames Names { get; } = names;

    /// <summary>
    /// The table <typeparamref name="TOwner"/> owns (<see cref="ITableOwner.TableName"/>): the one class that knows its
    /// keys and rows. There is no other way to a DanVan table from here, so a table touched outside its owner shows as a
    /// <c>Table&lt;Other&gt;()</c> call (the architecture test, tests/DanVan.Tests/Architecture, fails on it).
    /// </summary>
    public TableClient Table<TOwner>() where TOwner : ITableOwner => tables.GetTableClient(TOwner.TableName(Names));

    public BlobContainerClient Reports => blobs.GetBlobContainerClient(Names.ReportsContainer);
    public BlobContainerClient CompilationBlobs => blobs.GetBlobContainerClient(Names.CompilationsContainer);
    public BlobContainerClient Outbox => blobs.GetBlobContainerClient(Names.OutboxContainer);
    public BlobContainerClient EmailBodies => blobs.GetBlobContainerClient(Names.EmailBodiesContainer);

    /// <summary>Messages are Base64, as the Functions queue extension reads and writes them by default (host.json <c>messageEncoding</c>).</summary>
    public QueueClient EmailQueue => queues.GetQueueClient(Names.EmailQueue);
    public QueueClient EmailPoisonQueue => queues.GetQueueClient(Names.EmailPoisonQueue);

    /// <summary>
    /// A point read of a key no entity has (in the units table, whose rows it does not read): the cheapest call that
    /// proves the table service answers.
    /// </summary>
    public async Task TableServiceAnswersAsync(CancellationToken ct)
    {
        await tables.GetTableClient(Names.UnitsTable).GetEntityIfExistsAsync<TableEntity>("~health", "~health", ["PartitionKey"], ct);
    }

    /// <summary>Creates every table, container and queue that is missing. Safe to run on every start.</summary>
    public async Task EnsureCreatedAsync(CancellationToken ct = default)
    {
        await Task.WhenAll(
            Names.Tables.Select(t => tables.GetTableClient(t).CreateIfNotExistsAsync(ct))
                .Concat<Task>(Names.Containers.Select(c => blobs.GetBlobContainerClient(c).CreateIfNotExistsAsync(cancellationToken: ct)))
                .Concat(Names.Queues.Select(q => queues.GetQueueClient(q).CreateIfNotExistsAsync(cancellationToken: ct))));
    }
}
