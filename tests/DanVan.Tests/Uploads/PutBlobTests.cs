using System.Security.Cryptography;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DanVan.Tests.Support;
using DanVan.Uploads;
using Xunit.Abstractions;

namespace DanVan.Tests.Uploads;

/// <summary>
/// The raw upload with a Content-Length, written as one Put Blob: its refusals happen before the body
/// completes, so the service never creates the blob; other uploads still stage blocks.
/// </summary>
public sealed class PutBlobTests(ITestOutputHelper output)
{
    private static string Digest(byte[] bytes) => $"sha-256=:{Convert.ToBase64String(SHA256.HashData(bytes))}:";

    [Fact]
    public async Task A_digest_mismatch_on_a_one_request_write_leaves_no_blob_at_all()
    {
        await using var bed = await UploadBed.StartAsync();
        var file = Samples.Pdf(6 * 1024 * 1024, seed: 3);
        var request = UploadBed.Raw(file, "a.pdf", bed.UnitToken);
        request.Headers[DanVan.Http.UploadRequestReader.ContentDigestHeader] = Digest(Samples.Pdf(seed: 9));

        var response = await bed.SendAsync(request);

        Assert.Equal(400, response.Status);
        Assert.Equal("digest_mismatch", response.Code);
        await AssertNoBlobEvenUncommittedAsync(bed);
    }

    [Fact]
    public async Task A_body_shorter_than_its_Content_Length_is_refused_and_leaves_nothing()
    {
        await using var bed = await UploadBed.StartAsync();
        var request = UploadBed.RawStream(new GeneratedBody(300_000), "a.pdf", bed.UnitToken);
        request.ContentLength = 500_000;

        var response = await bed.SendAsync(request);

        Assert.Equal(400, response.Status);
        Assert.Equal("content_length_mismatch", response.Code);
        await AssertNoBlobEvenUncommittedAsync(bed);
    }

    [Fact]
    public async Task A_body_shorter_than_its_Content_Length_within_the_first_bytes_is_refused_too()
    {
        await using var bed = await UploadBed.StartAsync();
        var request = UploadBed.RawStream(new GeneratedBody(1000), "a.pdf", bed.UnitToken);
        request.ContentLength = 2000;

        var response = await bed.SendAsync(request);

        Assert.Equal("content_length_mismatch", response.Code);
        await AssertNoBlobEvenUncommittedAsync(bed);
    }

    [Fact]
    public async Task A_body_longer_than_its_Content_Length_is_refused_and_leaves_nothing()
    {
        await using var bed = await UploadBed.StartAsync();
        var request = UploadBed.RawStream(new GeneratedBody(300_001), "a.pdf", bed.UnitToken);
        request.ContentLength = 300_000;

        var response = await bed.SendAsync(request);

        Assert.Equal(400, response.Status);
        Assert.Equal("content_length_mismatch", response.Code);
        await AssertNoBlobEvenUncommittedAsync(bed);
    }

    [Fact]
    public async Task Wrong_leading_bytes_are_refused_after_reading_only_the_first_bytes()
    {
        await using var bed = await UploadBed.StartAsync();
        var body = new GeneratedBody(20L * 1024 * 1024);
        var request = UploadBed.RawStream(body, "báo cáo.doc", bed.UnitToken);
        request.ContentLength = body.Length;

        var response = await bed.SendAsync(request);

        Assert.Equal(415, response.Status);
        Assert.Equal("file_type_mismatch", response.Code);
        Assert.InRange(body.BytesRead, 1, PutBlobWriter.HeadSize(FileTypes.ByName("a.doc")!));
        output.WriteLine($"Read {body.BytesRead:N0} of {body.Length:N0} bytes before refusing the type");
        await AssertNoBlobEvenUncommittedAsync(bed);
    }

    [Fact]
    public async Task A_raw_upload_with_a_Content_Length_is_one_Put_Blob_and_others_stage_blocks()
    {
        await using var bed = await UploadBed.StartAsync();
        var raw = Samples.Pdf(9 * 1024 * 1024, seed: 1);
        var multipart = Samples.Pdf(9 * 1024 * 1024 + 1000, seed: 2);
        const long unknownLength = 5L * 1024 * 1024;

        Assert.Equal(201, (await bed.SendAsync(UploadBed.Raw(raw, "raw.pdf", bed.UnitToken))).Status);
        Assert.Equal(201, (await bed.SendAsync(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(multipart, "form.pdf")))).Status);
        Assert.Equal(201, (await bed.SendAsync(UploadBed.RawStream(new GeneratedBody(unknownLength), "stream.pdf", bed.UnitToken))).Status);

        var blocks = new Dictionary<long, int>();
        foreach (var blob in await bed.CommittedBlobsAsync())
        {
            var list = await bed.App.Store.Reports.GetBlockBlobClient(blob.Name).GetBlockListAsync(BlockListTypes.Committed);
            blocks[blob.Properties.ContentLength!.Value] = list.Value.CommittedBlocks.Count();
        }

        output.WriteLine(string.Join(", ", blocks.Select(b => $"{b.Key:N0} bytes: {b.Value} committed blocks")));
        Assert.Equal(3, blocks[multipart.Length]);
        Assert.Equal(2, blocks[unknownLength]);
        Assert.True(blocks[raw.Length] <= 1, $"the Put Blob write has {blocks[raw.Length]} blocks");
    }

    [Fact]
    public async Task A_byte_identical_raw_reupload_is_answered_with_the_latest_receipt_and_its_blob_is_deleted()
    {
        await using var bed = await UploadBed.StartAsync();
        var file = Samples.Pdf(seed: 5);

        var first = await bed.SendAsync(UploadBed.Raw(file, "a.pdf", bed.UnitToken));
        var again = await bed.SendAsync(UploadBed.Raw(file, "a lần 2.pdf", bed.UnitToken));

        Assert.Equal(201, first.Status);
        Assert.Equal(200, again.Status);
        Assert.Equal(first.Json.GetProperty("receiptId").GetString(), again.Json.GetProperty("receiptId").GetString());
        var blob = Assert.Single(await bed.CommittedBlobsAsync());
        Assert.EndsWith(first.Json.GetProperty("receiptId").GetString()!, blob.Name);
        Assert.Equal(2, (await bed.SubmissionRowsAsync()).Count); // the head and version 1
    }

    [Fact]
    public async Task A_raw_upload_with_a_matching_Content_Digest_keeps_the_hash_in_the_blob_metadata()
    {
        await using var bed = await UploadBed.StartAsync();
        var file = Samples.Pdf(300_000, seed: 6);
        var request = UploadBed.Raw(file, "a.pdf", bed.UnitToken);
        request.Headers[DanVan.Http.UploadRequestReader.ContentDigestHeader] = Digest(file);

        var response = await bed.SendAsync(request);

        Assert.Equal(201, response.Status);
        var blob = Assert.Single(await bed.CommittedBlobsAsync());
        var properties = (await bed.App.Store.Reports.GetBlobClient(blob.Name).GetPropertiesAsync()).Value;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(file)), properties.Metadata["sha256"]);
        Assert.Equal("application/pdf", properties.ContentType);
        Assert.Equal(file, await bed.BlobBytesAsync(blob.Name));
    }

    private static async Task AssertNoBlobEvenUncommittedAsync(UploadBed bed)
    {
        await bed.AssertNothingStoredAsync();
        var any = new List<string>();
        await foreach (var blob in bed.App.Store.Reports.GetBlobsAsync(BlobTraits.None, BlobStates.Uncommitted, null, CancellationToken.None))
        {
            any.Add(blob.Name);
        }

        Assert.Empty(any);
    }
}
