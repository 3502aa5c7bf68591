using System.Security.Cryptography;
using System.Text.Json;
using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Submissions;
using DanVan.Tests.Support;
using DanVan.Uploads;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace DanVan.Tests.Uploads;

/// <summary>
/// Uploads, finalization and compilation with faults between DanVan and Azurite (<see cref="StorageFaults"/>):
/// replies lost after storage applied the write, 500/503 answers, reset connections. Whatever happens, a
/// 201 receipt is exactly one stored version whose file downloads with the receipt's SHA-256, and no version
/// exists that no client was told about once failed requests are sent again with their Idempotency-Key.
/// </summary>
public sealed class StorageFaultTests(ITestOutputHelper output)
{
    public enum WritePath
    {
        PutBlob,
        StagedBlocks,
        Multipart,
    }

    public static TheoryData<WritePath, StorageCall, StorageFault, int> LostReplies => new()
    {
        // The version transaction commits and its reply is lost: the SDK's retry meets its own write (409).
        { WritePath.PutBlob, StorageCall.TableTransaction, StorageFault.DropReply, 1 },
        { WritePath.StagedBlocks, StorageCall.TableTransaction, StorageFault.DropReply, 1 },
        { WritePath.Multipart, StorageCall.TableTransaction, StorageFault.DropReply, 1 },
        // ... and the retry's reply is lost too.
        { WritePath.PutBlob, StorageCall.TableTransaction, StorageFault.DropReply, 2 },
        // A 500 or a reset before storage sees it: the SDK tries again.
        { WritePath.StagedBlocks, StorageCall.TableTransaction, StorageFault.Answer500, 1 },
        { WritePath.Multipart, StorageCall.TableTransaction, StorageFault.Reset, 2 },
        // Blob writes: staged blocks and the block list are retried by the SDK (their content is replayable).
        { WritePath.StagedBlocks, StorageCall.PutBlock, StorageFault.DropReply, 1 },
        { WritePath.Multipart, StorageCall.PutBlockList, StorageFault.DropReply, 1 },
        // The head read of the identical-file check.
        { WritePath.PutBlob, StorageCall.TableRead, StorageFault.DropReply, 3 },
    };

