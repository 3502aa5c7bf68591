using System.Text.Json;
using DanVan.Storage;

namespace DanVan.Outline;

/// <summary>
/// The one owner of table <c>outlines</c>: the province's report outline per report code, versioned, and which one
/// each period uses (pinned once, never changed). Laid out as every versioned document table is
/// (<see cref="VersionedDocuments"/>), the outline's parts as UTF-8 JSON in column <c>Parts</c>.
/// </summary>
public sealed class OutlineStore(DanVanStore store) : ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.OutlinesTable;

    public const int MaxStoredBytes = VersionedDocuments.MaxStoredBytes;

    private readonly VersionedDocuments outlines = new(store.Table<OutlineStore>(), "Parts");

    public async Task<ReportOutline?> LatestAsync(string reportCode, CancellationToken ct = default) =>
        ToOutline(reportCode, await outlines.LatestAsync(reportCode, ct));

    public async Task<ReportOutline?> GetAsync(string reportCode, int version, CancellationToken ct = default) =>
        ToOutline(reportCode, await outlines.GetAsync(reportCode, version, ct));

    /// <summary>Stores <paramref name="parts"/> as the report code's next version (a concurrent writer takes the next one after).</summary>
    public async Task<ReportOutline> AddAsync(string reportCode, IReadOnlyList<OutlinePart> parts, DateTimeOffset at, string actor, CancellationToken ct = default)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(OutlineRecord.From(new ReportOutline("", 0, default, "", parts)).Parts, DanVan.Domain.Json.Options);
        if (json.Length > MaxStoredBytes)
        {
            throw Domain.DomainException.Invalid("Đề cương quá lớn.", [new Domain.Violation(null, "parts", "too_large", $"Đề cương sau khi lưu vượt quá {MaxStoredBytes / 1024} KB.")]);
        }

        return ToOutline(reportCode, await outlines.AddAsync(reportCode, json, at, actor, ct))!;
    }

    public Task<int?> PinnedVersionAsync(string periodId, CancellationToken ct = default) => outlines.PinnedVersionAsync(periodId, ct);

    /// <summary>
    /// The outline the period uses: the one it was pinned to, or else the newest of its report code, which it is pinned
    /// to now (first writer wins). Null when the report code has no stored outline (nothing is pinned).
    /// </summary>
    public async Task<ReportOutline?> ForPeriodAsync(string periodId, string reportCode, DateTimeOffset at, CancellationToken ct = default) =>
        ToOutline(reportCode, await outlines.ForPeriodAsync(periodId, reportCode, at, ct));

    private static ReportOutline? ToOutline(string reportCode, DocumentVersion? stored)
    {
        if (stored is null)
        {
            return null;
        }

        var records = JsonSerializer.Deserialize<List<OutlinePartRecord?>>(stored.Json, DanVan.Domain.Json.Options) ?? [];
        return new ReportOutline(reportCode, stored.Version, stored.CreatedAt, stored.CreatedBy, OutlineRules.Validate(records));
    }
}
