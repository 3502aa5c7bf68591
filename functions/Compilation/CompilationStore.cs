using System.Globalization;
using Azure;
using Azure.Data.Tables;
using DanVan.Storage;

namespace DanVan.Compilation;

/// <summary>
/// Table <c>compilations</c>: PartitionKey = the period id, RowKey = <c>n~</c> + (999999 − version) as six
/// digits, so the newest compilation is the first row of the partition (reading the latest, or a page newest
/// first, reads only what it returns) and adding row N+1 is how a version is allocated (two compilers racing
/// for the same number: one add wins, the other gets 409). Rows written before that carry the version itself
/// as six digits (<see cref="LegacyRowKeyOf"/>); they are still read, after the newer ones.
/// The bundle itself is in container <c>compilations</c> at <see cref="CompilationRecord.BlobName"/>.
/// </summary>
public sealed class CompilationEntity : TableRow, ITableEntity
{
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public bool Final { get; set; }
    public string BlobName { get; set; } = "";
    public long SizeBytes { get; set; }
    public string Sha256 { get; set; } = "";
    public int Required { get; set; }
    public int OnTime { get; set; }
    public int Late { get; set; }
    public int Missing { get; set; }

    /// <summary>
    /// Every count of the period's status when the bundle was built (<see cref="Periods.StatusCounts"/>, decisions'
    /// counts included), "required,submitted,onTime,late,missing,exempt,extended,accepted,returned,awaitingReview";
    /// null on rows written before it was kept.
    /// </summary>
    public string? StatusCounts { get; set; }

    /// <summary>"unit:3;unit2:1": the version of each unit's file in the bundle, by unit code.</summary>
    public string SourceVersions { get; set; } = "";

    /// <summary>SHA-256 of everything the bundle is made from; equal fingerprints mean equal bundles.</summary>
    public string InputsFingerprint { get; set; } = "";

    public const int MaxVersion = 999999;

    public const string KeysFrom = "n~";
    public const string KeysTo = "n~~";

    /// <summary>Legacy keys are six digits: '0' to '9', all before <see cref="KeysFrom"/>.</summary>
    public const string LegacyFrom = "0";
    public const string LegacyTo = ":";

    public static string RowKeyOf(int version) => KeysFrom + (MaxVersion - version).ToString("D6", CultureInfo.InvariantCulture);

    public static string LegacyRowKeyOf(int version) => version.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The row recording version <paramref name="version"/> of a period's bundle, built from <paramref name="inputs"/>.</summary>
    public static CompilationEntity Of(
        string periodId, int version, DateTimeOffset createdAt, string createdBy, bool final, string blobName, long size, string sha256, CompilationInputs inputs) => new()
    {
        PartitionKey = periodId,
        RowKey = RowKeyOf(version),
        Version = version,
        CreatedAt = createdAt,
        CreatedBy = createdBy,
        Final = final,
        BlobName = blobName,
        SizeBytes = size,
        Sha256 = sha256,
        Required = inputs.Counts.Required,
        OnTime = inputs.Counts.OnTime,
        Late = inputs.Counts.Late,
        Missing = inputs.Counts.Missing,
        StatusCounts = CompilationRecord.FormatCounts(inputs.Counts),
        SourceVersions = CompilationRecord.FormatSources(inputs.SourceVersions),
        InputsFingerprint = inputs.Fingerprint,
    };
}

/// <summary>One unit's file in a compilation.</summary>
public sealed record SourceVersion(string UnitCode, int Version);

