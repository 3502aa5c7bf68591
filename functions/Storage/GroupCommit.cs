using Azure.Data.Tables;

namespace DanVan.Storage;

/// <summary>
/// Group commit for one table's small writes: each caller awaits its own write as if it were alone, but the writes that
/// arrive while one transaction is in flight go together in the next, one entity-group transaction per partition (at most
/// 100 actions, never two on the same row). Idle, a write goes at once on its own; under a rush, a hundred uploads'
/// writes to the same partition cost one call instead of a hundred. When a transaction fails, each of its writes is tried
/// again alone, so a caller gets its own write's answer (a 409 of its own Add, say), never another caller's.
/// The writes must be ones a caller may send again (an Add whose 409 it understands, an upsert, a merge, a delete).
/// </summary>
public sealed class GroupCommit(TableClient table)
{
    /// <summary>A transaction holds at most 100 actions.</summary>
    private const int PerTransaction = 100;

    /// <summary>How long one transaction may take, whatever its callers' tokens (a write under way is not abandoned).</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Gathering<Pending> gathering = new(batch => FlushAsync(table, batch), (pending, ex) => pending.Done.TrySetException(ex));

    /// <summary>Writes <paramref name="action"/> (alone or with others); completes when it is stored, or throws its own failure.</summary>
    public Task SubmitAsync(TableTransactionAction action)
    {
        var pending = new Pending(action, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        gathering.Add(pending);
        return pending.Done.Task;
    }

    /// <summary>What gathered while the last transaction was out: a transaction per partition (and per 100 rows), side by side.</summary>
    private static Task FlushAsync(TableClient table, IReadOnlyList<Pending> batch) =>
        Task.WhenAll(Transactions(batch).Select(transaction => SendAsync(table, transaction)));

    /// <summary>The batch by partition, in transactions of at most 100 distinct rows.</summary>
    private static IEnumerable<List<Pending>> Transactions(IReadOnlyList<Pending> batch)
    {
        foreach (var partition in batch.GroupBy(p => p.Action.Entity.PartitionKey, StringComparer.Ordinal))
        {
            var current = new List<Pending>();
            var rows = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pending in partition)
            {
                if (current.Count == PerTransaction || !rows.Add(pending.Action.Entity.RowKey))
                {
                    yield return current;
                    current = [pending];
                    rows = [pending.Action.Entity.RowKey];
                    continue;
                }

                current.Add(pending);
            }

            if (current.Count > 0)
            {
                yield return current;
            }
        }
    }

    private static async Task SendAsync(TableClient table, List<Pending> transaction)
    {
        if (transaction.Count == 1)
        {
            await AloneAsync(table, transaction[0]);
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await table.SubmitTransactionAsync(transaction.Select(p => p.Action), timeout.Token);
            transaction.ForEach(p => p.Done.TrySetResult());
            return;
        }
        catch (Exception)
        {
            // One action failed the whole transaction (or its answer was lost): each goes again alone, for its own answer.
        }

        await Task.WhenAll(transaction.Select(p => AloneAsync(table, p)));
    }

    /// <summary>One write as its own call (its failure is the storage answer its caller would get writing it alone).</summary>
    private static async Task AloneAsync(TableClient table, Pending pending)
    {
        var (action, entity) = (pending.Action, pending.Action.Entity);
        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            var ct = timeout.Token;
            await (action.ActionType switch
            {
                TableTransactionActionType.Add => table.AddEntityAsync(entity, ct),
                TableTransactionActionType.UpsertReplace => table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct),
                TableTransactionActionType.UpsertMerge => table.UpsertEntityAsync(entity, TableUpdateMode.Merge, ct),
                TableTransactionActionType.UpdateReplace => table.UpdateEntityAsync(entity, action.ETag, TableUpdateMode.Replace, ct),
                TableTransactionActionType.UpdateMerge => table.UpdateEntityAsync(entity, action.ETag, TableUpdateMode.Merge, ct),
                _ => table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, action.ETag, ct),
            });
            pending.Done.TrySetResult();
        }
        catch (Exception ex)
        {
            pending.Done.TrySetException(ex);
        }
    }

    private sealed record Pending(TableTransactionAction Action, TaskCompletionSource Done);
}
