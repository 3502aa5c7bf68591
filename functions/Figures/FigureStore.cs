using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using DanVan.Changes;
using DanVan.Storage;
using DanVan.Submissions;

namespace DanVan.Figures;

/// <summary>
/// Table <c>figures</c>, whose one owner is <see cref="FigureStore"/>. PartitionKey = the period id, so the
/// figures of every unit of a period are one range query. RowKeys (unit codes are [a-z0-9-]):
/// <list type="bullet">
/// <item><c>h~{unit}</c> — the unit's latest entry (a copy of its values, so totals read heads only); its ETag
/// allocates version numbers, and it is the unit's fence when the period is finalized (<see cref="FigureEntryEntity.ClosedAt"/>;
/// version 0 where the unit entered nothing, which no reader lists).</item>
/// <item><c>v~{unit}~{000001}</c> — one immutable entry: every figure as entered, who entered it, how, when.</item>
/// <item><c>t~{changeId}</c> — the ticket of the change an entry is (<see cref="ChangeTickets"/>), added with it.</item>
/// </list>
/// </summary>
public sealed class FigureEntryEntity : TableRow, ITableEntity
{
    public string ReceiptId { get; set; } = "";
    public string UnitCode { get; set; } = "";
    public int Version { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>Who entered them: "unit:{code}", or the person of Sở Nội vụ (see <see cref="Auth.Actors"/>).</summary>
    public string EnteredBy { get; set; } = "";

    /// <summary>"json" (the API or the page's form) or "xlsx" (the template).</summary>
    public string Source { get; set; } = "";

    /// <summary>The indicator set version the figures were checked against.</summary>
    public int DefinitionsVersion { get; set; }

    /// <summary>Code → value as invariant text, JSON.</summary>
    public string Values { get; set; } = "{}";

    public string? Note { get; set; }

    /// <summary>When finalization fenced the unit's head (<see cref="UnitFences"/>): no entry is appended to it any more.</summary>
    public DateTimeOffset? ClosedAt { get; set; }
}

/// <summary>One unit's stored entry, read back.</summary>
public sealed record FigureEntry(
    string ReceiptId,
    string PeriodId,
    string UnitCode,
    int Version,
    DateTimeOffset ReceivedAt,
    string EnteredBy,
    string Source,
    int DefinitionsVersion,
    IReadOnlyDictionary<string, decimal> Values,
    string? Note);

/// <summary>The one owner of the figures table: entries appended as versions, heads read for totals.</summary>
public sealed class FigureStore(DanVanStore store, PeriodChangeStore changes, PeriodGate gate) : IChangeTickets, ITableOwner, IFencedTable
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.FiguresTable;

    private const int MaxConflicts = 64;

    public string Source => "figures";

    public Task<bool> SettleAsync(string periodId, string changeId, CancellationToken ct = default) =>
        ChangeTickets.SettleAsync(store.Figures, periodId, changeId, ct);

    public static string Head(string unitCode) => $"h~{unitCode}";

    public static string Version(string unitCode, int version) => $"v~{unitCode}~{version:D6}";

    /// <summary>Every unit's latest entry for the period, by unit code.</summary>
    public async Task<IReadOnlyDictionary<string, FigureEntry>> LatestAsync(string periodId, CancellationToken ct = default)
    {
        var result = new Dictionary<string, FigureEntry>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {"h~"} and RowKey lt {"h~~"}");
        await foreach (var row in store.Figures.QueryAsync<FigureEntryEntity>(filter, cancellationToken: ct))
        {
            if (row.Version > 0)
            {
                result[row.UnitCode] = ToEntry(row);
            }
        }

        return result;
    }