/// <summary>A recorded compilation: an immutable bundle and the figures it was built from.</summary>
public sealed record CompilationRecord(
    string PeriodId,
    int Version,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    bool Final,
    string BlobName,
    long SizeBytes,
    string Sha256,
    int Required,
    int OnTime,
    int Late,
    int Missing,
    IReadOnlyList<SourceVersion> SourceVersions,
    string InputsFingerprint,
    Periods.StatusCounts? Counts = null)
{
    public static CompilationRecord From(CompilationEntity e) => new(
        e.PartitionKey,
        e.Version,
        e.CreatedAt,
        e.CreatedBy,
        e.Final,
        e.BlobName,
        e.SizeBytes,
        e.Sha256,
        e.Required,
        e.OnTime,
        e.Late,
        e.Missing,
        ParseSources(e.SourceVersions),
        e.InputsFingerprint,
        ParseCounts(e.StatusCounts));

    public static string FormatCounts(Periods.StatusCounts c) => string.Join(',', new[]
    {
        c.Required, c.Submitted, c.OnTime, c.Late, c.Missing, c.Exempt, c.Extended, c.Accepted, c.Returned, c.AwaitingReview,
    }.Select(n => n.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The counts <see cref="FormatCounts"/> wrote; null for anything else.</summary>
    public static Periods.StatusCounts? ParseCounts(string? text)
    {
        var parts = text?.Split(',');
        if (parts is not { Length: 10 })
        {
            return null;
        }

        var n = new int[10];
        for (var i = 0; i < 10; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out n[i]))
            {
                return null;
            }
        }

        return new Periods.StatusCounts(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9]);
    }

    public static string FormatSources(IEnumerable<SourceVersion> sources) =>
        string.Join(';', sources.Select(s => $"{s.UnitCode}:{s.Version.ToString(CultureInfo.InvariantCulture)}"));

    private static List<SourceVersion> ParseSources(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split(':'))
            .Where(p => p.Length == 2 && int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(p => new SourceVersion(p[0], int.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();
}

/// <summary>One page of a period's compilations, newest first; <see cref="Continuation"/> asks for the next (null: none).</summary>
public sealed record CompilationPage(IReadOnlyList<CompilationRecord> Items, string? Continuation);

public sealed class CompilationStore(DanVanStore store) : ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.CompilationsTable;

    /// <summary>Every compilation of the period, newest first.</summary>
    public async Task<IReadOnlyList<CompilationRecord>> ListAsync(string periodId, CancellationToken ct = default)
    {
        var list = new List<CompilationRecord>();
        string? next = null;
        do
        {
            var page = await PageAsync(periodId, 1000, next, ct);
            list.AddRange(page.Items);
            next = page.Continuation;
        }
        while (next is not null);

        return list;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> compilations older than the <paramref name="continuation"/> (a version
    /// number from the previous page; null: from the newest), newest first, read in key order: the current
    /// keys first, then the legacy rows (few, and no longer written).
    /// </summary>
    public async Task<CompilationPage> PageAsync(string periodId, int limit, string? continuation, CancellationToken ct = default)
    {
        var before = continuation is null ? MaxVersionExclusive : ParseContinuation(continuation);
        var items = new List<CompilationRecord>(Math.Min(limit, 64));
        var filter = continuation is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {CompilationEntity.KeysFrom} and RowKey lt {CompilationEntity.KeysTo}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey gt {CompilationEntity.RowKeyOf(before)} and RowKey lt {CompilationEntity.KeysTo}");
        await foreach (var e in store.Compilations.QueryAsync<CompilationEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000), cancellationToken: ct))
        {
            items.Add(CompilationRecord.From(e));
            if (items.Count > limit)
            {
                break;
            }
        }

        if (items.Count <= limit)
        {
            var old = await LegacyAsync(periodId, ct);
            items.AddRange(old.Where(c => c.Version < before && items.All(i => i.Version != c.Version)));
        }

        return items.Count > limit
            ? new CompilationPage(items.Take(limit).ToList(), items[limit - 1].Version.ToString(CultureInfo.InvariantCulture))
            : new CompilationPage(items, null);
    }

    /// <summary>True when <paramref name="continuation"/> is one this store hands out.</summary>
    public static bool IsContinuation(string continuation) =>
        int.TryParse(continuation, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 1 and <= CompilationEntity.MaxVersion;

    /// <summary>
    /// The newest compilation: the partition's first current row (one row read). Versions only grow, so a
    /// legacy row is never newer than a current one; they are read only for a period with no current row.
    /// </summary>
    public async Task<CompilationRecord?> LatestAsync(string periodId, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {CompilationEntity.KeysFrom} and RowKey lt {CompilationEntity.KeysTo}");
        await foreach (var e in store.Compilations.QueryAsync<CompilationEntity>(filter, maxPerPage: 1, cancellationToken: ct))
        {
            return CompilationRecord.From(e);
        }

        return (await LegacyAsync(periodId, ct)).FirstOrDefault();
    }

    /// <summary>The rows written before the current keys, newest first (a few per period at most, and no longer growing).</summary>
    private async Task<List<CompilationRecord>> LegacyAsync(string periodId, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {CompilationEntity.LegacyFrom} and RowKey lt {CompilationEntity.LegacyTo}");
        var old = new List<CompilationRecord>();
        await foreach (var e in store.Compilations.QueryAsync<CompilationEntity>(filter, cancellationToken: ct))
        {
            old.Add(CompilationRecord.From(e));
        }

        return old.OrderByDescending(c => c.Version).ToList();
    }

    /// <summary>The compilation recorded under this version, or null.</summary>
    public async Task<CompilationRecord?> GetAsync(string periodId, int version, CancellationToken ct = default)
    {
        var row = await store.Compilations.GetEntityIfExistsAsync<CompilationEntity>(periodId, CompilationEntity.RowKeyOf(version), cancellationToken: ct);
        if (row.HasValue && row.Value is { } entity)
        {
            return CompilationRecord.From(entity);
        }

        var legacy = await store.Compilations.GetEntityIfExistsAsync<CompilationEntity>(periodId, CompilationEntity.LegacyRowKeyOf(version), cancellationToken: ct);
        return legacy.HasValue && legacy.Value is { } old ? CompilationRecord.From(old) : null;
    }

    private const int MaxVersionExclusive = CompilationEntity.MaxVersion + 1;

    private static int ParseContinuation(string continuation) =>
        IsContinuation(continuation) ? int.Parse(continuation, CultureInfo.InvariantCulture) : throw new ArgumentException("Not a continuation of the compilations list.", nameof(continuation));

    /// <summary>
    /// Records the compilation under its version; false when that version was taken first by another
    /// compiler. A 409 whose row names this compilation's blob is this add, whose reply was lost and
    /// whose retry met it: recorded.
    /// </summary>
    public async Task<bool> TryAddAsync(CompilationEntity entity, CancellationToken ct = default)
    {
        try
        {
            await store.Compilations.AddEntityAsync(entity, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await GetAsync(entity.PartitionKey, entity.Version, ct))?.BlobName == entity.BlobName;
        }
    }
}

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Compilations</c> is
/// <see cref="CompilationStore"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Compilations => store.Table<CompilationStore>();
    }
}
