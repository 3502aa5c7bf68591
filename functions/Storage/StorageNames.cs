using DanVan.Configuration;
using Microsoft.Extensions.Options;

namespace DanVan.Storage;

/// <summary>
/// Every table and blob container DanVan owns. Names carry the configured prefix (empty in
/// production) so each test can work in its own set.
/// </summary>
public sealed class StorageNames(IOptions<DanVanOptions> options)
{
    private readonly string prefix = options.Value.StoragePrefix;

    public string UnitsTable => prefix + "units";
    public string CredentialsTable => prefix + "credentials";
    public string PeriodsTable => prefix + "periods";
    public string SubmissionsTable => prefix + "submissions";
    public string AuditTable => prefix + "audit";
    public string RemindersTable => prefix + "reminders";
    public string CompilationsTable => prefix + "compilations";

    public string ReportsContainer => prefix + "reports";
    public string CompilationsContainer => prefix + "compilations";
    public string OutboxContainer => prefix + "outbox";

    public IEnumerable<string> Tables =>
        [UnitsTable, CredentialsTable, PeriodsTable, SubmissionsTable, AuditTable, RemindersTable, CompilationsTable];

    public IEnumerable<string> Containers => [ReportsContainer, CompilationsContainer, OutboxContainer];
}
