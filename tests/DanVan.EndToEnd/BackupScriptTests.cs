using System.Diagnostics;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;

namespace DanVan.EndToEnd;

/// <summary>scripts/restore as an operator runs it, against the real worker: a backup, the list, and a drill restore into a prefix of its own.</summary>
[Collection(DanVanHostCollection.Name)]
public sealed class BackupScriptTests(DanVanHost danvan)
{
    [Fact]
    public async Task The_restore_script_backs_up_lists_and_restores_every_table_verified_into_a_drill_prefix()
    {
        var (_, token) = await danvan.UnitWithTokenAsync("bk");
        await danvan.UploadAsync(token, SamplePlan.Current(SuiteClock.Now).Id.ToString());

        var made = await ScriptAsync("backup");
        var id = made.Split(':')[0].Trim();
        Assert.Contains(id, await ScriptAsync("list"));

        var drill = "d" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var run = await ScriptAsync("run", id, "--prefix", drill);
            Assert.Contains("restored and verified:", run);
            Assert.DoesNotContain("BAD", run);
            Assert.Contains("ok  units:", run);
            Assert.Contains("ok  submissions:", run);
            // The drill's containers hold no blobs (blobs are not in a backup): every restored version is named as without one.
            // (The reconciliation is printed after each table it checks: the line after the submissions has their versions.)
            var counts = System.Text.RegularExpressions.Regex.Matches(run, @"versions (\d+) \(without blob (\d+)\)");
            Assert.True(counts.Count > 0, run);
            var versions = counts[^1];
            Assert.True(int.Parse(versions.Groups[1].Value) >= 1, run);
            Assert.All(counts, c => Assert.Equal(c.Groups[1].Value, c.Groups[2].Value));
        }
        finally
        {
            var names = new DanVan.Storage.StorageNames(Microsoft.Extensions.Options.Options.Create(new DanVan.Configuration.DanVanOptions { StoragePrefix = drill }));
            await Task.WhenAll(names.Tables.Select(t => danvan.Tables.DeleteTableAsync(t))
                .Concat<Task>(names.Containers.Select(c => danvan.Blobs.GetBlobContainerClient(c).DeleteIfExistsAsync())));
        }
    }

    private async Task<string> ScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Azurite.RepositoryRoot, "scripts", "restore"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["DANVAN_URL"] = danvan.Client.BaseAddress!.ToString().TrimEnd('/'),
                ["DANVAN_ADMIN_TOKEN"] = DanVanHost.AdminToken,
            },
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"scripts/restore {string.Join(' ', args)} exited {process.ExitCode}: {await error}{await output}");
        return await output;
    }
}