    /// <summary>One unit's latest entry for the period (a point read of its head), or null.</summary>
    public async Task<FigureEntry?> LatestAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var row = await store.Figures.GetEntityIfExistsAsync<FigureEntryEntity>(periodId, Head(unitCode), cancellationToken: ct);
        return row.HasValue && row.Value!.Version > 0 ? ToEntry(row.Value) : null;
    }

    /// <summary>Every entry of one unit for the period, oldest first.</summary>
    public async Task<IReadOnlyList<FigureEntry>> VersionsAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {$"v~{unitCode}~"} and RowKey lt {$"v~{unitCode}~~"}");
        var list = new List<FigureEntry>();
        await foreach (var row in store.Figures.QueryAsync<FigureEntryEntity>(filter, cancellationToken: ct))
        {
            list.Add(ToEntry(row));
        }

        return list.OrderBy(e => e.Version).ToList();
    }

    /// <summary>
    /// Appends the entry as the unit's next version: the head moves under its ETag and the version row is added
    /// in one transaction, so both appear or neither. A concurrent entry of the same unit takes the next number. Once
    /// the period's gate (<see cref="PeriodGate"/>) or the unit's head shows it closed, the entry is
    /// refused (<see cref="PeriodClosedException"/>); the head's fence makes an entry that read it before fail.
    /// </summary>
    public async Task<FigureEntry> AppendAsync(FigureEntry entry, CancellationToken ct = default)
    {
        // The change is counted once the entry is known to be stored, dropped when refused; otherwise it stays in flight.
        var change = await changes.BeginAsync(entry.PeriodId, Source, entry.UnitCode, ct);
        try
        {
            var stored = await AppendAsync(entry, change, ct);
            await change.StoredAsync();
            return stored;
        }
        catch (Exception ex) when (ex is PeriodClosedException or TableTransactionFailedException { Status: 409 or 412 })
        {
            await change.NotStoredAsync();
            throw;
        }
    }

    /// <summary>
    /// Fences the figures head of every unit in <paramref name="units"/> and of every unit with one, once the period's gate
    /// is shut (<see cref="PeriodGate.CloseAsync"/>): an entry that read the head before its fence fails on the ETag.
    /// </summary>
    public Task FenceAsync(string periodId, IEnumerable<string> units, DateTimeOffset closedAt, CancellationToken ct = default) =>
        UnitFences.PutAsync(store.Figures, periodId, units, "h~", "h~~", Head, closedAt, ct);

    private async Task<FigureEntry> AppendAsync(FigureEntry entry, ChangeScope change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var closed = gate.ClosedAtAsync(entry.PeriodId, ct);
            var head = await store.Figures.GetEntityIfExistsAsync<FigureEntryEntity>(entry.PeriodId, Head(entry.UnitCode), cancellationToken: ct);
            if ((await closed ?? (head.HasValue ? head.Value!.ClosedAt : null)) is { } closedAt)
            {
                throw new PeriodClosedException(entry.PeriodId, closedAt);
            }

            var version = (head.HasValue ? head.Value!.Version : 0) + 1;
            var stored = entry with { Version = version };
            var row = ToRow(stored, Version(entry.UnitCode, version));
            var newHead = ToRow(stored, Head(entry.UnitCode));
            var actions = change.Transaction(
            [
                head.HasValue ? new(TableTransactionActionType.UpdateReplace, newHead, head.Value!.ETag) : new(TableTransactionActionType.Add, newHead),
                new(TableTransactionActionType.Add, row),
            ]);
            try
            {
                await store.Figures.SubmitTransactionAsync(actions, ct);
                return stored;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxConflicts)
            {
                // Another entry of this unit took the version (or our own lost reply did): is it ours?
                var mine = await store.Figures.GetEntityIfExistsAsync<FigureEntryEntity>(entry.PeriodId, Version(entry.UnitCode, version), cancellationToken: ct);
                if (mine.HasValue && mine.Value!.ReceiptId == entry.ReceiptId)
                {
                    return stored;
                }
            }
        }
    }

    private static FigureEntryEntity ToRow(FigureEntry e, string rowKey) => new()
    {
        PartitionKey = e.PeriodId,
        RowKey = rowKey,
        ReceiptId = e.ReceiptId,
        UnitCode = e.UnitCode,
        Version = e.Version,
        ReceivedAt = e.ReceivedAt,
        EnteredBy = e.EnteredBy,
        Source = e.Source,
        DefinitionsVersion = e.DefinitionsVersion,
        Values = JsonSerializer.Serialize(e.Values.ToDictionary(kv => kv.Key, kv => IndicatorText.Store(kv.Value))),
        Note = e.Note,
    };

    private static FigureEntry ToEntry(FigureEntryEntity row)
    {
        var values = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Values) ?? [];
        return new FigureEntry(
            row.ReceiptId,
            row.PartitionKey,
            row.UnitCode,
            row.Version,
            row.ReceivedAt,
            row.EnteredBy,
            row.Source,
            row.DefinitionsVersion,
            values.ToDictionary(kv => kv.Key, kv => IndicatorText.Load(kv.Value), StringComparer.Ordinal),
            row.Note);
    }
}

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Figures</c> is
/// <see cref="FigureStore"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Figures => store.Table<FigureStore>();
    }
}
