using System.Security.Cryptography;
using System.Text;
using DanVan.Audit;
using DanVan.Configuration;
using DanVan.Functions;
using DanVan.Periods;
using DanVan.Tests.Support;
using DanVan.Uploads;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace DanVan.Tests.Uploads;

public sealed class UploadTests(ITestOutputHelper output)
{
    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task A_refused_or_identical_upload_leaves_no_change_in_flight_and_an_accepted_one_moves_the_stamp_once()
    {
        await using var bed = await UploadBed.StartAsync();
        var changes = bed.App.Get<DanVan.Changes.PeriodChangeStore>();
        var start = (await changes.ReadAsync(UploadBed.Period)).Stamp;
        var pdf = Samples.Pdf(10_000);
        var otherDigest = UploadBed.Raw(pdf, "a.pdf", bed.UnitToken);
        otherDigest.Headers[DanVan.Http.UploadRequestReader.ContentDigestHeader] = $"sha-256=:{Convert.ToBase64String(SHA256.HashData(Samples.Pdf(9_000)))}:";

        Assert.Equal(415, (await bed.SendAsync(UploadBed.Raw(Samples.Docx(), "a.pdf", bed.UnitToken))).Status);
        Assert.Equal(400, (await bed.SendAsync(otherDigest)).Status);
        Assert.Equal(201, (await bed.SendAsync(UploadBed.Raw(pdf, "a.pdf", bed.UnitToken))).Status);
        Assert.Equal(200, (await bed.SendAsync(UploadBed.Raw(pdf, "a.pdf", bed.UnitToken))).Status);

        var read = await changes.ReadAsync(UploadBed.Period);
        Assert.Empty(read.Pending);
        Assert.Equal((start ?? 0) + 1, read.Stamp);
    }

