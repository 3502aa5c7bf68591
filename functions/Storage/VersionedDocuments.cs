using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace DanVan.Storage;

/// <summary>One stored version of a document: its number, who made it when, and its UTF-8 JSON as written.</summary>
public sealed record DocumentVersion(int Version, DateTimeOffset CreatedAt, string CreatedBy, byte[] Json);

/// <summary>
/// The layout a versioned document table has (the indicators' definitions sets, the report outlines), kept for the
/// table's one owner, which hands it its <see cref="TableClient"/> and the name of the column its JSON is in. Keys
/// (report codes) are ASCII letters and digits, so '~' never occurs inside one:
/// <list type="bullet">
/// <item>PartitionKey <c>set~{key}</c>, RowKey the inverted version (<c>999999 - version</c>, six digits): one
/// immutable version; the newest is the first row of the partition. Adding row N+1 is how a version is allocated.</item>
/// <item>PartitionKey <c>pin</c>, RowKey the period id: the version the period was first used with, added once
/// (if-none-match) and never changed, so later versions never rewrite a period's past.</item>
/// </list>
/// </summary>
public sealed class VersionedDocuments(TableClient table, string jsonColumn)
{
    public const string PinPartition = "pin";

    /// <summary>A stored document's JSON must fit one binary property (64 KiB).</summary>
    public const int MaxStoredBytes = 60 * 1024;

    private const int MaxVersion = 999_999;

    private const int MaxAttempts = 20;

    public static string SetPartition(string key) => $"set~{key}";

    public static string SetRow(int version) => (MaxVersion - version).ToString("D6", CultureInfo.InvariantCulture);

    public async Task<DocumentVersion?> LatestAsync(string key, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {SetPartition(key)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1, cancellationToken: ct))
        {
            return ToVersion(row);
        }

        return null;
    }

    public async Task<DocumentVersion?> GetAsync(string key, int version, CancellationToken ct = default)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(SetPartition(key), SetRow(version), cancellationToken: ct);
        return row.HasValue ? ToVersion(row.Value!) : null;
    }

    /// <summary>
    /// Stores <paramref name="json"/> as the key's next version (a concurrent writer takes the next one after). A lost
    /// reply is found out: the version holding exactly what was written, by the same person at the same instant, is ours.
    /// </summary>
    public async Task<DocumentVersion> AddAsync(string key, byte[] json, DateTimeOffset at, string actor, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var version = ((await LatestAsync(key, ct))?.Version ?? 0) + 1;
            var row = new TableEntity(SetPartition(key), SetRow(version))
            {
                ["Version"] = version,
                ["CreatedAt"] = at,
                ["CreatedBy"] = actor,
                [jsonColumn] = json,
            };
            try
            {
                await table.AddEntityAsync(row, ct);
                return new DocumentVersion(version, at, actor, json);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                if (await GetAsync(key, version, ct) is { } stored && stored.CreatedAt == at && stored.CreatedBy == actor && json.AsSpan().SequenceEqual(stored.Json))
                {
                    return stored;
                }
            }
        }

        throw new InvalidOperationException($"Could not store a new version of {key} in {table.Name}.");
    }

    /// <summary>The version the period is pinned to, if it was used already.</summary>
    public async Task<int?> PinnedVersionAsync(string periodId, CancellationToken ct = default)
    {
        var pin = await table.GetEntityIfExistsAsync<TableEntity>(PinPartition, periodId, cancellationToken: ct);
        return pin.HasValue ? pin.Value!.GetInt32("Version") : null;
    }

    /// <summary>
    /// The version the period uses: the one it was pinned to, or else the key's newest, which it is pinned to now
    /// (first writer wins). Null when the key has no stored version (nothing is pinned).
    /// </summary>
    public async Task<DocumentVersion?> ForPeriodAsync(string periodId, string key, DateTimeOffset at, CancellationToken ct = default)
    {
        if (await PinnedVersionAsync(periodId, ct) is { } pinned)
        {
            return await GetAsync(key, pinned, ct);
        }

        if (await LatestAsync(key, ct) is not { } latest)
        {
            return null;
        }

        try
        {
            var pin = new TableEntity(PinPartition, periodId) { ["ReportCode"] = key, ["Version"] = latest.Version, ["PinnedAt"] = at };
            await table.AddEntityAsync(pin, ct);
            return latest;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await GetAsync(key, await PinnedVersionAsync(periodId, ct) ?? latest.Version, ct);
        }
    }

    private DocumentVersion ToVersion(TableEntity row) => new(
        row.GetInt32("Version") ?? 0,
        row.GetDateTimeOffset("CreatedAt") ?? default,
        row.GetString("CreatedBy") ?? "",
        row.GetBinary(jsonColumn) ?? []);
}
