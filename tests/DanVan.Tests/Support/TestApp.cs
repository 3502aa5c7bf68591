using DanVan.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DanVan.Tests.Support;

/// <summary>
/// DanVan's real service graph (the same <c>AddDanVan</c> as Program.cs) against the shared Azurite,
/// in tables, containers and queues of its own (a random prefix), with a fake clock. Deletes them on dispose.
/// Nothing runs the email queue's trigger here: a test drains it (<see cref="EmailQueueDrain"/>).
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token-0123456789abcdef";

    private readonly ServiceProvider provider;

    private TestApp(ServiceProvider provider, FakeTimeProvider clock)
    {
        this.provider = provider;
        Clock = clock;
    }

    public FakeTimeProvider Clock { get; }

    public IServiceProvider Services => provider;

    public DanVanStore Store => Get<DanVanStore>();

    /// <summary>A registered service, or a function class built the way the worker builds it (constructor injection).</summary>
    public T Get<T>() where T : notnull => ActivatorUtilities.GetServiceOrCreateInstance<T>(provider);

    /// <summary>Starts at <paramref name="now"/> (default 1/5/2026 09:00 Vietnam time).</summary>
    /// <param name="faults">When given, DanVan's storage clients carry it (<see cref="StorageFaults"/>): faults between DanVan and Azurite.</param>
    /// <param name="storage">Another storage connection than the shared Azurite's (e.g. an <see cref="OwnAzurite"/>).</param>
    public static async Task<TestApp> StartAsync(DateTimeOffset? now = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, StorageFaults? faults = null, string? storage = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["DanVanStorage"] = storage ?? Azurite.ConnectionString,
            ["DanVan:AdminToken"] = AdminToken,
            ["DanVan:Auth:BreakGlass"] = "true", // the admin token, as break-glass; people sign in in tests/DanVan.EndToEnd
            ["DanVan:PublicBaseUrl"] = "http://localhost:7071",
            ["DanVan:StoragePrefix"] = "t" + Guid.NewGuid().ToString("N")[..10],
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var clock = new FakeTimeProvider(now ?? new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.FromHours(7)));
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddLogging();
        collection.AddDanVan(configuration);
        collection.AddSingleton<TimeProvider>(clock);
        if (faults is not null)
        {
            collection.AddSingleton(faults.TableClient(storage ?? Azurite.ConnectionString));
            collection.AddSingleton(faults.BlobClient(storage ?? Azurite.ConnectionString));
            if (faults.IncludeQueues)
            {
                collection.AddSingleton(faults.QueueClient(storage ?? Azurite.ConnectionString));
            }
        }

        services?.Invoke(collection);
        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var app = new TestApp(provider, clock);
        await app.Store.EnsureCreatedAsync();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        var store = Store;
        var tables = store.Names.Tables.Select(t => Get<Azure.Data.Tables.TableServiceClient>().DeleteTableAsync(t));
        var containers = store.Names.Containers.Select(c => Get<Azure.Storage.Blobs.BlobServiceClient>().GetBlobContainerClient(c).DeleteIfExistsAsync());
        var queues = store.Names.Queues.Select(q => Get<Azure.Storage.Queues.QueueServiceClient>().DeleteQueueAsync(q));
        await Task.WhenAll(tables.Concat<Task>(containers).Concat(queues));
        await provider.DisposeAsync();
    }
}