    [Fact]
    public async Task A_raw_upload_is_stored_as_version_1_with_a_receipt()
    {
        await using var bed = await UploadBed.StartAsync();
        var pdf = Samples.Pdf(10_000);

        var response = await bed.SendAsync(UploadBed.Raw(pdf, "Báo cáo 6 tháng.pdf", bed.UnitToken));

        Assert.Equal(201, response.Status);
        var receipt = response.Json;
        Assert.Equal("2026-H1", receipt.GetProperty("periodId").GetString());
        Assert.Equal(UploadBed.Unit, receipt.GetProperty("unitCode").GetString());
        Assert.Equal(1, receipt.GetProperty("version").GetInt32());
        Assert.Equal("Báo cáo 6 tháng.pdf", receipt.GetProperty("fileName").GetString());
        Assert.Equal("application/pdf", receipt.GetProperty("contentType").GetString());
        Assert.Equal(10_000, receipt.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(Sha(pdf), receipt.GetProperty("sha256").GetString());
        Assert.Equal("2026-05-01T09:00:00+07:00", receipt.GetProperty("receivedAt").GetString());
        Assert.Equal("2026-05-15T00:00:00+07:00", receipt.GetProperty("deadline").GetString());
        Assert.True(receipt.GetProperty("onTime").GetBoolean());
        Assert.False(string.IsNullOrEmpty(receipt.GetProperty("receiptId").GetString()));
        Assert.Equal("/api/periods/2026-H1/reports/so-noi-vu/versions/1", response.Headers.Location.ToString());

        var blob = Assert.Single(await bed.CommittedBlobsAsync());
        Assert.Equal($"2026-H1/so-noi-vu/{receipt.GetProperty("receiptId").GetString()}", blob.Name);
        Assert.Equal(pdf, await bed.BlobBytesAsync(blob.Name));
        Assert.Equal("application/pdf", blob.Properties.ContentType);
    }

    [Fact]
    public async Task An_accepted_upload_queues_the_unit_an_email_receipt_that_the_sender_sends_and_a_replay_does_not()
    {
        await using var bed = await UploadBed.StartAsync();
        var pdf = Samples.Pdf(10_000);

        var first = await bed.SendAsync(UploadBed.Raw(pdf, "Báo cáo 6 tháng.pdf", bed.UnitToken));
        var identical = await bed.SendAsync(UploadBed.Raw(pdf, "Báo cáo 6 tháng.pdf", bed.UnitToken));

        Assert.Equal((201, 200), (first.Status, identical.Status));
        Assert.Single(await EmailQueueDrain.PeekAsync(bed.App));
        Assert.Equal(1, (await EmailQueueDrain.DrainAsync(bed.App)).Processed);
        var emails = new List<string>();
        await foreach (var item in bed.App.Store.Outbox.GetBlobsAsync())
        {
            emails.Add((await bed.App.Store.Outbox.GetBlobClient(item.Name).DownloadContentAsync()).Value.Content.ToString());
        }

        var email = Assert.Single(emails);
        Assert.Contains("To: vanthu@snv.example.org", email);
        Assert.Contains("Sở Nội vụ", email);
        Assert.Contains("Báo cáo 6 tháng.pdf", email);
        Assert.Contains(Sha(pdf), email);
        Assert.Contains("Đúng hạn", email);
    }

    [Fact]
    public async Task A_multipart_upload_with_a_note_is_stored()
    {
        await using var bed = await UploadBed.StartAsync();
        var docx = Samples.Docx();

        var response = await bed.SendAsync(UploadBed.Multipart(bed.UnitToken,
            MultipartPart.Text("note", "Bản đã ký số"),
            MultipartPart.File(docx, "bc.docx"),
            MultipartPart.Text("submit", "Nộp")));

        Assert.Equal(201, response.Status);
        Assert.Equal("Bản đã ký số", response.Json.GetProperty("note").GetString());
        Assert.Equal(Sha(docx), response.Json.GetProperty("sha256").GetString());
        Assert.Equal(FileTypes.ByName("x.docx")!.ContentType, response.Json.GetProperty("contentType").GetString());
        var blob = Assert.Single(await bed.CommittedBlobsAsync());
        Assert.Equal(docx, await bed.BlobBytesAsync(blob.Name));
    }

    [Fact]
    public async Task Every_accepted_format_is_taken()
    {
        await using var bed = await UploadBed.StartAsync();
        (string Name, byte[] Content)[] files =
            [("a.pdf", Samples.Pdf()), ("a.doc", Samples.Doc(seed: 2)), ("a.xls", Samples.Doc(seed: 3)), ("a.docx", Samples.Docx()),
             ("a.xlsx", Samples.Xlsx()), ("a.odt", Samples.Odt()), ("a.ods", Samples.Ods())];
        foreach (var (name, content) in files)
        {
            var response = await bed.SendAsync(UploadBed.Raw(content, name, bed.UnitToken));
            Assert.True(response.Status == 201, $"{name}: {response.Status} {response.Text}");
        }

        Assert.Equal(7, (await bed.CommittedBlobsAsync()).Count);
    }

    [Fact]
    public async Task A_30_MB_upload_is_stored_whole_with_a_matching_SHA256()
    {
        await using var bed = await UploadBed.StartAsync();
        var file = Samples.Pdf(30 * 1000 * 1000, seed: 30);
        var expected = Sha(file);
        var request = UploadBed.Raw(file, "Báo cáo lớn.pdf", bed.UnitToken);
        request.Headers[DanVan.Http.UploadRequestReader.ContentDigestHeader] = $"sha-256=:{Convert.ToBase64String(SHA256.HashData(file))}:";

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var response = await bed.SendAsync(request);
        watch.Stop();

        Assert.Equal(201, response.Status);
        Assert.Equal(expected, response.Json.GetProperty("sha256").GetString());
        Assert.Equal(file.Length, response.Json.GetProperty("sizeBytes").GetInt64());
        var blob = Assert.Single(await bed.CommittedBlobsAsync());
        Assert.Equal(expected, Sha(await bed.BlobBytesAsync(blob.Name)));
        output.WriteLine($"30 MB upload to Azurite: {watch.Elapsed.TotalSeconds:0.00} s, {file.Length / 1e6 / watch.Elapsed.TotalSeconds:0.0} MB/s");
    }

    public static TheoryData<string, string> Rejections => new()
    {
        { "empty_file", "a raw body with no bytes" },
        { "empty_file", "a multipart file part with no bytes" },
        { "unsupported_file_type", "a .txt file" },
        { "unsupported_file_type", "a .zip file" },
        { "file_type_mismatch", "a .pdf that is a ZIP" },
        { "file_type_mismatch", "a .docx that is not an OOXML package" },
        { "file_type_mismatch", "a .docx that is a spreadsheet" },
        { "file_type_mismatch", "an .odt that is a spreadsheet" },
        { "file_type_mismatch", "a .doc that is a PDF" },
        { "file_type_mismatch", "a .docx whose first block looks right but has no main part (one Put Blob)" },
        { "file_type_mismatch", "a .docx whose first block looks right but has no main part (staged blocks)" },
        { "digest_mismatch", "a Content-Digest of other bytes" },
        { "invalid_digest", "a Content-Digest that is not sha-256=:base64:" },
        { "unknown_period", "a period the plan does not have" },
        { "period_not_open", "a period that has not opened" },
        { "period_finalized", "a finalized period" },
        { "unknown_unit", "the admin naming a unit that does not exist" },
        { "unit_inactive", "a unit that stopped before the period" },
        { "unit_required", "the admin naming no unit" },
        { "forbidden", "a unit uploading for another unit" },
        { "unauthorized", "no credential" },
        { "missing_file_part", "a multipart body with only a note" },
        { "multiple_file_parts", "a multipart body with two files" },
        { "missing_file_name", "a raw body without X-File-Name" },
        { "missing_file_name", "a multipart file part without a filename" },
        { "invalid_file_name", "an X-File-Name that is not percent-encoded UTF-8" },
        { "invalid_file_name", "a name with nothing usable left" },
        { "unsupported_media_type", "a body without Content-Type" },
        { "unsupported_media_type", "a urlencoded form" },
        { "note_too_long", "a note over the limit" },
        { "file_too_large", "a body over the limit" },
        { "file_too_large", "a Content-Length over the limit" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task A_refused_upload_answers_its_code_and_leaves_no_blob_and_no_row(string code, string upload)
    {
        await using var bed = await UploadBed.StartAsync(settings: new Dictionary<string, string?> { ["DanVan:MaxUploadBytes"] = "100000" });
        var pdf = Samples.Pdf();
        var period = UploadBed.Period;
        var request = upload switch
        {
            "a raw body with no bytes" => UploadBed.Raw([], "a.pdf", bed.UnitToken),
            "a multipart file part with no bytes" => UploadBed.Multipart(bed.UnitToken, MultipartPart.File([], "a.pdf")),
            "a .txt file" => UploadBed.Raw("xin chào"u8.ToArray(), "a.txt", bed.UnitToken),
            "a .zip file" => UploadBed.Raw(Samples.PlainZip(), "a.zip", bed.UnitToken),
            "a .pdf that is a ZIP" => UploadBed.Raw(Samples.PlainZip(), "a.pdf", bed.UnitToken),
            "a .docx that is not an OOXML package" => UploadBed.Multipart(bed.UnitToken, MultipartPart.File(Samples.PlainZip(), "a.docx")),
            "a .docx that is a spreadsheet" => UploadBed.Raw(Samples.Xlsx(), "a.docx", bed.UnitToken),
            "an .odt that is a spreadsheet" => UploadBed.Raw(Samples.Ods(), "a.odt", bed.UnitToken),
            "a .doc that is a PDF" => UploadBed.Raw(pdf, "a.doc", bed.UnitToken),
            "a .docx whose first block looks right but has no main part (one Put Blob)" => UploadBed.Raw(LookalikeDocx(), "a.docx", bed.UnitToken),
            "a .docx whose first block looks right but has no main part (staged blocks)" => UploadBed.Multipart(bed.UnitToken, MultipartPart.File(LookalikeDocx(), "a.docx")),
            "a Content-Digest of other bytes" => WithHeader(UploadBed.Raw(pdf, "a.pdf", bed.UnitToken), DanVan.Http.UploadRequestReader.ContentDigestHeader, $"sha-256=:{Convert.ToBase64String(SHA256.HashData(Samples.Pdf(seed: 9)))}:"),
            "a Content-Digest that is not sha-256=:base64:" => WithHeader(UploadBed.Raw(pdf, "a.pdf", bed.UnitToken), DanVan.Http.UploadRequestReader.ContentDigestHeader, "sha-256=abc"),
            "a period the plan does not have" => UploadBed.Raw(pdf, "a.pdf", bed.UnitToken),
            "a period that has not opened" => UploadBed.Raw(pdf, "a.pdf", bed.UnitToken),
            "a finalized period" => UploadBed.Raw(pdf, "a.pdf", bed.UnitToken),
            "the admin naming a unit that does not exist" => UploadBed.Raw(pdf, "a.pdf", TestApp.AdminToken, "unit=khong-co"),
            "a unit that stopped before the period" => UploadBed.Raw(pdf, "a.pdf", bed.InactiveToken),
            "the admin naming no unit" => UploadBed.Raw(pdf, "a.pdf", TestApp.AdminToken),
            "a unit uploading for another unit" => UploadBed.Raw(pdf, "a.pdf", bed.OtherToken, $"unit={UploadBed.Unit}"),
            "no credential" => UploadBed.Raw(pdf, "a.pdf", null),
            "a multipart body with only a note" => UploadBed.Multipart(bed.UnitToken, MultipartPart.Text("note", "quên tệp")),
            "a multipart body with two files" => UploadBed.Multipart(bed.UnitToken, MultipartPart.File(pdf, "a.pdf"), MultipartPart.File(Samples.Pdf(seed: 2), "b.pdf")),
            "a raw body without X-File-Name" => UploadBed.Raw(pdf, null, bed.UnitToken),
            "a multipart file part without a filename" => UploadBed.Multipart(bed.UnitToken, new MultipartPart("file", pdf)),
            "an X-File-Name that is not percent-encoded UTF-8" => WithHeader(UploadBed.Raw(pdf, "a.pdf", bed.UnitToken), DanVan.Http.UploadRequestReader.FileNameHeader, "B%C3o.pdf"),
            "a name with nothing usable left" => UploadBed.Raw(pdf, "../..", bed.UnitToken),
            "a body without Content-Type" => WithoutContentType(UploadBed.Raw(pdf, "a.pdf", bed.UnitToken)),
            "a urlencoded form" => UploadBed.Raw("file=a.pdf"u8.ToArray(), "a.pdf", bed.UnitToken, contentType: "application/x-www-form-urlencoded"),
            "a note over the limit" => UploadBed.Multipart(bed.UnitToken, MultipartPart.File(pdf, "a.pdf"), MultipartPart.Text("note", new string('a', UploadService.MaxNoteLength + 1))),
            "a body over the limit" => UploadBed.Raw(Samples.Pdf(100_001), "a.pdf", bed.UnitToken),
            "a Content-Length over the limit" => UploadBed.RawStream(new GeneratedBody(200_000), "a.pdf", bed.UnitToken),
            _ => throw new ArgumentException(upload),
        };
        if (upload == "a Content-Length over the limit")
        {
            request.ContentLength = 200_000;
        }

        if (upload == "a period the plan does not have")
        {
            period = "2026-Q3";
        }
        else if (upload == "a period that has not opened")
        {
            period = "2026-Y";
        }
        else if (upload == "a finalized period")
        {
            await bed.App.Get<PeriodCatalog>().MarkFinalizedAsync(period, "admin");
        }

        var response = await bed.SendAsync(request, period);

        Assert.True(code == response.Code, $"{upload}: expected {code}, got {response.Status} {response.Text}");
        Assert.InRange(response.Status, 400, 499);
        Assert.StartsWith("application/problem+json", response.ContentType);
        Assert.False(string.IsNullOrWhiteSpace(response.Json.GetProperty("title").GetString()));
        await bed.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task An_oversized_raw_body_is_cut_off_as_soon_as_the_limit_is_crossed()
    {
        const long max = 1024 * 1024;
        await using var bed = await UploadBed.StartAsync(settings: new Dictionary<string, string?> { ["DanVan:MaxUploadBytes"] = max.ToString() });
        var body = new GeneratedBody(200L * 1024 * 1024);

        var response = await bed.SendAsync(UploadBed.RawStream(body, "lớn.pdf", bed.UnitToken));

        Assert.Equal(413, response.Status);
        Assert.Equal("file_too_large", response.Code);
        Assert.InRange(body.BytesRead, max + 1, max + 1);
        output.WriteLine($"Read {body.BytesRead:N0} of {body.Length:N0} bytes before answering 413");
        await bed.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task An_oversized_multipart_body_is_cut_off_early_too()
    {
        const long max = 1024 * 1024;
        await using var bed = await UploadBed.StartAsync(settings: new Dictionary<string, string?> { ["DanVan:MaxUploadBytes"] = max.ToString() });
        var head = Encoding.UTF8.GetBytes($"--{MultipartPart.Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lớn.pdf\"\r\n\r\n");
        var body = new ConcatStream(new MemoryStream(head), new GeneratedBody(200L * 1024 * 1024));
        var request = UploadBed.RawStream(body, "ignored.pdf", bed.UnitToken);
        request.ContentType = $"multipart/form-data; boundary={MultipartPart.Boundary}";

        var response = await bed.SendAsync(request);

        Assert.Equal("file_too_large", response.Code);
        Assert.True(body.BytesRead < max + 256 * 1024, $"read {body.BytesRead:N0} bytes");
        output.WriteLine($"Read {body.BytesRead:N0} bytes of a 200 MiB multipart body before answering 413");
        await bed.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task The_worker_server_body_limit_follows_the_configured_maximum()
    {
        await using var bed = await UploadBed.StartAsync(settings: new Dictionary<string, string?> { ["DanVan:MaxUploadBytes"] = "52428800" });

        var kestrel = bed.App.Get<IOptions<KestrelServerOptions>>().Value;

        Assert.Equal(52428800 + UploadService.MultipartAllowance, kestrel.Limits.MaxRequestBodySize);
        Assert.True(kestrel.Limits.MaxRequestBodySize > 30_000_000);
        Assert.Equal(52428800, bed.App.Get<IOptions<DanVanOptions>>().Value.MaxUploadBytes);
    }

    [Fact]
    public async Task A_matching_Content_Digest_is_accepted()
    {
        await using var bed = await UploadBed.StartAsync();
        var pdf = Samples.Pdf();
        var request = WithHeader(UploadBed.Raw(pdf, "a.pdf", bed.UnitToken), DanVan.Http.UploadRequestReader.ContentDigestHeader,
            $"sha-512=:AAAA:, sha-256=:{Convert.ToBase64String(SHA256.HashData(pdf))}:");

        var response = await bed.SendAsync(request);

        Assert.Equal(201, response.Status);
    }

    [Fact]
    public async Task A_Content_Digest_of_a_multipart_body_covers_the_whole_body()
    {
        await using var bed = await UploadBed.StartAsync();
        var (body, contentType) = MultipartPart.Build([MultipartPart.File(Samples.Pdf(), "a.pdf"), MultipartPart.Text("note", "ghi chú")]);
        var request = TestHttp.Request("POST", "/api/periods/2026-H1/reports", bed.UnitToken, body: body, contentType: contentType);
        request.Headers[DanVan.Http.UploadRequestReader.ContentDigestHeader] = $"sha-256=:{Convert.ToBase64String(SHA256.HashData(body))}:";

        var response = await bed.SendAsync(request);

        Assert.Equal(201, response.Status);
    }

    [Fact]
    public async Task Twenty_concurrent_uploads_by_one_unit_become_twenty_intact_versions()
    {
        await using var bed = await UploadBed.StartAsync();
        var files = Enumerable.Range(1, 20).Select(i => Samples.Pdf(50_000 + i, seed: 100 + i)).ToList();

        var responses = await Task.WhenAll(files.Select((f, i) => Task.Run(() => bed.SendAsync(UploadBed.Raw(f, $"bc-{i}.pdf", bed.UnitToken)))));

        Assert.All(responses, r => Assert.Equal(201, r.Status));
        Assert.Equal(Enumerable.Range(1, 20), responses.Select(r => r.Json.GetProperty("version").GetInt32()).Order());
        var list = await bed.ListAsync(UploadBed.Unit, bed.UnitToken);
        var versions = list.Json.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 20), versions.Select(v => v.GetProperty("version").GetInt32()));
        var bySha = files.ToDictionary(Sha);
        foreach (var v in versions)
        {
            var download = await bed.DownloadAsync(UploadBed.Unit, v.GetProperty("version").GetInt32(), bed.UnitToken);
            Assert.Equal(bySha[v.GetProperty("sha256").GetString()!], download.Body);
        }

        Assert.Equal(20, (await bed.CommittedBlobsAsync()).Count);
        var head = (await bed.App.Get<DanVan.Submissions.SubmissionStore>().HeadsAsync(UploadBed.Period))[UploadBed.Unit];
        Assert.Equal(20, head.LatestVersion);
    }

    [Fact]
    public async Task Replaying_an_Idempotency_Key_returns_the_first_receipt_and_stores_nothing_new()
    {
        await using var bed = await UploadBed.StartAsync();
        var file = Samples.Pdf(seed: 1);
        var first = await bed.SendAsync(WithHeader(UploadBed.Raw(file, "a.pdf", bed.UnitToken), DanVan.Http.UploadRequestReader.IdempotencyKeyHeader, "nop-lan-1"));
        // The same bytes again, as a form this time: read, compared, and answered with the first receipt.
        var replay = await bed.SendAsync(WithHeader(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(file, "a-lan-2.pdf")), DanVan.Http.UploadRequestReader.IdempotencyKeyHeader, "nop-lan-1"));
        // With a Content-Digest that matches, the body is not even read.
        var body = new GeneratedBody(5000);
        var declared = WithHeader(WithHeader(UploadBed.RawStream(body, "a.pdf", bed.UnitToken), DanVan.Http.UploadRequestReader.IdempotencyKeyHeader, "nop-lan-1"),
            DanVan.Http.UploadRequestReader.ContentDigestHeader, $"sha-256=:{Convert.ToBase64String(SHA256.HashData(file))}:");
        var replayByDigest = await bed.SendAsync(declared);

        Assert.Equal(201, first.Status);
        Assert.Equal(200, replay.Status);
        Assert.Equal(200, replayByDigest.Status);
        Assert.Equal(first.Json.GetProperty("receiptId").GetString(), replay.Json.GetProperty("receiptId").GetString());
        Assert.Equal(first.Json.GetProperty("receiptId").GetString(), replayByDigest.Json.GetProperty("receiptId").GetString());
        Assert.Equal(1, replay.Json.GetProperty("version").GetInt32());
        Assert.Equal(0, body.BytesRead);
        Assert.Single(await bed.CommittedBlobsAsync());
        Assert.Equal(3, (await bed.SubmissionRowsAsync()).Count); // head, version 1, key

        var otherUnit = await bed.SendAsync(WithHeader(UploadBed.Raw(Samples.Pdf(seed: 1), "a.pdf", bed.OtherToken), DanVan.Http.UploadRequestReader.IdempotencyKeyHeader, "nop-lan-1"));
        Assert.Equal(201, otherUnit.Status);
    }

    [Fact]
    public async Task An_Idempotency_Key_reused_for_other_bytes_is_422_and_nothing_is_stored()
    {
        await using var bed = await UploadBed.StartAsync();
        var first = await bed.SendAsync(WithHeader(UploadBed.Raw(Samples.Pdf(seed: 1), "a.pdf", bed.UnitToken), DanVan.Http.UploadRequestReader.IdempotencyKeyHeader, "nop-lan-1"));

        var other = await bed.SendAsync(WithHeader(UploadBed.Raw(Samples.Pdf(seed: 2), "a.pdf", bed.UnitToken), DanVan.Http.UploadRequestReader.IdempotencyKeyHeader, "nop-lan-1"));
        var otherByDigest = await bed.SendAsync(WithHeader(WithHeader(UploadBed.Raw(Samples.Pdf(seed: 3), "a.pdf", bed.UnitToken), DanVan.Http.UploadRequestReader.IdempotencyKeyHeader, "nop-lan-1"),
            DanVan.Http.UploadRequestReader.ContentDigestHeader, $"sha-256=:{Convert.ToBase64String(SHA256.HashData(Samples.Pdf(seed: 3)))}:"));

        Assert.Equal(201, first.Status);
        Assert.Equal((422, "idempotency_key_reused"), (other.Status, other.Code));
        Assert.Equal((422, "idempotency_key_reused"), (otherByDigest.Status, otherByDigest.Code));
        Assert.Contains("phiên bản 1", other.Json.GetProperty("detail").GetString());
        Assert.Single(await bed.CommittedBlobsAsync());
        Assert.Equal(3, (await bed.SubmissionRowsAsync()).Count);
    }

    [Fact]
    public async Task Concurrent_uploads_with_the_same_Idempotency_Key_store_one_version()
    {
        await using var bed = await UploadBed.StartAsync();

        // Eight at once with one key: four with the same bytes, four with bytes of their own. One is stored;
        // the others get its receipt when their bytes are the same, 422 when not.
        var files = Enumerable.Range(1, 8).Select(i => Samples.Pdf(seed: i <= 4 ? 1 : i)).ToArray();
        var responses = await Task.WhenAll(files.Select(file => Task.Run(() =>
            bed.SendAsync(WithHeader(UploadBed.Raw(file, "a.pdf", bed.UnitToken), DanVan.Http.UploadRequestReader.IdempotencyKeyHeader, "cung-mot-khoa")))));

        var created = Assert.Single(responses, r => r.Status == 201);
        var version = Assert.Single(await bed.App.Get<DanVan.Submissions.SubmissionStore>().VersionsAsync(UploadBed.Period, UploadBed.Unit));
        Assert.Equal(version.ReceiptId, created.Json.GetProperty("receiptId").GetString());
        foreach (var (file, response) in files.Zip(responses).Where(p => p.Second != created))
        {
            var same = Convert.ToHexStringLower(SHA256.HashData(file)) == version.Sha256;
            Assert.Equal(same ? (200, version.ReceiptId) : (422, null), (response.Status, same ? response.Json.GetProperty("receiptId").GetString() : null));
            Assert.Equal(same ? null : "idempotency_key_reused", response.Code);
        }

        Assert.Single(await bed.CommittedBlobsAsync());
    }

    [Fact]
    public async Task A_byte_identical_reupload_of_the_latest_version_returns_its_receipt()
    {
        await using var bed = await UploadBed.StartAsync();
        var a = Samples.Pdf(seed: 1);
        var b = Samples.Pdf(seed: 2);

        var first = await bed.SendAsync(UploadBed.Raw(a, "a.pdf", bed.UnitToken));
        var again = await bed.SendAsync(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(a, "a-copy.pdf")));

        Assert.Equal(200, again.Status);
        Assert.Equal(first.Json.GetProperty("receiptId").GetString(), again.Json.GetProperty("receiptId").GetString());
        Assert.Single(await bed.CommittedBlobsAsync());

        Assert.Equal(2, (await bed.SendAsync(UploadBed.Raw(b, "b.pdf", bed.UnitToken))).Json.GetProperty("version").GetInt32());
        var backToA = await bed.SendAsync(UploadBed.Raw(a, "a.pdf", bed.UnitToken));
        Assert.Equal(201, backToA.Status);
        Assert.Equal(3, backToA.Json.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_unit_cannot_read_another_units_versions()
    {
        await using var bed = await UploadBed.StartAsync();
        await bed.SendAsync(UploadBed.Raw(Samples.Pdf(), "a.pdf", bed.UnitToken));

        Assert.Equal(403, (await bed.ListAsync(UploadBed.Unit, bed.OtherToken)).Status);
        Assert.Equal(403, (await bed.DownloadAsync(UploadBed.Unit, 1, bed.OtherToken)).Status);
        Assert.Equal(401, (await bed.DownloadAsync(UploadBed.Unit, 1, "dv1.so-noi-vu.wrong")).Status);
        Assert.Equal(200, (await bed.ListAsync(UploadBed.Unit, TestApp.AdminToken)).Status);
        Assert.Equal(200, (await bed.DownloadAsync(UploadBed.Unit, 1, bed.UnitToken)).Status);
        Assert.Equal("unknown_version", (await bed.DownloadAsync(UploadBed.Unit, 2, bed.UnitToken)).Code);
    }

    [Theory]
    [InlineData("01")]
    [InlineData("+1")]
    [InlineData("007")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("99999999999")]
    [InlineData("x")]
    public async Task A_version_that_is_not_a_version_number_is_401_without_a_credential_and_404_with_one(string version)
    {
        await using var bed = await UploadBed.StartAsync();
        await bed.SendAsync(UploadBed.Raw(Samples.Pdf(), "a.pdf", bed.UnitToken));

        var anonymous = await TestHttp.InvokeAsync(
            TestHttp.Request("GET", $"/api/periods/{UploadBed.Period}/reports/{UploadBed.Unit}/versions/{version}"),
            r => bed.Functions.DownloadReportVersion(r, UploadBed.Period, UploadBed.Unit, version, CancellationToken.None));
        var wrong = await bed.DownloadAsync(UploadBed.Unit, version, "dv1.so-noi-vu.wrong");
        var other = await bed.DownloadAsync(UploadBed.Unit, version, bed.OtherToken);
        var unit = await bed.DownloadAsync(UploadBed.Unit, version, bed.UnitToken);
        var admin = await bed.DownloadAsync(UploadBed.Unit, version, TestApp.AdminToken);

        Assert.Equal((401, "unauthorized"), (anonymous.Status, anonymous.Code));
        Assert.Equal((401, "unauthorized"), (wrong.Status, wrong.Code));
        Assert.Equal((403, "forbidden"), (other.Status, other.Code));
        Assert.Equal((404, "unknown_version"), (unit.Status, unit.Code));
        Assert.Equal((404, "unknown_version"), (admin.Status, admin.Code));
        Assert.Equal(200, (await bed.DownloadAsync(UploadBed.Unit, "1", bed.UnitToken)).Status);
    }

    [Fact]
    public async Task A_Vietnamese_file_name_round_trips_through_download()
    {
        await using var bed = await UploadBed.StartAsync();
        const string name = "Báo cáo 6 tháng - Sở Nội vụ.docx";
        var docx = Samples.Docx();

        var upload = await bed.SendAsync(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(docx, name.Normalize(NormalizationForm.FormD))));
        var download = await bed.DownloadAsync(UploadBed.Unit, 1, bed.UnitToken);

        Assert.Equal(201, upload.Status);
        Assert.Equal(name, upload.Json.GetProperty("fileName").GetString());
        Assert.Equal(200, download.Status);
        Assert.Equal(docx, download.Body);
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", download.ContentType);
        var disposition = download.Headers.ContentDisposition.ToString();
        Assert.Contains("filename*=UTF-8''" + Uri.EscapeDataString(name), disposition);
        var parsed = Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.Parse(disposition);
        Assert.Equal(name, parsed.FileNameStar.Value);
        var audit = await bed.App.Get<AuditLog>().ListAsync(UploadBed.Period);
        Assert.Contains(audit, e => e.Action == AuditActions.Download && e.UnitCode == UploadBed.Unit);
    }

    [Fact]
    public async Task A_raw_upload_name_with_path_parts_and_control_characters_is_sanitized()
    {
        await using var bed = await UploadBed.StartAsync();

        var response = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(), "../../etc/pass\u0001wd\u0007.pdf", bed.UnitToken));

        Assert.Equal(201, response.Status);
        Assert.Equal("passwd.pdf", response.Json.GetProperty("fileName").GetString());
        var blob = Assert.Single(await bed.CommittedBlobsAsync());
        Assert.Equal($"2026-H1/so-noi-vu/{response.Json.GetProperty("receiptId").GetString()}", blob.Name);
    }

    [Fact]
    public async Task The_admin_uploads_on_a_units_behalf_and_the_audit_says_so()
    {
        await using var bed = await UploadBed.StartAsync();

        var response = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(), "a.pdf", TestApp.AdminToken, $"unit={UploadBed.Unit}"));