    [Theory]
    [MemberData(nameof(LostReplies))]
    public async Task A_fault_the_upload_survives_gives_one_receipt_and_exactly_one_version(WritePath path, StorageCall call, StorageFault fault, int times)
    {
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(faults: faults);
        var file = Samples.Pdf(20_000, seed: 3);

        faults.Next(call, fault, times);
        var response = await bed.SendAsync(Upload(path, file, bed.UnitToken, "khoa-1"));
        faults.Off();

        Assert.True(response.Status == 201, $"{(int)response.Status} {response.Text}");
        Assert.NotEmpty(faults.Injected);
        var version = Assert.Single(await bed.App.Get<SubmissionStore>().VersionsAsync(UploadBed.Period, UploadBed.Unit));
        Assert.Equal(response.Json.GetProperty("receiptId").GetString(), version.ReceiptId);
        Assert.Equal(1, response.Json.GetProperty("version").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(file)), version.Sha256);
        Assert.Equal(version.Sha256, Convert.ToHexStringLower(SHA256.HashData(await bed.BlobBytesAsync(version.BlobName))));
    }

    [Theory]
    [InlineData(WritePath.PutBlob, StorageFault.Answer503)]
    [InlineData(WritePath.StagedBlocks, StorageFault.Reset)]
    [InlineData(WritePath.Multipart, StorageFault.DropReply)]
    public async Task When_storage_never_confirms_the_version_the_client_gets_503_and_its_retry_gets_the_one_receipt(WritePath path, StorageFault fault)
    {
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(faults: faults);
        var file = Samples.Pdf(20_000, seed: 4);

        // From the version transaction on, every table call fails this way: nothing DanVan reads back can tell.
        var transactionSeen = 0;
        faults.Rule(c =>
        {
            if (c == StorageCall.TableTransaction)
            {
                Interlocked.Exchange(ref transactionSeen, 1);
            }

            return transactionSeen == 1 && c is StorageCall.TableTransaction or StorageCall.TableRead ? fault : StorageFault.None;
        });
        var failed = await bed.SendAsync(Upload(path, file, bed.UnitToken, "khoa-2"));
        faults.Off();
        var retried = await bed.SendAsync(Upload(path, file, bed.UnitToken, "khoa-2"));
        var again = await bed.SendAsync(Upload(path, file, bed.UnitToken, "khoa-2"));

        Assert.Equal(503, failed.Status);
        Assert.Equal("upload_interrupted", failed.Code);
        Assert.Equal("5", failed.Headers.RetryAfter.ToString());
        // Every reply was lost, so the version may or may not be stored: the retry with the key finds out.
        Assert.Contains(retried.Status, new[] { 200, 201 });
        Assert.Equal(200, again.Status);
        var version = Assert.Single(await bed.App.Get<SubmissionStore>().VersionsAsync(UploadBed.Period, UploadBed.Unit));
        Assert.Equal(version.ReceiptId, retried.Json.GetProperty("receiptId").GetString());
        Assert.Equal(version.ReceiptId, again.Json.GetProperty("receiptId").GetString());
        // A blob whose row storage never confirmed is left for the orphan sweep, never deleted under a row.
        Assert.Equal(version.Sha256, Convert.ToHexStringLower(SHA256.HashData(await bed.BlobBytesAsync(version.BlobName))));
    }

    [Fact]
    public async Task A_period_finalized_while_an_upload_is_in_flight_refuses_the_version_and_the_final_bundle_has_what_was_stored()
    {
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(new DateTimeOffset(2026, 5, 20, 9, 0, 0, TimeSpan.FromHours(7)), faults: faults);
        var before = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(5_000, seed: 5), "a.pdf", bed.OtherToken));
        var catalog = bed.App.Get<PeriodCatalog>();
        var finalized = 0;
        // The upload checked the period at its start; Sở Nội vụ finalizes just before its version transaction is sent.
        faults.BeforeSend = async (call, _) =>
        {
            if (call == StorageCall.TableTransaction && Interlocked.Exchange(ref finalized, 1) == 0)
            {
                await catalog.MarkFinalizedAsync(UploadBed.Period, "admin");
            }
        };

        var late = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(5_000, seed: 6), "b.pdf", bed.UnitToken));
        faults.BeforeSend = null;
        var compilation = await bed.App.Get<Compiler>().CompileAsync(catalog.Get(UploadBed.Period), "admin", final: true);

        Assert.Equal(201, before.Status);
        Assert.Equal(409, late.Status);
        Assert.Equal("period_finalized", late.Code);
        Assert.Empty(await bed.App.Get<SubmissionStore>().VersionsAsync(UploadBed.Period, UploadBed.Unit));
        // The refused upload's blob is deleted: storage proved no row can point at it.
        var blob = Assert.Single(await bed.CommittedBlobsAsync());
        Assert.EndsWith(before.Json.GetProperty("receiptId").GetString()!, blob.Name);
        Assert.Equal([new SourceVersion(UploadBed.OtherUnit, 1)], compilation.Compilation.SourceVersions);
    }

    [Fact]
    public async Task Finalizing_with_a_lost_reply_closes_the_period_once()
    {
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(new DateTimeOffset(2026, 5, 20, 9, 0, 0, TimeSpan.FromHours(7)), faults: faults);
        var catalog = bed.App.Get<PeriodCatalog>();

        faults.Next(StorageCall.TableWrite, StorageFault.DropReply, times: 2);
        var newly = await catalog.MarkFinalizedAsync(UploadBed.Period, "admin");
        faults.Off();
        var again = await catalog.MarkFinalizedAsync(UploadBed.Period, "admin");
        var upload = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(5_000, seed: 7), "c.pdf", bed.UnitToken));

        Assert.True(newly);
        Assert.False(again);
        Assert.Equal(bed.App.Clock.GetUtcNow(), await catalog.FinalizedAtAsync(UploadBed.Period));
        Assert.Equal("period_finalized", upload.Code);
        await bed.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_compilation_whose_record_reply_is_lost_keeps_its_bundle_and_downloads()
    {
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(new DateTimeOffset(2026, 5, 20, 9, 0, 0, TimeSpan.FromHours(7)), faults: faults);
        await bed.SendAsync(UploadBed.Raw(Samples.Pdf(5_000, seed: 8), "a.pdf", bed.UnitToken));
        var period = bed.App.Get<PeriodCatalog>().Get(UploadBed.Period);

        faults.Next(StorageCall.TableWrite, StorageFault.DropReply);
        var compiled = await bed.App.Get<Compiler>().CompileAsync(period, "admin");
        faults.Off();

        Assert.True(compiled.Created);
        var listed = Assert.Single(await bed.App.Get<CompilationStore>().ListAsync(UploadBed.Period));
        Assert.Equal(compiled.Compilation.Sha256, listed.Sha256);
        var blob = bed.App.Store.CompilationBlobs.GetBlobClient(listed.BlobName);
        Assert.Equal(listed.Sha256, Convert.ToHexStringLower(SHA256.HashData((await blob.DownloadContentAsync()).Value.Content.ToArray())));
    }

    [Fact]
    public async Task A_credential_issued_with_a_lost_reply_works_and_the_previous_one_does_not()
    {
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(faults: faults);
        var credentials = bed.App.Get<DanVan.Auth.CredentialStore>();

        faults.Next(StorageCall.TableWrite, StorageFault.DropReply);
        var issued = await credentials.IssueAsync(UploadBed.Unit);
        faults.Off();
        var withNew = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(5_000, seed: 9), "a.pdf", issued.Token));
        var withOld = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(5_000, seed: 10), "b.pdf", bed.UnitToken));

        Assert.Single(faults.Injected);
        Assert.Equal(201, withNew.Status);
        Assert.Equal(401, withOld.Status);
    }

    /// <summary>
    /// 200 uploads from four units, 32 at a time (eight of one unit at once: its head is what they contend on), over the three write paths, with every storage reply
    /// (reads and writes, tables and blobs) lost with probability 20%: the SDK retries, DanVan reads back
    /// what it cannot tell, and some requests fail cleanly. Then the failed ones are sent again, faults off,
    /// with the same Idempotency-Key and bytes, and the invariants are checked. Seed: DANVAN_FAULT_SEED.
    /// </summary>
    [Fact]
    public async Task Two_hundred_uploads_with_a_fifth_of_storage_replies_lost_keep_every_receipt_exactly_once()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("DANVAN_FAULT_SEED"), out var s) ? s : 20261129;
        var random = new Random(seed);
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(faults: faults);
        var tokens = new Dictionary<string, string> { [UploadBed.Unit] = bed.UnitToken, [UploadBed.OtherUnit] = bed.OtherToken };
        await bed.App.Get<DanVan.Registry.UnitRegistry>().PutAsync(new DanVan.Domain.Unit("so-y-te", "Sở Y tế", "Sở, ban, ngành", [], null, new DateOnly(2020, 1, 1), null));
        await bed.App.Get<DanVan.Registry.UnitRegistry>().PutAsync(new DanVan.Domain.Unit("so-xay-dung", "Sở Xây dựng", "Sở, ban, ngành", [], null, new DateOnly(2020, 1, 1), null));
        tokens["so-y-te"] = (await bed.App.Get<DanVan.Auth.CredentialStore>().IssueAsync("so-y-te")).Token;
        tokens["so-xay-dung"] = (await bed.App.Get<DanVan.Auth.CredentialStore>().IssueAsync("so-xay-dung")).Token;
        var units = tokens.Keys.ToArray();
        var uploads = Enumerable.Range(0, 200).Select(i => new PlannedUpload(
            i, units[random.Next(units.Length)], (WritePath)random.Next(3), Samples.Pdf(random.Next(1_000, 64_000), seed: 1000 + i), $"ngau-nhien-{i}")).ToList();
        var dice = new Random(seed + 1);
        faults.Rule(_ =>
        {
            lock (dice)
            {
                return dice.NextDouble() < 0.2 ? StorageFault.DropReply : StorageFault.None;
            }
        });

        var first = new List<(PlannedUpload Upload, TestResponse Response)>();
        foreach (var batch in uploads.Chunk(32))
        {
            first.AddRange(await Task.WhenAll(batch.Select(async u => (u, await bed.SendAsync(Upload(u.Path, u.File, tokens[u.Unit], u.Key))))));
        }

        var injected = faults.Injected.Count;
        faults.Off();
        var retried = new List<(PlannedUpload Upload, TestResponse Response)>();
        foreach (var (upload, _) in first.Where(r => r.Response.Status is not (200 or 201)))
        {
            retried.Add((upload, await bed.SendAsync(Upload(upload.Path, upload.File, tokens[upload.Unit], upload.Key))));
        }

        var errors = first.Where(r => r.Response.Status is not (200 or 201)).GroupBy(r => $"{r.Response.Status} {r.Response.Code}").ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"seed {seed}: {uploads.Count} uploads, {injected} storage replies dropped " +
            $"({string.Join(", ", faults.Injected.GroupBy(f => f.Call).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}); " +
            $"first answers: {first.Count(r => r.Response.Status == 201)} × 201, {first.Count(r => r.Response.Status == 200)} × 200, " +
            $"errors {string.Join(", ", errors.Select(e => $"{e.Value} × {e.Key}"))}; retries: {retried.Count(r => r.Response.Status == 201)} × 201, {retried.Count(r => r.Response.Status == 200)} × 200");
        Assert.True(retried.All(r => r.Response.Status is 200 or 201), $"seed {seed}: a retry with faults off failed: " + string.Join("; ", retried.Where(r => r.Response.Status is not (200 or 201)).Select(r => r.Response.Text)));
        Assert.True(first.All(r => r.Response.Status is 200 or 201 or 503), $"seed {seed}: only receipts or 503 problems: " + string.Join("; ", first.Where(r => r.Response.Status is not (200 or 201 or 503)).Select(r => r.Response.Text)));

        // Every upload's final answer (its first, or its retry) is a receipt; each names exactly one stored version.
        var answers = first.Where(r => r.Response.Status is 200 or 201).Concat(retried).ToList();
        Assert.Equal(uploads.Count, answers.Count);
        var store = bed.App.Get<SubmissionStore>();
        var told = new HashSet<string>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            var versions = await store.VersionsAsync(UploadBed.Period, unit);
            var mine = answers.Where(a => a.Upload.Unit == unit).ToList();
            Assert.True(versions.Select(v => v.Version).SequenceEqual(Enumerable.Range(1, versions.Count)), $"seed {seed}: {unit} versions are 1..n");
            Assert.Equal(versions.Count, versions.Select(v => v.ReceiptId).Distinct().Count());
            Assert.Equal(versions.Count, versions.Select(v => v.BlobName).Distinct().Count());
            foreach (var (upload, response) in mine)
            {
                var receiptId = response.Json.GetProperty("receiptId").GetString()!;
                var version = Assert.Single(versions, v => v.ReceiptId == receiptId);
                Assert.Equal(response.Json.GetProperty("version").GetInt32(), version.Version);
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(upload.File)), version.Sha256);
                told.Add(receiptId);
            }

            foreach (var version in versions)
            {
                Assert.True(told.Contains(version.ReceiptId), $"seed {seed}: {unit} v{version.Version} was stored but no client got its receipt");
                Assert.Equal(version.Sha256, Convert.ToHexStringLower(SHA256.HashData(await bed.BlobBytesAsync(version.BlobName))));
            }

            var head = await store.HeadAsync(UploadBed.Period, unit);
            Assert.Equal(versions.Count, head?.LatestVersion ?? 0);
        }

        Assert.Equal(uploads.Count, told.Count);
        var orphans = (await bed.CommittedBlobsAsync()).Count - told.Count;
        output.WriteLine($"{told.Count} versions, each downloads with its receipt's SHA-256; {orphans} blobs left for the orphan sweep");

        // No compile fails on a dangling row: every unit's latest version is in the bundle.
        var compiled = await bed.App.Get<Compiler>().CompileAsync(bed.App.Get<PeriodCatalog>().Get(UploadBed.Period), "admin");
        Assert.Equal(units.Length, compiled.Compilation.SourceVersions.Count);
    }

    private sealed record PlannedUpload(int Index, string Unit, WritePath Path, byte[] File, string Key);

    /// <summary>The same upload by each write path: a raw body with its length (one Put Blob), without (staged blocks), or a form.</summary>
    private static HttpRequest Upload(WritePath path, byte[] file, string token, string idempotencyKey)
    {
        var request = path switch
        {
            WritePath.PutBlob => UploadBed.Raw(file, "Báo cáo.pdf", token, contentType: "application/pdf"),
            WritePath.StagedBlocks => UploadBed.RawStream(new MemoryStream(file), "Báo cáo.pdf", token),
            _ => UploadBed.Multipart(token, MultipartPart.File(file, "Báo cáo.pdf", "application/pdf")),
        };
        request.Headers[DanVan.Http.UploadRequestReader.IdempotencyKeyHeader] = idempotencyKey;
        return request;
    }
}
