namespace DanVan.Backup;

/// <summary>
/// What a backup holds, written last (<c>{id}/manifest.json</c>): a backup without it is unfinished and not listed. Table
/// names are without the storage prefix, so a backup restores under any prefix.
/// </summary>
public sealed record BackupManifest(
    string Format,
    string Id,
    string Reason,
    string By,
    string SourcePrefix,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    IReadOnlyList<TableBackup> Tables)
{
    public const string CurrentFormat = "danvan-backup/1";

    public const string FileName = "manifest.json";

    public long Rows => Tables.Sum(t => t.Rows);

    public long Bytes => Tables.Sum(t => t.Bytes);
}

/// <summary>
/// One table's snapshot: its file (gzip of JSON lines, <see cref="EntityLines"/>), rows, the file's size and SHA-256, the
/// SHA-256 of its rows' content (what a restored table must hash to), and when its export began and ended. Partitions
/// written while they were read are read again until a read sees no write (<see cref="Reread"/>); any that never settled
/// are named in <see cref="Unsettled"/>.
/// </summary>
public sealed record TableBackup(
    string Name,
    string File,
    long Rows,
    long Bytes,
    string Sha256,
    string ContentSha256,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    int Reread,
    IReadOnlyList<string> Unsettled);
