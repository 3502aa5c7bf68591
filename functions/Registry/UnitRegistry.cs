using System.Text.Json;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using DanVan.Domain;
using DanVan.Storage;

namespace DanVan.Registry;

/// <summary>
/// Table <c>units</c>. One partition ("unit") holds the whole registry: it is small (tens to a few
/// hundred rows), always read whole, and a single partition lets an import commit in entity-group
/// transactions. RowKey = the unit code.
/// </summary>
public sealed class UnitEntity : TableRow, ITableEntity
{
    public const string Partition = "unit";

    public UnitEntity() => PartitionKey = Partition;

    public string Name { get; set; } = "";
    public string Group { get; set; } = "";

    /// <summary>Contact addresses as a JSON array of strings: each address kept whole.</summary>
    public string EmailList { get; set; } = "";

    /// <summary>Rows written before <see cref="EmailList"/>: the addresses joined by ';'. Read, never written.</summary>
    public string? Emails { get; set; }
    public string? HeadEmail { get; set; }

    /// <summary>Vietnam calendar dates, yyyy-MM-dd.</summary>
    public string ActiveFrom { get; set; } = "";
    public string? ActiveTo { get; set; }

    public static UnitEntity From(Unit unit) => new()
    {
        RowKey = unit.Code,
        Name = unit.Name,
        Group = unit.Group,
        EmailList = JsonSerializer.Serialize(unit.Emails),
        HeadEmail = unit.HeadEmail,
        ActiveFrom = unit.ActiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ActiveTo = unit.ActiveTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    public Unit ToUnit() => new(
        RowKey,
        Name,
        Group,
        EmailList.Length > 0
            ? JsonSerializer.Deserialize<string[]>(EmailList) ?? []
            : (Emails ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        string.IsNullOrEmpty(HeadEmail) ? null : HeadEmail,
        DateOnly.ParseExact(ActiveFrom, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        string.IsNullOrEmpty(ActiveTo) ? null : DateOnly.ParseExact(ActiveTo, "yyyy-MM-dd", CultureInfo.InvariantCulture));
}

public sealed record ImportResult(int Imported, int Updated);

public sealed class UnitRegistry(DanVanStore store) : ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.UnitsTable;

    /// <summary>Every unit, in Vietnamese name order.</summary>
    public async Task<IReadOnlyList<Unit>> ListAsync(CancellationToken ct = default)
    {
        var units = new List<Unit>();
        await foreach (var e in store.Units.QueryAsync<UnitEntity>(e => e.PartitionKey == UnitEntity.Partition, cancellationToken: ct))
        {
            units.Add(e.ToUnit());
        }

        return units.OrderBy(u => u.Name, VietnamTime.NameComparer).ThenBy(u => u.Code, StringComparer.Ordinal).ToList();
    }

    public async Task<Unit?> FindAsync(string code, CancellationToken ct = default)
    {
        if (!UnitRules.IsValidCode(code))
        {
            return null;
        }

        var response = await store.Units.GetEntityIfExistsAsync<UnitEntity>(UnitEntity.Partition, code, cancellationToken: ct);
        return response.HasValue ? response.Value!.ToUnit() : null;
    }

    /// <summary>Creates or replaces one unit. Returns true when it was new.</summary>
    public async Task<bool> PutAsync(Unit unit, CancellationToken ct = default)
    {
        var existed = (await store.Units.GetEntityIfExistsAsync<UnitEntity>(UnitEntity.Partition, unit.Code, select: ["RowKey"], cancellationToken: ct)).HasValue;
        await store.Units.UpsertEntityAsync(UnitEntity.From(unit), TableUpdateMode.Replace, ct);
        return !existed;
    }

    /// <summary>
    /// Validates every record first and writes nothing unless all are good; then upserts them in
    /// entity-group transactions of 100 (the service's limit), so a registry of up to 100 units is
    /// one atomic write.
    /// </summary>
    public async Task<ImportResult> ImportAsync(IReadOnlyList<UnitRecord?> records, CancellationToken ct = default)
    {
        var errors = new List<Violation>();
        var units = new List<Unit>();
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i] is not { } record)
            {
                errors.Add(new Violation(i, "", "missing_row", "Dòng trống."));
                continue;
            }

            if (UnitRules.Validate(record, i, errors) is { } unit)
            {
                units.Add(unit);
            }
        }

        foreach (var dup in units.GroupBy(u => u.Code).Where(g => g.Count() > 1))
        {
            var index = records.Select((r, i) => (r, i)).Where(x => x.r?.Code == dup.Key).Skip(1).First().i;
            errors.Add(new Violation(index, "code", "duplicate_code", $"Mã đơn vị \"{dup.Key}\" xuất hiện nhiều lần trong tệp."));
        }

        if (records.Count == 0)
        {
            errors.Add(new Violation(null, "", "empty_import", "Tệp không có đơn vị nào."));
        }

        if (errors.Count > 0)
        {
            throw DomainException.Invalid($"Không nhập đơn vị nào: {errors.Count} lỗi trong tệp.", errors.OrderBy(e => e.Index).ToList());
        }

        var existing = (await ListAsync(ct)).Select(u => u.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var chunk in units.Chunk(100))
        {
            await store.Units.SubmitTransactionAsync(
                chunk.Select(u => new TableTransactionAction(TableTransactionActionType.UpsertReplace, UnitEntity.From(u))), ct);
        }

        var updated = units.Count(u => existing.Contains(u.Code));
        return new ImportResult(units.Count - updated, updated);
    }
}

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Units</c> is
/// <see cref="UnitRegistry"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Units => store.Table<UnitRegistry>();
    }
}
