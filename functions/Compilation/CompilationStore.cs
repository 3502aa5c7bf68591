using System.Globalization;
using Azure;
using Azure.Data.Tables;
using DanVan.Storage;

namespace DanVan.Compilation;

/// <summary>
/// Table <c>compilations</c>: PartitionKey = the period id, RowKey = the version as six digits, so a
/// period's compilations are one partition query and adding row N+1 is how a version is allocated
/// (two compilers racing for the same number: one add wins, the other gets 409).
/// The bundle itself is in container <c>compilations</c> at <see cref="CompilationRecord.BlobName"/>.
/// </summary>
public sealed class CompilationEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

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

    /// <summary>"unit:3;unit2:1": the version of each unit's file in the bundle, by unit code.</summary>
    public string SourceVersions { get; set; } = "";

    /// <summary>SHA-256 of everything the bundle is made from; equal fingerprints mean equal bundles.</summary>
    public string InputsFingerprint { get; set; } = "";

    public static string RowKeyOf(int version) => version.ToString("D6", CultureInfo.InvariantCulture);
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
    string InputsFingerprint)
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
        e.InputsFingerprint);

    public static string FormatSources(IEnumerable<SourceVersion> sources) =>
        string.Join(';', sources.Select(s => $"{s.UnitCode}:{s.Version.ToString(CultureInfo.InvariantCulture)}"));

    private static List<SourceVersion> ParseSources(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split(':'))
            .Where(p => p.Length == 2 && int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(p => new SourceVersion(p[0], int.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();
}

public sealed class CompilationStore(DanVanStore store)
{
    /// <summary>Every compilation of the period, newest first.</summary>
    public async Task<IReadOnlyList<CompilationRecord>> ListAsync(string periodId, CancellationToken ct = default)
    {
        var list = new List<CompilationRecord>();
        await foreach (var e in store.Compilations.QueryAsync<CompilationEntity>(e => e.PartitionKey == periodId, cancellationToken: ct))
        {
            list.Add(CompilationRecord.From(e));
        }

        return list.OrderByDescending(c => c.Version).ToList();
    }

    public async Task<CompilationRecord?> LatestAsync(string periodId, CancellationToken ct = default) =>
        (await ListAsync(periodId, ct)).FirstOrDefault();

    /// <summary>The compilation recorded under this version, or null.</summary>
    public async Task<CompilationRecord?> GetAsync(string periodId, int version, CancellationToken ct = default)
    {
        var row = await store.Compilations.GetEntityIfExistsAsync<CompilationEntity>(periodId, CompilationEntity.RowKeyOf(version), cancellationToken: ct);
        return row.HasValue && row.Value is { } entity ? CompilationRecord.From(entity) : null;
    }

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
