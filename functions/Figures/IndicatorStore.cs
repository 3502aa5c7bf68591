using System.Text.Json;
using DanVan.Domain;
using DanVan.Storage;

namespace DanVan.Figures;

/// <summary>
/// The one owner of table <c>indicators</c>: definitions sets per report code, versioned, and which set each period
/// uses (pinned once, so later sets never rewrite a period's figures). Laid out as every versioned document table is
/// (<see cref="VersionedDocuments"/>), the set's indicators as UTF-8 JSON in column <c>Indicators</c>.
/// </summary>
public sealed class IndicatorStore(DanVanStore store) : ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.IndicatorsTable;

    /// <summary>A stored set's JSON must fit one binary property (64 KiB).</summary>
    public const int MaxStoredBytes = VersionedDocuments.MaxStoredBytes;

    private readonly VersionedDocuments sets = new(store.Table<IndicatorStore>(), "Indicators");

    public async Task<IndicatorSet?> LatestAsync(string reportCode, CancellationToken ct = default) =>
        ToSet(reportCode, await sets.LatestAsync(reportCode, ct));

    public async Task<IndicatorSet?> GetAsync(string reportCode, int version, CancellationToken ct = default) =>
        ToSet(reportCode, await sets.GetAsync(reportCode, version, ct));

    /// <summary>Stores <paramref name="indicators"/> as the report code's next version (a concurrent writer takes the next one after).</summary>
    public async Task<IndicatorSet> AddAsync(string reportCode, IReadOnlyList<Indicator> indicators, DateTimeOffset at, string actor, CancellationToken ct = default)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(indicators.Select(IndicatorRecord.From).ToList(), DanVan.Domain.Json.Options);
        if (json.Length > MaxStoredBytes)
        {
            throw DomainException.Invalid("Danh mục chỉ tiêu quá lớn.", [new Violation(null, "indicators", "too_large", $"Danh mục chỉ tiêu sau khi lưu vượt quá {MaxStoredBytes / 1024} KB; hãy rút gọn tên hoặc câu tổng hợp.")]);
        }

        return ToSet(reportCode, await sets.AddAsync(reportCode, json, at, actor, ct))!;
    }

    /// <summary>The version the period is pinned to, if it was used already.</summary>
    public Task<int?> PinnedVersionAsync(string periodId, CancellationToken ct = default) => sets.PinnedVersionAsync(periodId, ct);

    /// <summary>
    /// The set the period uses: the one it was pinned to, or else the newest of its report code, which it is
    /// pinned to now (first writer wins). Null when the report code has no indicators at all (nothing is pinned).
    /// </summary>
    public async Task<IndicatorSet?> ForPeriodAsync(string periodId, string reportCode, DateTimeOffset at, CancellationToken ct = default) =>
        ToSet(reportCode, await sets.ForPeriodAsync(periodId, reportCode, at, ct));

    private static IndicatorSet? ToSet(string reportCode, DocumentVersion? stored)
    {
        if (stored is null)
        {
            return null;
        }

        var records = JsonSerializer.Deserialize<List<IndicatorRecord?>>(stored.Json, DanVan.Domain.Json.Options) ?? [];
        return new IndicatorSet(reportCode, stored.Version, stored.CreatedAt, stored.CreatedBy, IndicatorRules.Validate(records));
    }
}
