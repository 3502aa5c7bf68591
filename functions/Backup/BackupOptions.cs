using System.ComponentModel.DataAnnotations;

namespace DanVan.Backup;

/// <summary>Settings of the backups, under <c>DanVan__Backup__*</c>; the nightly timer's CRON is <c>BACKUP_SCHEDULE</c> (UTC).</summary>
public sealed class BackupOptions
{
    public const string Section = "DanVan:Backup";

    /// <summary>The app setting the timer reads its CRON from (<c>%BACKUP_SCHEDULE%</c>).</summary>
    public const string ScheduleSetting = "BACKUP_SCHEDULE";

    /// <summary>
    /// Backups older than this many days are deleted by the nightly run (the newest one is always kept). In Azure the
    /// backup container's write-once retention (Bicep <c>backupImmutabilityDays</c>) must not be longer, or the deletes
    /// are refused until it ends (logged, tried again the next night).
    /// </summary>
    [Range(1, 3650, ErrorMessage = "DanVan__Backup__RetentionDays must be between 1 and 3650.")]
    public int RetentionDays { get; set; } = 35;

    /// <summary>
    /// Days every report version a final bundle includes is kept write-once, from the bundle's creation: DanVan sets a
    /// time-based immutability policy on each such version (<see cref="FinalRecords"/>). 0 (the local default: Azurite
    /// enforces no immutability) sets none. In Azure it is the Bicep <c>finalRecordRetentionDays</c>, the bundles' own.
    /// </summary>
    [Range(0, 146000, ErrorMessage = "DanVan__Backup__FinalRecordDays must be between 0 (none) and 146000.")]
    public int FinalRecordDays { get; set; }

    /// <summary>Times one partition is read again when it was written while it was being read, before the backup says so and goes on.</summary>
    [Range(1, 50, ErrorMessage = "DanVan__Backup__MaxRereads must be between 1 and 50.")]
    public int MaxRereads { get; set; } = 10;
}
