using DanVan.Changes;
using DanVan.Tests.Support;

namespace DanVan.Tests.Uploads;

/// <summary>
/// Every write of a period reads its gate, so the reads of one period asked while one is out share the next (issue 29).
/// That read starts after each of them asked: none is answered by a read that went out before it asked.
/// </summary>
public sealed class PeriodGateReadTests
{
    [Fact]
    public async Task Reads_asked_while_one_is_out_share_the_next_one_and_see_a_close_that_came_before_they_asked()
    {
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(faults: faults);
        var gate = bed.App.Get<PeriodGate>();
        var row = "/" + bed.App.Store.Names.PeriodsTable + "(";
        bool IsGateRead((StorageCall Call, string Path) r) => r.Call == StorageCall.TableRead && r.Path.Contains(row, StringComparison.Ordinal);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = 0;
        // The first read of the gate waits before it goes out; everything else goes at once.
        faults.BeforeSend = (call, path) => IsGateRead((call, path)) && Interlocked.Increment(ref held) == 1 ? release.Task : Task.CompletedTask;

        var first = gate.ClosedAtAsync(UploadBed.Period);
        await WaitUntilAsync(() => faults.Requests.Count(IsGateRead) == 1);

        // While that read is out: the period is closed (the close reads and writes the row directly), then twenty ask.
        var closedAt = new DateTimeOffset(2026, 5, 15, 2, 0, 0, TimeSpan.Zero);
        Assert.True((await gate.CloseAsync(UploadBed.Period, closedAt, "staff:nguyen.van.a@sonoivu.example.gov.vn")).Newly);
        var before = faults.Requests.Count(IsGateRead);
        var askers = Enumerable.Range(0, 20).Select(_ => gate.ClosedAtAsync(UploadBed.Period)).ToList();
        Assert.DoesNotContain(askers, a => a.IsCompleted);
        release.SetResult();

        await first;
        Assert.All(await Task.WhenAll(askers), a => Assert.Equal(closedAt, a));
        // One read for the twenty, after the first: not twenty, and not the first one's answer.
        Assert.Equal(before + 1, faults.Requests.Count(IsGateRead));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
