using DanVan.Storage;

namespace DanVan.Tests.Storage;

/// <summary>
/// What <see cref="Gathering{T}"/> promises its users (the table writes' group commit, the receipts' puts, the gate's
/// reads): one flush at a time; what is handed in while one is out goes in the next; a flush that throws answers each of
/// its items still waiting, and gathering goes on. Plain values, no storage.
/// </summary>
public sealed class GatheringTests
{
    [Fact]
    public async Task Items_handed_in_while_a_flush_is_out_go_together_in_the_next_and_flushes_never_overlap()
    {
        var firstOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flushes = new List<int[]>();
        var running = 0;
        var overlapped = false;
        var gathering = new Gathering<Item>(async batch =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            lock (flushes)
            {
                flushes.Add([.. batch.Select(i => i.Number)]);
            }

            if (batch[0].Number == 0)
            {
                firstOut.SetResult();
                await release.Task;
            }

            foreach (var item in batch)
            {
                item.Done.SetResult(flushes.Count);
            }

            Interlocked.Decrement(ref running);
        }, (item, ex) => item.Done.TrySetException(ex));

        var first = Item.New(0);
        gathering.Add(first);
        await firstOut.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var later = Enumerable.Range(1, 10).Select(Item.New).ToList();
        later.ForEach(gathering.Add);
        release.SetResult();

        Assert.Equal(1, await first.Done.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.All(await Task.WhenAll(later.Select(i => i.Done.Task)).WaitAsync(TimeSpan.FromSeconds(10)), flush => Assert.Equal(2, flush));
        Assert.Equal([[0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], flushes);
        Assert.False(overlapped);
    }

    [Fact]
    public async Task A_flush_that_throws_fails_each_item_still_waiting_and_the_items_after_it_are_flushed()
    {
        var (heldOut, release) = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var gathering = new Gathering<Item>(async batch =>
        {
            if (batch[0].Number == 0)
            {
                heldOut.SetResult();
                await release.Task;
                batch[0].Done.SetResult(0);
                return;
            }

            // Item 1 is answered, then the flush breaks on item 2.
            foreach (var item in batch.Where(i => i.Number == 1))
            {
                item.Done.SetResult(1);
            }

            if (batch.Any(i => i.Number == 2))
            {
                throw new InvalidOperationException("broken flush");
            }

            foreach (var item in batch)
            {
                item.Done.TrySetResult(item.Number);
            }
        }, (item, ex) => item.Done.TrySetException(ex));

        var (held, one, two) = (Item.New(0), Item.New(1), Item.New(2));
        gathering.Add(held);
        await heldOut.Task.WaitAsync(TimeSpan.FromSeconds(10));
        gathering.Add(one);
        gathering.Add(two);
        release.SetResult();

        Assert.Equal(0, await held.Done.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, await one.Done.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => two.Done.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("broken flush", error.Message);

        var after = Item.New(3);
        gathering.Add(after);
        Assert.Equal(3, await after.Done.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private sealed record Item(int Number, TaskCompletionSource<int> Done)
    {
        public static Item New(int number) => new(number, new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
