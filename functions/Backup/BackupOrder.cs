namespace DanVan.Backup;

/// <summary>
/// The order tables are exported in. A row may name a row of another table (a compilation its source versions, an audit
/// entry what it records, a change row its write's ticket, a figures entry its indicator, a credential its unit), and
/// the row named is always written before the row that names it and is never deleted. So a table is exported before
/// every table its rows name: whatever a row exported earlier names existed before the export of the named table began,
/// and is in it. Tables this list does not know (added since) go first, as rows that name others, in name order.
/// </summary>
public static class BackupOrder
{
    /// <summary>Tables by their name without the storage prefix: those whose rows name others first.</summary>
    public static readonly IReadOnlyList<string> Known =
    [
        "audit",         // names everything it records, written after the act
        "unitperiods",   // a unit's rows cached at a period's stamp: before the stamps, so a restore's restamp misses every one
        "blobwrites",    // the orphan sweep's notes: period ids only
        "periodchanges", // change rows name their tickets (submissions, decisions, figures); a period's row names its latest compilation
        "periods",       // a period's finalization record; its fences are in submissions, decisions and figures
        "compilations",  // names source versions (submissions) and its bundle blob
        "emailledger",   // the ledger names periods, units, versions and decisions its emails are about
        "decisions",     // names a unit's versions
        "figures",       // names indicators and units
        "submissions",   // names units and report blobs
        "credentials",   // names units
        "outlines",      // a period's pin names an outline version of the same table
        "indicators",
        "units",
    ];

    /// <summary><paramref name="tables"/> (full names) in export order, each with its name without <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<(string Table, string Name)> Of(IEnumerable<string> tables, string prefix)
    {
        var named = tables.Select(t => (Table: t, Name: t.StartsWith(prefix, StringComparison.Ordinal) ? t[prefix.Length..] : t)).ToList();
        var unknown = named.Where(t => !Known.Contains(t.Name)).OrderBy(t => t.Name, StringComparer.Ordinal);
        var known = named.Where(t => Known.Contains(t.Name)).OrderBy(t => Known.ToList().IndexOf(t.Name));
        return [.. unknown, .. known];
    }
}
