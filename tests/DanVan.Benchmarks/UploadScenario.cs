using Azure.Storage.Blobs.Specialized;
using System.Security.Cryptography;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Functions;
using DanVan.Registry;
using DanVan.Signatures;
using DanVan.Tests.Support;
using DanVan.Uploads;

namespace DanVan.Benchmarks;

/// <summary>
/// A 20 MB report through DanVan's upload path (the function: auth, period and unit checks, one Put Blob
/// streamed with hashing, sniffing and the PDF scan on the way, version transaction, audit) against the Azure SDK
/// uploading the same bytes to the same Azurite. Then the memory one upload costs at 5, 20 and 50 MB.
/// </summary>
public static class UploadScenario
{
    private const string Period = "2026-H1";

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        await using var app = await TestApp.StartAsync();
        var units = Enumerable.Range(1, 40).Select(i => $"don-vi-{i:D2}").ToList();
        foreach (var code in units)
        {
            await app.Get<UnitRegistry>().PutAsync(new Unit(code, $"Đơn vị {code}", "Sở, ban, ngành", [], null, new DateOnly(2020, 1, 1), null));
        }

        var tokens = new Dictionary<string, string>();
        foreach (var code in units)
        {
            tokens[code] = (await app.Get<CredentialStore>().IssueAsync(code)).Token;
        }

        var functions = app.Get<ReportsFunctions>();
        var file = Pdf(20 * 1024 * 1024);
        var (danVan, baseline) = await Measure.PairAsync(
            async i =>
            {
                // Each run is a different unit's first version, so no run is a byte-identical re-upload.
                var code = units[(i + 10) % units.Count];
                var response = await TestHttp.InvokeAsync(Request(file, tokens[code], "báo cáo.pdf"), r => functions.UploadReport(r, Period, default));
                if (response.Status != 201)
                {
                    throw new InvalidOperationException($"upload answered {response.Status}: {response.Text}");
                }
            },
            async i => await app.Store.Reports.GetBlobClient($"baseline/{Guid.NewGuid():N}").UploadAsync(new MemoryStream(file, writable: false)),
            runs: 25,
            warmups: 3,
            settle: app.Get<CredentialStore>().LastUsesWrittenAsync);

        // The storage operation DanVan itself uses: the same bytes as 4 MiB staged blocks, then one commit.
        var (_, staged) = await Measure.PairAsync(_ => Task.CompletedTask, _ => StageAndCommitAsync(app.Store.Reports.GetBlockBlobClient($"baseline/{Guid.NewGuid():N}"), file), runs: 7, warmups: 1);

        // What the work every upload does on its bytes costs by itself on this machine: the same SDK upload, its body
        // hashed and scanned as a PDF on the way (no pipe, no table call).
        var verifier = app.Get<PdfSignatureVerifier>();
        var (inspected, bare) = await Measure.PairAsync(
            async _ =>
            {
                using var scan = verifier.Scan(SignatureLimits.Default);
                using var hash = BodyHash.Scanning(scan);
                await app.Store.Reports.GetBlobClient($"baseline/{Guid.NewGuid():N}").UploadAsync(new InspectedBody(file, hash));
            },
            async _ => await app.Store.Reports.GetBlobClient($"baseline/{Guid.NewGuid():N}").UploadAsync(new MemoryStream(file, writable: false)),
            runs: 25,
            warmups: 3);

        var ratio = danVan.Median / baseline.Median;
        var rows = new List<Row>
        {
            new("upload a 20 MB report", danVan.ToString(), baseline.ToString(), $"{ratio:F2}×", "≤ 1.3×", ratio <= 1.3, $"{20 * 1.048576 / (danVan.Median / 1000):F0} MB/s through DanVan; baseline = SDK UploadAsync (one Put Blob)"),
            new("SDK upload, hashed and PDF-scanned inline (diagnostic)", inspected.ToString(), bare.ToString(), $"{inspected.Median / bare.Median:F2}×", "(diagnostic)", null, "what SHA-256 + the signature scan of 20 MB cost by themselves inside one SDK UploadAsync, on 2 cores shared with Azurite; baseline = the same upload without them"),
            new("upload a 20 MB report vs staged blocks", danVan.ToString(), staged.ToString(), $"{danVan.Median / staged.Median:F2}×", "(diagnostic)", null, "baseline = SDK StageBlock × 5 (4 MiB, sequential) + CommitBlockList: the storage path DanVan uses"),
        };

