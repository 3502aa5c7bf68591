namespace DanVan.Storage;

/// <summary>
/// Gathers what callers hand in while one flush is out, for the next flush to take together: idle, an item goes at once on
/// its own; under a rush, everything that arrived meanwhile goes as one. One flush at a time. The flush answers its items;
/// when it throws, <c>fail</c> answers each of them (one already answered keeps its answer) with what it threw, and
/// gathering goes on.
/// <see cref="GroupCommit"/> gathers a table's small writes this way, <c>Email.ReceiptEmails</c> the receipts' queue messages.
/// </summary>
public sealed class Gathering<T>(Func<IReadOnlyList<T>, Task> flush, Action<T, Exception> fail)
{
    private readonly Lock gate = new();
    private List<T> queued = [];
    private bool flushing;

    /// <summary>Hands <paramref name="item"/> in: flushed at once when no flush is out, else with the next.</summary>
    public void Add(T item)
    {
        bool start;
        lock (gate)
        {
            queued.Add(item);
            start = !flushing;
            flushing = true;
        }

        if (start)
        {
            _ = Task.Run(FlushAsync);
        }
    }

    /// <summary>Flushes what is gathered, again and again, until nothing is.</summary>
    private async Task FlushAsync()
    {
        while (true)
        {
            List<T> batch;
            lock (gate)
            {
                if (queued.Count == 0)
                {
                    flushing = false;
                    return;
                }

                (batch, queued) = (queued, []);
            }

            try
            {
                await flush(batch);
            }
            catch (Exception ex)
            {
                foreach (var item in batch)
                {
                    fail(item, ex);
                }
            }
        }
    }
}
