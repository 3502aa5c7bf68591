using System.Diagnostics;
using System.Security.Cryptography;
using DanVan.Functions;
using DanVan.Submissions;
using DanVan.Tests.Support;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace DanVan.Tests.Uploads;

/// <summary>
/// Storage stops in the middle of the work (an Azurite of the test's own, killed, then started again on its
/// data folder): DanVan answers clean 503 problems meanwhile, recovers without being restarted, and what was
/// stored before, during and after holds together.
/// </summary>
[Collection(OutageCollection.Name)]
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset AfterTheDeadline = new(2026, 5, 20, 9, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public async Task Storage_stopped_mid_upload_answers_503_meanwhile_and_everything_works_again_once_it_is_back()
    {
        using var azurite = new OwnAzurite();
        await using var bed = await UploadBed.StartAsync(AfterTheDeadline, storage: azurite.ConnectionString);
        var before = Samples.Pdf(40_000, seed: 21);
        var during = Samples.Pdf(3 * 1024 * 1024, seed: 22);
        var stored = await bed.SendAsync(Keyed(UploadBed.Raw(before, "trước.pdf", bed.UnitToken), "truoc"));
        Assert.Equal(201, stored.Status);
        // Azurite writes its data folder every few seconds: what was stored before the outage is on disk.
        await Task.Delay(TimeSpan.FromSeconds(6));

        // An upload streaming slowly; storage is killed while it is under way.
        var upload = bed.SendAsync(Keyed(UploadBed.RawStream(new SlowStream(during), "trong lúc.pdf", bed.UnitToken), "trong-luc"));
        await Task.Delay(TimeSpan.FromMilliseconds(800));
        azurite.Kill();
        var clock = Stopwatch.StartNew();
        var interrupted = await upload;
        var uploadAnswered = clock.Elapsed;
        clock.Restart();
        var status = await StatusAsync(bed);
        var statusAnswered = clock.Elapsed;
        clock.Restart();
        var compile = await CompileAsync(bed);
        var compileAnswered = clock.Elapsed;
        clock.Restart();
        var remind = await RemindAsync(bed);
        var remindAnswered = clock.Elapsed;
        output.WriteLine($"while storage was down: upload {(int)interrupted.Status} {interrupted.Code} in {uploadAnswered.TotalSeconds:F1} s, " +
            $"status {status.Status} {status.Code} in {statusAnswered.TotalSeconds:F1} s, compile {compile.Status} {compile.Code} in {compileAnswered.TotalSeconds:F1} s, " +
            $"reminders {remind.Status} {remind.Code} in {remindAnswered.TotalSeconds:F1} s");

        foreach (var answer in new[] { interrupted, status, compile, remind })
        {
            Assert.Equal(503, answer.Status);
            Assert.StartsWith("application/problem+json", answer.ContentType);
            Assert.Contains(answer.Code, new[] { "upload_interrupted", "storage_unavailable" });
            Assert.Equal("5", answer.Headers.RetryAfter.ToString());
        }

        Assert.True(statusAnswered < TimeSpan.FromSeconds(10), $"a read answered 503 after {statusAnswered.TotalSeconds:F1} s");

        // Storage is back: the same app (not restarted) takes the upload again with its key, and compiles.
        azurite.Start();
        var retried = await bed.SendAsync(Keyed(UploadBed.RawStream(new MemoryStream(during), "trong lúc.pdf", bed.UnitToken), "trong-luc"));
        var compiled = await CompileAsync(bed);
        var reminded = await RemindAsync(bed);

        Assert.Contains(retried.Status, new[] { 200, 201 });
        Assert.Equal(201, compiled.Status);
        Assert.Equal(200, reminded.Status);
        Assert.Equal(UploadBed.OtherUnit, Assert.Single(reminded.Json.GetProperty("reminders").EnumerateArray()).GetProperty("unitCode").GetString());
        var versions = await bed.App.Get<SubmissionStore>().VersionsAsync(UploadBed.Period, UploadBed.Unit);
        Assert.Equal([stored.Json.GetProperty("receiptId").GetString(), retried.Json.GetProperty("receiptId").GetString()], versions.Select(v => v.ReceiptId));
        Assert.Equal([Sha(before), Sha(during)], versions.Select(v => v.Sha256));
        foreach (var version in versions)
        {
            Assert.Equal(version.Sha256, Sha(await bed.BlobBytesAsync(version.BlobName)));
        }

        Assert.Equal([new DanVan.Compilation.SourceVersion(UploadBed.Unit, 2)], Assert.Single(await bed.App.Get<DanVan.Compilation.CompilationStore>().ListAsync(UploadBed.Period)).SourceVersions);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static HttpRequest Keyed(HttpRequest request, string key)
    {
        request.Headers[DanVan.Http.UploadRequestReader.IdempotencyKeyHeader] = key;
        return request;
    }

    private static Task<TestResponse> StatusAsync(UploadBed bed) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{UploadBed.Period}/status", TestApp.AdminToken),
            r => bed.App.Get<PeriodsFunctions>().PeriodStatus(r, UploadBed.Period, CancellationToken.None));

    private static Task<TestResponse> CompileAsync(UploadBed bed) =>
        TestHttp.InvokeAsync(TestHttp.Request("POST", $"/api/periods/{UploadBed.Period}/compilations", TestApp.AdminToken),
            r => bed.App.Get<CompilationsFunctions>().CreateCompilation(r, UploadBed.Period, CancellationToken.None));

    private static Task<TestResponse> RemindAsync(UploadBed bed) =>
        TestHttp.InvokeAsync(TestHttp.Request("POST", $"/api/periods/{UploadBed.Period}/reminders", TestApp.AdminToken),
            r => bed.App.Get<RemindersFunctions>().SendReminders(r, UploadBed.Period, CancellationToken.None));

    /// <summary>A body that arrives 64 KiB at a time, 40 ms apart, as from a slow link (about 1.6 MB/s).</summary>
    private sealed class SlowStream(byte[] content) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(40, cancellationToken);
            var n = Math.Min(Math.Min(buffer.Length, 64 * 1024), content.Length - position);
            content.AsMemory(position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Outage tests stop storage: they run on their own, so no other test's timings or Azurite are disturbed.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OutageCollection
{
    public const string Name = "Storage outage";
}
