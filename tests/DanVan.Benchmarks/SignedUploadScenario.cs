using Azure.Storage.Blobs.Specialized;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Functions;
using DanVan.Registry;
using DanVan.Signatures;
using DanVan.Tests.Support;
using Microsoft.Extensions.Options;

namespace DanVan.Benchmarks;

/// <summary>
/// A 20 MB PDF signed twice (the person, then the agency, as incremental updates) through DanVan's upload path,
/// signature check included (one read of the stored blob: the scan finds both signatures and their digests on
/// the way), against the same SDK baseline as the plain upload. Then the check of such a file on its own.
/// </summary>
public static class SignedUploadScenario
{
    private const string Period = "2026-H1";

    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        var pki = TestPki.Shared;
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["DanVan:Signatures:TrustedRoots"] = pki.RootPem });
        var units = Enumerable.Range(1, 40).Select(i => $"ky-so-{i:D2}").ToList();
        var tokens = new Dictionary<string, string>();
        foreach (var code in units)
        {
            await app.Get<UnitRegistry>().PutAsync(new Unit(code, $"Đơn vị {code}", "Sở, ban, ngành", [], null, new DateOnly(2020, 1, 1), null));
            tokens[code] = (await app.Get<CredentialStore>().IssueAsync(code)).Token;
        }

        var file = TestSigner.Sign(TestSigner.Sign(TestPdf.OfSize(20 * 1024 * 1024), pki.Person, pki), pki.Agency, pki, timestamp: true);
        var functions = app.Get<ReportsFunctions>();
        var (danVan, baseline) = await Measure.PairAsync(
            async i =>
            {
                var code = units[(i + 3) % units.Count];
                var request = TestHttp.Request("POST", $"/api/periods/{Period}/reports", tokens[code], body: file, contentType: "application/pdf");
                request.Headers[DanVan.Http.UploadRequestReader.FileNameHeader] = Uri.EscapeDataString("báo cáo ký số.pdf");
                var response = await TestHttp.InvokeAsync(request, r => functions.UploadReport(r, Period, default));
                if (response.Status != 201 || !response.Text.Contains("\"signatureVerdict\":\"valid\"", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"signed upload answered {response.Status}: {response.Text[..Math.Min(400, response.Text.Length)]}");
                }
            },
            async _ => await app.Store.Reports.GetBlobClient($"baseline/{Guid.NewGuid():N}").UploadAsync(new MemoryStream(file, writable: false)),
            runs: 25,
            warmups: 2,
            settle: app.Get<CredentialStore>().LastUsesWrittenAsync);

        var verifier = new PdfSignatureVerifier(Options.Create(new SignatureOptions { TrustedRoots = pki.RootPem }));
        var alone = await Measure.SingleAsync(async _ =>
        {
            var report = await verifier.VerifyAsync(
                _ => Task.FromResult<Stream>(new MemoryStream(file, writable: false)),
                (offset, length, _) => Task.FromResult<Stream>(new MemoryStream(file, (int)offset, (int)length, writable: false)),
                TestPki.SignedAt,
                SignatureLimits.Default,
                default);
            if (report.Verdict != SignatureVerdicts.Valid)
            {
                throw new InvalidOperationException(report.Summary);
            }
        }, runs: 7, warmups: 1);

        var stored = app.Store.Reports.GetBlockBlobClient($"baseline/{Guid.NewGuid():N}");
        await stored.UploadAsync(new MemoryStream(file, writable: false));
        var fromBlob = await Measure.SingleAsync(async _ =>
        {
            var report = await verifier.VerifyAsync(
                async t => (await stored.DownloadStreamingAsync(cancellationToken: t)).Value.Content,
                async (offset, length, t) => (await stored.DownloadStreamingAsync(new Azure.Storage.Blobs.Models.BlobDownloadOptions { Range = new Azure.HttpRange(offset, length) }, t)).Value.Content,
                TestPki.SignedAt,
                SignatureLimits.Default,
                default);
            if (report.Verdict != SignatureVerdicts.Valid)
            {
                throw new InvalidOperationException(report.Summary);
            }
        }, runs: 7, warmups: 1);

        var ratio = danVan.Median / baseline.Median;
        return
        [
            new("upload a 20 MB signed PDF", danVan.ToString(), baseline.ToString(), $"{ratio:F2}×", "≤ 1.5×", ratio <= 1.5,
                $"{file.Length / 1048576.0:F1} MB, 2 signatures (person, agency + RFC 3161 token), verified on upload; baseline = SDK UploadAsync (one Put Blob)"),
            new("verify the signatures of a 20 MB PDF", alone.ToString(), "—", "—", "(reported)", null, "in memory: scan, digests, CMS, chain; no storage"),
            new("verify the signatures of a 20 MB PDF from its blob", fromBlob.ToString(), "—", "—", "(reported)", null, "a re-check of a stored file: one streamed read of its blob (an upload scans while it streams and reads nothing back)"),
        ];
    }
}
