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

    /// <summary>
    /// Fences, in <paramref name="periodId"/>'s partition, the row (<paramref name="rowKey"/>) of every unit in
    /// <paramref name="units"/> and of every unit with a row between <paramref name="from"/> and <paramref name="to"/> not
    /// fenced yet, a transaction of up to 100 at a time. Idempotent: a repeated finalize or a retried lost reply fences again.
    /// </summary>
    public static async Task PutAsync(
        TableClient table, string periodId, IEnumerable<string> units, string from, string to, Func<string, string> rowKey, DateTimeOffset closedAt, CancellationToken ct)
    {
        var open = new SortedSet<string>(units, StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {from} and RowKey lt {to}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: [UnitCode, ClosedAt], cancellationToken: ct))
        {
            if (row.GetString(UnitCode) is not { Length: > 0 } unit)
            {
                continue;
            }

            if (row.GetDateTimeOffset(ClosedAt) is null)
            {
                open.Add(unit);
            }
            else
            {
                open.Remove(unit);
            }
        }

        foreach (var chunk in open.Chunk(PerTransaction))
        {
            var actions = chunk.Select(unit => new TableTransactionAction(TableTransactionActionType.UpsertMerge, Fence(periodId, unit, rowKey(unit), closedAt))).ToList();
            await table.SubmitTransactionAsync(actions, ct);
        }
    }

    /// <summary>Fences one unit's row (<paramref name="key"/>): what a writer does itself when it finds the gate shut before its own fence is up.</summary>
    public static Task PutOneAsync(TableClient table, string periodId, string unit, string key, DateTimeOffset closedAt, CancellationToken ct) =>
        table.UpsertEntityAsync(Fence(periodId, unit, key, closedAt), TableUpdateMode.Merge, ct);

    private static TableEntity Fence(string periodId, string unit, string key, DateTimeOffset closedAt) =>
        new(periodId, key) { [UnitCode] = unit, [ClosedAt] = closedAt };
}
