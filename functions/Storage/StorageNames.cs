using DanVan.Configuration;
using Microsoft.Extensions.Options;

namespace DanVan.Storage;

/// <summary>
/// Every table, blob container and queue DanVan owns. Names carry the configured prefix (empty in
/// production) so each test can work in its own set.
/// </summary>
public sealed class StorageNames(IOptions<DanVanOptions> options)
{
    /// <summary>
    /// The app setting the email sender's queue trigger names its queue by (<c>%EMAIL_QUEUE%</c>): the
    /// Functions host reads the queue name from it, so it must be <see cref="EmailQueue"/> (checked at start).
    /// </summary>
    public const string EmailQueueSetting = "EMAIL_QUEUE";

    /// <summary>What the Functions host appends to a queue's name for the messages that failed every attempt.</summary>
    public const string PoisonSuffix = "-poison";

    private readonly string prefix = options.Value.StoragePrefix;

    public string UnitsTable => prefix + "units";
    public string CredentialsTable => prefix + "credentials";
    public string PeriodsTable => prefix + "periods";
    public string SubmissionsTable => prefix + "submissions";
    public string AuditTable => prefix + "audit";
    public string EmailLedgerTable => prefix + EmailLedgerName;

    /// <summary>The email ledger's table name, without the prefix.</summary>
    public const string EmailLedgerName = "emailledger";

    /// <summary>Where the email ledger was kept before; no longer created or backed up (its rows are copied once).</summary>
    public string OldRemindersTable => prefix + OldRemindersName;

    /// <summary>The email ledger's old table name, without the prefix (as old backups name it).</summary>
    public const string OldRemindersName = "reminders";
    public string CompilationsTable => prefix + "compilations";
    public string IndicatorsTable => prefix + "indicators";
    public string FiguresTable => prefix + "figures";
    public string DecisionsTable => prefix + "decisions";
    public string PeriodChangesTable => prefix + "periodchanges";
    public string UnitPeriodsTable => prefix + "unitperiods";
    public string BlobWritesTable => prefix + "blobwrites";
    public string OutlinesTable => prefix + "outlines";

    public string ReportsContainer => prefix + "reports";
    public string CompilationsContainer => prefix + "compilations";
    public string OutboxContainer => prefix + "outbox";

    /// <summary>Bodies of queued emails too large for a queue message (a digest listing many units).</summary>
    public string EmailBodiesContainer => prefix + "emailbodies";

    /// <summary>Backups of every table (<c>Backup/BackupService</c>); write-once in Azure.</summary>
    public string BackupsContainer => prefix + "backups";

    /// <summary>Receipts, reminders and digests waiting for the queue-triggered sender.</summary>
    public string EmailQueue => prefix + "emails";

    /// <summary>Where the Functions host moves an email message after its last failed attempt.</summary>
    public string EmailPoisonQueue => EmailQueue + PoisonSuffix;

    /// <summary>Tables no longer created or backed up, each still owned by the one class that reads it for a migration.</summary>
    public IEnumerable<string> RetiredTables => [OldRemindersTable];

    public IEnumerable<string> Tables =>
        [UnitsTable, CredentialsTable, PeriodsTable, SubmissionsTable, AuditTable, EmailLedgerTable, CompilationsTable, IndicatorsTable, FiguresTable, DecisionsTable, PeriodChangesTable, UnitPeriodsTable, BlobWritesTable, OutlinesTable];

    public IEnumerable<string> Containers => [ReportsContainer, CompilationsContainer, OutboxContainer, EmailBodiesContainer, BackupsContainer];

    public IEnumerable<string> Queues => [EmailQueue, EmailPoisonQueue];
}
