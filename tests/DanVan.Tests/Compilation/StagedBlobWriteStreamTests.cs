using System.Security.Cryptography;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DanVan.Compilation;
using DanVan.Tests.Support;

namespace DanVan.Tests.Compilation;

/// <summary>The bundle's output stream: blocks staged in the background while the next one is filled, committed once, in order.</summary>
public sealed class StagedBlobWriteStreamTests
{
    [Fact]
    public async Task Blocks_staged_several_at_a_time_are_committed_in_the_order_of_the_bytes()
    {
        await using var app = await TestApp.StartAsync();
        var blob = app.Store.CompilationBlobs.GetBlockBlobClient("staged/in-order.zip");
        var content = RandomNumberGenerator.GetBytes((10 * 1024) + 517);

        await using (var stream = new StagedBlobWriteStream(blob, "application/zip", blockSize: 1024, concurrency: 3))
        {
            // Writes of odd sizes, so blocks fill across writes and a write spans several blocks.
            for (var offset = 0; offset < content.Length;)
            {
                var take = Math.Min(content.Length - offset, 300 + (offset % 1700));
                await stream.WriteAsync(content.AsMemory(offset, take));
                offset += take;
            }

            await stream.CommitAsync(CancellationToken.None);
        }

        var stored = (await blob.DownloadContentAsync()).Value;
        Assert.Equal(content, stored.Content.ToArray());
        Assert.Equal("application/zip", stored.Details.ContentType);
        Assert.Equal(11, (await blob.GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.Count());
    }

    [Fact]
    public async Task A_block_that_cannot_be_staged_fails_the_writes_after_it_and_leaves_no_blob()
    {
        var faults = new StorageFaults();
        await using var app = await TestApp.StartAsync(faults: faults);
        var blob = app.Store.CompilationBlobs.GetBlockBlobClient("staged/refused.zip");
        var stream = new StagedBlobWriteStream(blob, "application/zip", blockSize: 1024, concurrency: 2);
        faults.Rule(call => call == StorageCall.PutBlock ? StorageFault.Answer500 : StorageFault.None);

        // The failure surfaces once the writer waits for the staging: at a later write, or at the commit.
        var failed = await Assert.ThrowsAsync<Azure.RequestFailedException>(async () =>
        {
            for (var i = 0; i < 16; i++)
            {
                await stream.WriteAsync(new byte[1024]);
            }

            await stream.CommitAsync(CancellationToken.None);
        });
        var again = await Assert.ThrowsAsync<Azure.RequestFailedException>(async () => await stream.WriteAsync(new byte[10]));
        await stream.DisposeAsync();
        faults.Off();

        Assert.Same(failed, again);
        Assert.Equal(0, faults.Seen(StorageCall.PutBlockList));
        Assert.False(await blob.ExistsAsync());
    }
}
