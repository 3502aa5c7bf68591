using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using DanVan.Storage;

namespace DanVan.Outline;

/// <summary>
/// Table <c>outlines</c>, whose one owner is <see cref="OutlineStore"/>; laid out as the indicators table is:
/// <list type="bullet">
/// <item>PartitionKey <c>set~{reportCode}</c>, RowKey the inverted version (<c>999999 - version</c>): one immutable
/// outline; the newest is the first row of the partition.</item>
/// <item>PartitionKey <c>pin</c>, RowKey the period id: the outline version the period was first used with, added
/// once (if-none-match) and never changed.</item>
/// </list>
/// </summary>
public sealed class OutlineEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";

    /// <summary>The parts as UTF-8 JSON (a binary property holds up to 64 KiB).</summary>
    public byte[] Parts { get; set; } = [];
}

public sealed class OutlinePinEntity : ITableEntity
{
    public string PartitionKey { get; set; } = OutlineStore.PinPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ReportCode { get; set; } = "";
    public int Version { get; set; }
    public DateTimeOffset PinnedAt { get; set; }
}

/// <summary>The one owner of the outlines table: outlines per report code, versioned, and which one each period uses.</summary>
public sealed class OutlineStore(DanVanStore store) : ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.OutlinesTable;

    public const string PinPartition = "pin";

    private const int MaxVersion = 999_999;

    public const int MaxStoredBytes = 60 * 1024;

    private static string SetPartition(string reportCode) => $"set~{reportCode}";

    private static string SetRow(int version) => (MaxVersion - version).ToString("D6", CultureInfo.InvariantCulture);

    public async Task<ReportOutline?> LatestAsync(string reportCode, CancellationToken ct = default)
    {
        await foreach (var row in store.Outlines.QueryAsync<OutlineEntity>(e => e.PartitionKey == SetPartition(reportCode), maxPerPage: 1, cancellationToken: ct))
        {
            return ToOutline(reportCode, row);
        }

        return null;
    }

    public async Task<ReportOutline?> GetAsync(string reportCode, int version, CancellationToken ct = default)
    {
        var row = await store.Outlines.GetEntityIfExistsAsync<OutlineEntity>(SetPartition(reportCode), SetRow(version), cancellationToken: ct);
        return row.HasValue ? ToOutline(reportCode, row.Value!) : null;
    }

    /// <summary>Stores <paramref name="parts"/> as the report code's next version (a concurrent writer takes the next one after).</summary>
    public async Task<ReportOutline> AddAsync(string reportCode, IReadOnlyList<OutlinePart> parts, DateTimeOffset at, string actor, CancellationToken ct = default)
    {
        var json = Serialize(parts);
        if (json.Length > MaxStoredBytes)
        {
            throw Domain.DomainException.Invalid("Đề cương quá lớn.", [new Domain.Violation(null, "parts", "too_large", $"Đề cương sau khi lưu vượt quá {MaxStoredBytes / 1024} KB.")]);
        }

        for (var attempt = 0; attempt < 20; attempt++)
        {
            var version = ((await LatestAsync(reportCode, ct))?.Version ?? 0) + 1;
            var row = new OutlineEntity { PartitionKey = SetPartition(reportCode), RowKey = SetRow(version), Version = version, CreatedAt = at, CreatedBy = actor, Parts = json };
            try
            {
                await store.Outlines.AddEntityAsync(row, ct);
                return ToOutline(reportCode, row);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Another writer took this version, or our own reply was lost: ours if it is what we wrote.
                if (await GetAsync(reportCode, version, ct) is { } stored && stored.CreatedAt == at && stored.CreatedBy == actor && json.AsSpan().SequenceEqual(Serialize(stored.Parts)))
                {
                    return stored;
                }
            }
        }

        throw new InvalidOperationException($"Could not store an outline for {reportCode}.");
    }

    public async Task<int?> PinnedVersionAsync(string periodId, CancellationToken ct = default)
    {
        var pin = await store.Outlines.GetEntityIfExistsAsync<OutlinePinEntity>(PinPartition, periodId, cancellationToken: ct);
        return pin.HasValue ? pin.Value!.Version : null;
    }

    /// <summary>
    /// The outline the period uses: the one it was pinned to, or else the newest of its report code, which it is pinned
    /// to now (first writer wins). Null when the report code has no stored outline (nothing is pinned).
    /// </summary>
    public async Task<ReportOutline?> ForPeriodAsync(string periodId, string reportCode, DateTimeOffset at, CancellationToken ct = default)
    {
        if (await PinnedVersionAsync(periodId, ct) is { } pinned)
        {
            return await GetAsync(reportCode, pinned, ct);
        }

        if (await LatestAsync(reportCode, ct) is not { } latest)
        {
            return null;
        }

        try
        {
            await store.Outlines.AddEntityAsync(new OutlinePinEntity { RowKey = periodId, ReportCode = reportCode, Version = latest.Version, PinnedAt = at }, ct);
            return latest;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await GetAsync(reportCode, await PinnedVersionAsync(periodId, ct) ?? latest.Version, ct);
        }
    }

    private static byte[] Serialize(IReadOnlyList<OutlinePart> parts) => JsonSerializer.SerializeToUtf8Bytes(OutlineRecord.From(new ReportOutline("", 0, default, "", parts)).Parts, DanVan.Domain.Json.Options);

    private static ReportOutline ToOutline(string reportCode, OutlineEntity row)
    {
        var records = JsonSerializer.Deserialize<List<OutlinePartRecord?>>(row.Parts, DanVan.Domain.Json.Options) ?? [];
        return new ReportOutline(reportCode, row.Version, row.CreatedAt, row.CreatedBy, OutlineRules.Validate(records));
    }
}

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Outlines</c> is
/// <see cref="OutlineStore"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Outlines => store.Table<OutlineStore>();
    }
}
