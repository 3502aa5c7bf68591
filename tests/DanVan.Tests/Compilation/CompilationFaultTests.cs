using System.Security.Cryptography;
using DanVan.Compilation;
using DanVan.Domain;
using DanVan.Periods;
using DanVan.Tests.Support;

namespace DanVan.Tests.Compilation;

/// <summary>
/// Compilations meeting storage faults (<see cref="StorageFaults"/>, between DanVan and Azurite): a failed
/// compile leaves neither a blob nor a row behind, and a lost reply never loses a recorded bundle.
/// </summary>
public sealed class CompilationFaultTests
{
    private const string PeriodId = CompilationTests.PeriodId;

    private static Period Period(TestApp app) => app.Get<PeriodCatalog>().Get(PeriodId);

    private static async Task<List<string>> CommittedBlobsAsync(TestApp app)
    {
        var names = new List<string>();
        await foreach (var blob in app.Store.CompilationBlobs.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    [Fact]
    public async Task A_storage_outage_midway_leaves_no_blob_in_the_compilations_container_and_no_record()
    {
        var faults = new StorageFaults();
        var (app, _, _) = await CompilationTests.ScenarioAsync(faults);
        await using var _app = app;

        // The first unit's file is read, then blob storage stops answering: reads, writes and deletes alike.
        var putBlobs = faults.Seen(StorageCall.PutBlob);
        var reads = 0;
        var down = false;
        faults.Rule(call =>
        {
            if (call == StorageCall.BlobRead && Interlocked.Increment(ref reads) > 2)
            {
                down = true;
            }

            return down && call is not (StorageCall.TableRead or StorageCall.TableWrite or StorageCall.TableTransaction) ? StorageFault.Answer503 : StorageFault.None;
        });

        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => app.Get<Compiler>().CompileAsync(Period(app), "admin"));
        faults.Off();

        Assert.True(down);
        Assert.Equal(putBlobs, faults.Seen(StorageCall.PutBlob));
        Assert.Empty(await CommittedBlobsAsync(app));
        Assert.Empty(await app.Get<CompilationStore>().ListAsync(PeriodId));
    }

    [Fact]
    public async Task A_compile_cancelled_after_blocks_were_staged_leaves_no_blob_and_no_record()
    {
        var faults = new StorageFaults();
        var (app, seeder, _) = await CompilationTests.ScenarioAsync(faults);
        await using var _app = app;

        // A 6 MB file (random, so it stays that size in the bundle) makes the bundle span more than one block.
        var large = RandomNumberGenerator.GetBytes(6 * 1024 * 1024);
        await seeder.SeedAsync(PeriodId, "ubnd-vinh-yen", "phu-luc.pdf", large, new DateTimeOffset(2026, 5, 14, 8, 0, 0, TimeSpan.FromHours(7)));

        var commits = faults.Seen(StorageCall.PutBlockList);
        using var cancel = new CancellationTokenSource();
        faults.BeforeSend = (call, _) =>
        {
            if (call == StorageCall.PutBlock)
            {
                cancel.Cancel();
            }

            return Task.CompletedTask;
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => app.Get<Compiler>().CompileAsync(Period(app), "admin", ct: cancel.Token));
        faults.BeforeSend = null;

        Assert.True(faults.Seen(StorageCall.PutBlock) >= 1);
        Assert.Equal(commits, faults.Seen(StorageCall.PutBlockList));
        Assert.Empty(await CommittedBlobsAsync(app));
        Assert.Empty(await app.Get<CompilationStore>().ListAsync(PeriodId));
    }

    [Fact]
    public async Task A_lost_reply_to_the_commit_or_to_the_record_still_gives_a_recorded_bundle_that_exists()
    {
        var faults = new StorageFaults();
        var (app, _, _) = await CompilationTests.ScenarioAsync(faults);
        await using var _app = app;
        var compiler = app.Get<Compiler>();

        // The block list is committed, its reply lost; the SDK's retry meets the blob (409) it made.
        faults.Next(StorageCall.PutBlockList, StorageFault.DropReply);
        var first = await compiler.CompileAsync(Period(app), "admin");

        // The row is added, its reply lost; the retry meets the row (409) that names this bundle.
        faults.Next(StorageCall.TableWrite, StorageFault.DropReply);
        var second = await compiler.CompileAsync(Period(app), "admin");
        faults.Off();

        Assert.Equal(2, faults.Injected.Count);
        Assert.True(first.Created);
        Assert.True(second.Created);
        var recorded = await app.Get<CompilationStore>().ListAsync(PeriodId);
        Assert.Equal([2, 1], recorded.Select(c => c.Version));
        Assert.Equal(recorded.Select(c => c.BlobName).Order(), (await CommittedBlobsAsync(app)).Order());
        foreach (var c in recorded)
        {
            Assert.Equal(c.Sha256, Bundle.Sha256((await Bundle.OfAsync(app, c)).Bytes));
        }
    }
}
