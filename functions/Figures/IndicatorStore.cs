using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using DanVan.Domain;
using DanVan.Storage;

namespace DanVan.Figures;

/// <summary>
/// Table <c>indicators</c>, whose one owner is <see cref="IndicatorStore"/>. Report codes are ASCII letters and
/// digits, so '~' never occurs inside one:
/// <list type="bullet">
/// <item>PartitionKey <c>set~{reportCode}</c>, RowKey the inverted version (<c>999999 - version</c>, six digits):
/// one immutable definitions set; the newest is the first row of the partition.</item>
/// <item>PartitionKey <c>pin</c>, RowKey the period id: the set version the period was first used with, added
/// once (if-none-match) and never changed, so later sets never rewrite a period's figures.</item>
/// </list>
/// </summary>
public sealed class IndicatorSetEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";

    /// <summary>The indicators as UTF-8 JSON (a binary property holds up to 64 KiB).</summary>
    public byte[] Indicators { get; set; } = [];
}

public sealed class IndicatorPinEntity : ITableEntity
{
    public string PartitionKey { get; set; } = IndicatorStore.PinPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ReportCode { get; set; } = "";
    public int Version { get; set; }
    public DateTimeOffset PinnedAt { get; set; }
}

/// <summary>The one owner of the indicators table: definitions sets, versioned, and which set each period uses.</summary>
public sealed class IndicatorStore(DanVanStore store) : ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.IndicatorsTable;

    public const string PinPartition = "pin";

    private const int MaxVersion = 999_999;

    /// <summary>A stored set's JSON must fit one binary property (64 KiB).</summary>
    public const int MaxStoredBytes = 60 * 1024;

    public static string SetPartition(string reportCode) => $"set~{reportCode}";

    public static string SetRow(int version) => (MaxVersion - version).ToString("D6", CultureInfo.InvariantCulture);

    public async Task<IndicatorSet?> LatestAsync(string reportCode, CancellationToken ct = default)
    {
        await foreach (var row in store.Indicators.QueryAsync<IndicatorSetEntity>(e => e.PartitionKey == SetPartition(reportCode), maxPerPage: 1, cancellationToken: ct))
        {
            return ToSet(reportCode, row);
        }

        return null;
    }

    public async Task<IndicatorSet?> GetAsync(string reportCode, int version, CancellationToken ct = default)
    {
        var row = await store.Indicators.GetEntityIfExistsAsync<IndicatorSetEntity>(SetPartition(reportCode), SetRow(version), cancellationToken: ct);
        return row.HasValue ? ToSet(reportCode, row.Value!) : null;
    }

    /// <summary>Stores <paramref name="indicators"/> as the report code's next version (a concurrent writer takes the next one after).</summary>
    public async Task<IndicatorSet> AddAsync(string reportCode, IReadOnlyList<Indicator> indicators, DateTimeOffset at, string actor, CancellationToken ct = default)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(indicators.Select(IndicatorRecord.From).ToList(), DanVan.Domain.Json.Options);
        if (json.Length > MaxStoredBytes)
        {
            throw DomainException.Invalid("Danh mục chỉ tiêu quá lớn.", [new Violation(null, "indicators", "too_large", $"Danh mục chỉ tiêu sau khi lưu vượt quá {MaxStoredBytes / 1024} KB; hãy rút gọn tên hoặc câu tổng hợp.")]);
        }

        for (var attempt = 0; attempt < 20; attempt++)
        {
            var version = ((await LatestAsync(reportCode, ct))?.Version ?? 0) + 1;
            var row = new IndicatorSetEntity
            {
                PartitionKey = SetPartition(reportCode),
                RowKey = SetRow(version),
                Version = version,
                CreatedAt = at,
                CreatedBy = actor,
                Indicators = json,
            };
            try
            {
                await store.Indicators.AddEntityAsync(row, ct);
                return ToSet(reportCode, row);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Another writer took this version (or our own reply was lost): find out which.
                if (await GetAsync(reportCode, version, ct) is { } stored && stored.CreatedAt == at && stored.CreatedBy == actor
                    && json.AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(stored.Indicators.Select(IndicatorRecord.From).ToList(), DanVan.Domain.Json.Options)))
                {
                    return stored;
                }
            }
        }

        throw new InvalidOperationException($"Could not store a definitions set for {reportCode}.");
    }

    /// <summary>The version the period is pinned to, if it was used already.</summary>
    public async Task<int?> PinnedVersionAsync(string periodId, CancellationToken ct = default)
    {
        var pin = await store.Indicators.GetEntityIfExistsAsync<IndicatorPinEntity>(PinPartition, periodId, cancellationToken: ct);
        return pin.HasValue ? pin.Value!.Version : null;
    }

    /// <summary>
    /// The set the period uses: the one it was pinned to, or else the newest of its report code, which it is
    /// pinned to now (first writer wins). Null when the report code has no indicators at all (nothing is pinned).
    /// </summary>
    public async Task<IndicatorSet?> ForPeriodAsync(string periodId, string reportCode, DateTimeOffset at, CancellationToken ct = default)
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
            await store.Indicators.AddEntityAsync(new IndicatorPinEntity { RowKey = periodId, ReportCode = reportCode, Version = latest.Version, PinnedAt = at }, ct);
            return latest;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var winner = await PinnedVersionAsync(periodId, ct) ?? latest.Version;
            return await GetAsync(reportCode, winner, ct);
        }
    }

    private static IndicatorSet ToSet(string reportCode, IndicatorSetEntity row)
    {
        var records = JsonSerializer.Deserialize<List<IndicatorRecord?>>(row.Indicators, DanVan.Domain.Json.Options) ?? [];
        return new IndicatorSet(reportCode, row.Version, row.CreatedAt, row.CreatedBy, IndicatorRules.Validate(records));
    }
}

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Indicators</c> is
/// <see cref="IndicatorStore"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Indicators => store.Table<IndicatorStore>();
    }
}
