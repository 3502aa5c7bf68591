using System.IO.Compression;
using DanVan.Auth;
using DanVan.Compilation;
using DanVan.Domain;
using DanVan.Functions;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Submissions;
using DanVan.Tests.Support;

namespace DanVan.Benchmarks;

/// <summary>
/// 30 units × 5 MB: DanVan's compiler end to end (status, inputs, ZIP of every latest file, TongHop.xlsx,
/// the draft DOCX, manifest, blob write, row) against the SDK downloading the same 30 blobs into a
/// ZipArchive written straight into a blob upload. Peak memory is sampled during DanVan's runs.
/// </summary>
public static class CompileScenario
{
    private const int Units = 30;
    private const int FileBytes = 5 * 1024 * 1024;

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        var vn = TimeSpan.FromHours(7);
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 1, 9, 0, 0, vn));
        var functions = app.Get<ReportsFunctions>();
        for (var i = 1; i <= Units; i++)
        {
            var code = $"don-vi-{i:D2}";
            await app.Get<UnitRegistry>().PutAsync(new Unit(code, $"Đơn vị số {i:D2}", "Sở, ban, ngành", [], null, new DateOnly(2020, 1, 1), null));
            var token = (await app.Get<CredentialStore>().IssueAsync(code)).Token;
            var request = TestHttp.Request("POST", "/api/periods/2026-H1/reports", token, contentType: "application/pdf");
            request.Headers["X-File-Name"] = Uri.EscapeDataString($"Báo cáo {code}.pdf");
            request.Body = new GeneratedBody(FileBytes + i);
            var response = await TestHttp.InvokeAsync(request, r => functions.UploadReport(r, "2026-H1", default));
            if (response.Status != 201)
            {
                throw new InvalidOperationException($"seeding upload answered {response.Status}: {response.Text}");
            }
        }

        app.Clock.SetUtcNow(new DateTimeOffset(2026, 5, 20, 0, 15, 0, vn));
        var period = app.Get<PeriodCatalog>().Get("2026-H1");
        var compiler = app.Get<Compiler>();
        var heads = await app.Get<SubmissionStore>().HeadsAsync("2026-H1");
        var blobNames = new List<string>();
        foreach (var head in heads.Values.OrderBy(h => h.UnitCode))
        {
            blobNames.Add((await app.Get<SubmissionStore>().VersionAsync("2026-H1", head.UnitCode, head.LatestVersion))!.BlobName);
        }

        // Each side deletes its output at the end of its run (one Delete Blob, timed alike): the in-memory Azurite would hold it all otherwise.
        async Task DeleteLatestAsync() =>
            await app.Store.CompilationBlobs.GetBlobClient((await app.Get<CompilationStore>().LatestAsync("2026-H1"))!.BlobName).DeleteAsync();

        double peakManaged = 0, peakWorkingSet = 0;
        var (danVan, baseline) = await Measure.PairAsync(
            async _ =>
            {
                using (var probe = MemoryProbe.Start())
                {
                    await compiler.CompileAsync(period, "benchmark");
                    peakManaged = Math.Max(peakManaged, probe.PeakManagedMb);
                    peakWorkingSet = Math.Max(peakWorkingSet, probe.PeakWorkingSetMb);
                }

                await DeleteLatestAsync();
            },
            async _ =>
            {
                var target = app.Store.CompilationBlobs.GetBlobClient($"baseline/{Guid.NewGuid():N}.zip");
                await using (var output = await target.OpenWriteAsync(overwrite: true))
                using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
                {
                    foreach (var name in blobNames)
                    {
                        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                        await using var entryStream = entry.Open();
                        await using var source = await app.Store.Reports.GetBlobClient(name).OpenReadAsync();
                        await source.CopyToAsync(entryStream);
                    }
                }

                await target.DeleteAsync();
            },
            runs: 5,
            warmups: 1);

        // The copy baseline: the same sources downloaded and written as one upload, no ZIP at all.
        var (danVanAgain, copy) = await Measure.PairAsync(
            async _ =>
            {
                await compiler.CompileAsync(period, "benchmark");
                await DeleteLatestAsync();
            },
            async _ =>
            {
                var target = app.Store.CompilationBlobs.GetBlobClient($"baseline/{Guid.NewGuid():N}");
                await using (var output = await target.OpenWriteAsync(overwrite: true))
                {
                    foreach (var name in blobNames)
                    {
                        var download = await app.Store.Reports.GetBlobClient(name).DownloadStreamingAsync();
                        await using var content = download.Value.Content;
                        await content.CopyToAsync(output);
                    }
                }

                await target.DeleteAsync();
            },
            runs: 3,
            warmups: 0);

        var ratio = danVan.Median / baseline.Median;
        var total = Units * FileBytes / 1048576.0;
        return
        [
            new Row($"compile {Units} units × 5 MB", danVan.ToString(), baseline.ToString(), $"{ratio:F2}×", "≤ 1.2×", ratio <= 1.2, $"{total:F0} MB in; {total / (danVan.Median / 1000):F0} MB/s; baseline = SDK + ZipArchive (stored)"),
            new Row($"compile {Units} units × 5 MB vs copy", danVanAgain.ToString(), copy.ToString(), $"{danVanAgain.Median / copy.Median:F2}×", "(reported)", null, "baseline = SDK download of every source + one upload of the same bytes"),
            new Row("compile peak memory", $"+{peakManaged:F1} MB managed, +{peakWorkingSet:F1} MB working set", "—", "—", "flat in total size", null, "sampled every 5 ms during each DanVan run; inputs total 150 MB"),
        ];
    }
}