        Assert.Equal(201, response.Status);
        var entry = Assert.Single(await bed.App.Get<AuditLog>().ListAsync(UploadBed.Period), e => e.Action == AuditActions.Upload);
        Assert.Equal(DanVan.Auth.Actors.BreakGlass, entry.Actor);
        Assert.Equal(UploadBed.Unit, entry.UnitCode);
        Assert.Contains("on behalf of so-noi-vu", entry.Detail);
    }

    [Fact]
    public async Task An_upload_before_the_deadline_is_on_time_and_one_at_the_deadline_is_late()
    {
        var lastMoment = new DateTimeOffset(2026, 5, 14, 23, 59, 59, 999, TimeSpan.FromHours(7));
        await using var bed = await UploadBed.StartAsync(lastMoment);
        var periods = new PeriodsFunctions(bed.App.Get<DanVan.Auth.Authenticator>(), bed.App.Get<PeriodCatalog>(), bed.App.Get<StatusService>(), bed.App.Get<DanVan.Compilation.PeriodCounts>(), bed.App.Clock, bed.App.Get<DanVan.Figures.FiguresService>());

        var onTime = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(seed: 1), "a.pdf", bed.UnitToken));
        var statusBefore = await StatusOf(periods, UploadBed.Unit);
        bed.App.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var late = await bed.SendAsync(UploadBed.Raw(Samples.Pdf(seed: 2), "b.pdf", bed.UnitToken));
        var statusAfter = await StatusOf(periods, UploadBed.Unit);

        Assert.True(onTime.Json.GetProperty("onTime").GetBoolean());
        Assert.Equal("2026-05-14T23:59:59.999+07:00", onTime.Json.GetProperty("receivedAt").GetString());
        Assert.False(late.Json.GetProperty("onTime").GetBoolean());
        Assert.Equal("2026-05-15T00:00:00+07:00", late.Json.GetProperty("receivedAt").GetString());
        Assert.Equal("on_time", statusBefore);
        Assert.Equal("late", statusAfter);
    }

    private static async Task<string?> StatusOf(PeriodsFunctions periods, string unitCode)
    {
        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/status", TestApp.AdminToken), r => periods.PeriodStatus(r, "2026-H1", CancellationToken.None));
        return response.Json.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("unitCode").GetString() == unitCode).GetProperty("status").GetString();
    }

    /// <summary>Passes the leading-bytes sniff (its first entry's text names the OOXML parts) but holds no package.</summary>
    private static byte[] LookalikeDocx() => new HandZip().Add("readme.txt", "xem [Content_Types].xml và word/document.xml").Add("docs/[Content_Types].xml", "<Types/>").Build();

    private static Microsoft.AspNetCore.Http.HttpRequest WithHeader(Microsoft.AspNetCore.Http.HttpRequest request, string name, string value)
    {
        request.Headers[name] = value;
        return request;
    }

    private static Microsoft.AspNetCore.Http.HttpRequest WithoutContentType(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        request.ContentType = null;
        return request;
    }
}

/// <summary>Two streams read one after the other, counting what was read.</summary>
internal sealed class ConcatStream(Stream first, Stream second) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = first.Read(buffer, offset, count);
        if (n == 0)
        {
            n = second.Read(buffer, offset, count);
        }

        BytesRead += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var array = new byte[buffer.Length];
        var n = Read(array, 0, array.Length);
        array.AsSpan(0, n).CopyTo(buffer.Span);
        return ValueTask.FromResult(n);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
