using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DanVan.Storage;

/// <summary>Creates DanVan's tables, containers and queues when the worker starts.</summary>
public sealed class StorageInitializer(DanVanStore store, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        logger.LogInformation("Storage ready: {Tables} tables, {Containers} containers, {Queues} queues", store.Names.Tables.Count(), store.Names.Containers.Count(), store.Names.Queues.Count());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
