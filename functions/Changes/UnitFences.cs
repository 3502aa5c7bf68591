using Azure.Data.Tables;

namespace DanVan.Changes;

/// <summary>
/// The fences finalization puts up on the rows each unit writes to a period (its submissions head, its decisions row, its
/// figures head): each row is merged with <c>ClosedAt</c> (created, with only its unit code and <c>ClosedAt</c>, where the
/// unit never wrote one). A merge changes the row's ETag, so a write of the unit that read the row before the fence fails
/// on it, and a write that reads it after sees <c>ClosedAt</c> and is refused. The owning store passes its own keys.
/// </summary>
public static class UnitFences
{
    /// <summary>A transaction holds at most 100 actions.</summary>
    private const int PerTransaction = 100;

    public const string ClosedAt = "ClosedAt";

    public const string UnitCode = "UnitCode";

    /// <summary>Fences <paramref name="units"/>' rows (<paramref name="rowKey"/> of each) in <paramref name="periodId"/>'s partition; idempotent.</summary>
    public static async Task PutAsync(TableClient table, string periodId, IEnumerable<string> units, Func<string, string> rowKey, DateTimeOffset closedAt, CancellationToken ct)
    {
        foreach (var chunk in units.Chunk(PerTransaction))
        {
            var actions = chunk.Select(unit => new TableTransactionAction(
                TableTransactionActionType.UpsertMerge,
                new TableEntity(periodId, rowKey(unit)) { [UnitCode] = unit, [ClosedAt] = closedAt })).ToList();
            await table.SubmitTransactionAsync(actions, ct);
        }
    }
}