        // Both write paths: without Content-Length (staged 4 MiB blocks) and with it (one streamed Put Blob).
        var memory = new List<string>();
        double peak50 = 0;
        var next = 0;
        foreach (var withLength in new[] { false, true })
        {
            foreach (var mb in new[] { 5, 20, 50 })
            {
                var size = mb * 1024L * 1024;
                using var probe = MemoryProbe.Start();
                var response = await TestHttp.InvokeAsync(StreamRequest(new GeneratedBody(size), tokens[units[next++]], withLength ? size : null), r => functions.UploadReport(r, Period, default));
                if (response.Status != 201)
                {
                    throw new InvalidOperationException($"upload answered {response.Status}: {response.Text}");
                }

                var extra = Math.Max(probe.PeakManagedMb, probe.PeakWorkingSetMb);
                peak50 = mb == 50 ? Math.Max(peak50, extra) : peak50;
                memory.Add($"{(withLength ? "put blob" : "staged")} {mb} MB: +{probe.PeakManagedMb:F1} managed, +{probe.PeakWorkingSetMb:F1} ws");
            }
        }

        rows.Add(new Row("upload memory (in-process)", $"+{peak50:F1} MB at 50 MB", "—", "—", "< 32 MB, flat", peak50 < 32, string.Join("; ", memory)));
        return rows;
    }

    private static Microsoft.AspNetCore.Http.HttpRequest Request(byte[] file, string token, string name)
    {
        var request = TestHttp.Request("POST", $"/api/periods/{Period}/reports", token, body: file, contentType: "application/pdf");
        request.Headers[DanVan.Http.UploadRequestReader.FileNameHeader] = Uri.EscapeDataString(name);
        return request;
    }

    private static Microsoft.AspNetCore.Http.HttpRequest StreamRequest(Stream body, string token, long? contentLength)
    {
        var request = TestHttp.Request("POST", $"/api/periods/{Period}/reports", token, contentType: "application/pdf");
        request.Headers[DanVan.Http.UploadRequestReader.FileNameHeader] = Uri.EscapeDataString("báo cáo.pdf");
        request.Body = body;
        request.ContentLength = contentLength;
        return request;
    }

    private static async Task StageAndCommitAsync(Azure.Storage.Blobs.Specialized.BlockBlobClient blob, byte[] file)
    {
        const int block = 4 * 1024 * 1024;
        var ids = new List<string>();
        for (var offset = 0; offset < file.Length; offset += block)
        {
            var id = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes((offset / block).ToString("D6", System.Globalization.CultureInfo.InvariantCulture)));
            ids.Add(id);
            await blob.StageBlockAsync(id, new MemoryStream(file, offset, Math.Min(block, file.Length - offset), writable: false));
        }

        await blob.CommitBlockListAsync(ids);
    }

    private static byte[] Pdf(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        "%PDF-1.7\n"u8.CopyTo(bytes);
        return bytes;
    }

    /// <summary>The file as the SDK reads it, each chunk fed to <paramref name="hash"/> on the way (seekable, so it goes as one Put Blob).</summary>
    private sealed class InspectedBody(byte[] file, BodyHash hash) : Stream
    {
        private readonly MemoryStream inner = new(file, writable: false);

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            hash.Append(buffer.AsSpan(offset, n));
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = inner.Read(buffer.Span);
            hash.Append(buffer.Span[..n]);
            return ValueTask.FromResult(n);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
