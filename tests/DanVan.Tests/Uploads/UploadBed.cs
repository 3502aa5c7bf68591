using System.IO.Compression;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Functions;
using DanVan.Registry;
using DanVan.Tests.Support;
using DanVan.Submissions;
using DanVan.Uploads;
using Microsoft.AspNetCore.Http;

namespace DanVan.Tests.Uploads;

/// <summary>
/// A TestApp with two required units (so-noi-vu, so-tu-phap) and one that stopped before 2026
/// (ubnd-phuc-yen), their tokens, and the reports functions, plus helpers to send uploads.
/// </summary>
public sealed class UploadBed : IAsyncDisposable
{
    public const string Unit = "so-noi-vu";
    public const string OtherUnit = "so-tu-phap";
    public const string InactiveUnit = "ubnd-phuc-yen";
    public const string Period = "2026-H1";

    private UploadBed(TestApp app, string unitToken, string otherToken, string inactiveToken)
    {
        App = app;
        UnitToken = unitToken;
        OtherToken = otherToken;
        InactiveToken = inactiveToken;
        Functions = app.Get<ReportsFunctions>();
    }

    public TestApp App { get; }

    public ReportsFunctions Functions { get; }

    public string UnitToken { get; }

    public string OtherToken { get; }

    public string InactiveToken { get; }

    public static async Task<UploadBed> StartAsync(DateTimeOffset? now = null, IDictionary<string, string?>? settings = null, StorageFaults? faults = null, string? storage = null)
    {
        var app = await TestApp.StartAsync(now, settings, faults: faults, storage: storage);
        var registry = app.Get<UnitRegistry>();
        await registry.PutAsync(new Unit(Unit, "Sở Nội vụ", "Sở, ban, ngành", ["vanthu@snv.example.org"], null, new DateOnly(2020, 1, 1), null));
        await registry.PutAsync(new Unit(OtherUnit, "Sở Tư pháp", "Sở, ban, ngành", ["vanthu@stp.example.org"], null, new DateOnly(2020, 1, 1), null));
        await registry.PutAsync(new Unit(InactiveUnit, "UBND thành phố Phúc Yên", "UBND cấp huyện", ["vanthu@phucyen.example.org"], null, new DateOnly(2020, 1, 1), new DateOnly(2025, 6, 30)));
        var credentials = app.Get<CredentialStore>();
        var unit = await credentials.IssueAsync(Unit);
        var other = await credentials.IssueAsync(OtherUnit);
        var inactive = await credentials.IssueAsync(InactiveUnit);
        return new UploadBed(app, unit.Token, other.Token, inactive.Token);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    /// <summary>A raw upload: the file as the body, its name percent-encoded in X-File-Name.</summary>
    public static HttpRequest Raw(byte[] file, string? fileName, string? bearer, string? query = null, string contentType = "application/octet-stream")
    {
        var request = TestHttp.Request("POST", $"/api/periods/{Period}/reports", bearer, query: query, body: file, contentType: contentType);
        if (fileName is not null)
        {
            request.Headers[DanVan.Http.UploadRequestReader.FileNameHeader] = Uri.EscapeDataString(fileName);
        }

        return request;
    }

    /// <summary>A raw upload whose body is <paramref name="body"/>, read as the service pulls it (no Content-Length).</summary>
    public static HttpRequest RawStream(Stream body, string fileName, string bearer)
    {
        var request = TestHttp.Request("POST", $"/api/periods/{Period}/reports", bearer, contentType: "application/pdf");
        request.Headers[DanVan.Http.UploadRequestReader.FileNameHeader] = Uri.EscapeDataString(fileName);
        request.Body = body;
        return request;
    }

    public static HttpRequest Multipart(string? bearer, params MultipartPart[] parts) => Multipart(bearer, null, parts);

    public static HttpRequest Multipart(string? bearer, string? query, params MultipartPart[] parts)
    {
        var (body, contentType) = MultipartPart.Build(parts);
        return TestHttp.Request("POST", $"/api/periods/{Period}/reports", bearer, query: query, body: body, contentType: contentType);
    }

    public Task<TestResponse> SendAsync(HttpRequest request, string period = Period) =>
        TestHttp.InvokeAsync(request, r => Functions.UploadReport(r, period, CancellationToken.None));

    public Task<TestResponse> ListAsync(string unitCode, string bearer) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{Period}/reports/{unitCode}", bearer), r => Functions.ListReportVersions(r, Period, unitCode, CancellationToken.None));

    public Task<TestResponse> DownloadAsync(string unitCode, int version, string bearer) =>
        DownloadAsync(unitCode, version.ToString(System.Globalization.CultureInfo.InvariantCulture), bearer);

    /// <summary>The download route with its version segment as a client wrote it ("1", "01", "x").</summary>
    public Task<TestResponse> DownloadAsync(string unitCode, string version, string bearer) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{Period}/reports/{unitCode}/versions/{version}", bearer), r => Functions.DownloadReportVersion(r, Period, unitCode, version, CancellationToken.None));

    /// <summary>Committed blobs in the reports container (uncommitted blocks are not listed).</summary>
    public async Task<List<BlobItem>> CommittedBlobsAsync()
    {
        var blobs = new List<BlobItem>();
        await foreach (var blob in App.Store.Reports.GetBlobsAsync())
        {
            blobs.Add(blob);
        }

        return blobs;
    }

    /// <summary>The rows uploads leave (heads, versions, idempotency keys): every row but the period's own (<see cref="SubmissionKeys.PeriodState"/>).</summary>
    public async Task<List<TableEntity>> SubmissionRowsAsync()
    {
        var rows = new List<TableEntity>();
        await foreach (var row in App.Store.Table<SubmissionStore>().QueryAsync<TableEntity>())
        {
            // The period's row, the change tickets (DanVan.Changes) and a unit's fence where it has no version
            // (finalization's, DanVan.Changes.UnitFences) hold no submission of their own.
            var fenceOnly = row.ContainsKey(DanVan.Changes.UnitFences.ClosedAt) && (row.GetInt32(nameof(SubmissionHeadEntity.LatestVersion)) ?? 0) == 0;
            if (row.RowKey != SubmissionKeys.PeriodState && !row.RowKey.StartsWith(DanVan.Changes.ChangeTickets.RowKey(""), StringComparison.Ordinal) && !fenceOnly)
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    public async Task AssertNothingStoredAsync()
    {
        Assert.Empty(await CommittedBlobsAsync());
        Assert.Empty(await SubmissionRowsAsync());
    }

    public async Task<byte[]> BlobBytesAsync(string blobName)
    {
        var content = await App.Store.Reports.GetBlobClient(blobName).DownloadContentAsync();
        return content.Value.Content.ToArray();
    }
}

/// <summary>One part of a multipart/form-data body, written the way browsers write it (UTF-8 names in quotes).</summary>
public sealed record MultipartPart(string Name, byte[] Content, string? FileName = null, string? ContentType = null)
{
    public const string Boundary = "----DanVanTestBoundary7MA4YWxkTrZu0gW";

    public static MultipartPart File(byte[] content, string fileName, string contentType = "application/octet-stream") => new("file", content, fileName, contentType);

    public static MultipartPart Text(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));

    public static (byte[] Body, string ContentType) Build(IEnumerable<MultipartPart> parts)
    {
        using var body = new MemoryStream();
        void Write(string text) => body.Write(Encoding.UTF8.GetBytes(text));
        foreach (var part in parts)
        {
            Write($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{part.Name}\"");
            if (part.FileName is not null)
            {
                Write($"; filename=\"{part.FileName}\"");
            }

            Write("\r\n");
            if (part.ContentType is not null)
            {
                Write($"Content-Type: {part.ContentType}\r\n");
            }

            Write("\r\n");
            body.Write(part.Content);
            Write("\r\n");
        }

        Write($"--{Boundary}--\r\n");
        return (body.ToArray(), $"multipart/form-data; boundary={Boundary}");
    }
}

/// <summary>Report files of each accepted format, made in the test.</summary>
public static class Samples
{
    public static byte[] Pdf(int size = 2048, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        "%PDF-1.7\n"u8.CopyTo(bytes);
        return bytes;
    }

    public static byte[] Doc(int size = 4096, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(bytes, 0);
        return bytes;
    }

    public const string WordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    public const string SheetNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    public static byte[] Docx(string text = "Báo cáo công tác dân vận") =>
        Ooxml("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/document.xml", DocumentXml(text));

    public static byte[] Xlsx() =>
        Ooxml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xl/workbook.xml", WorkbookXml);

    /// <summary>A <c>word/document.xml</c> as Word writes it, in short: <c>w:document</c>, its <c>w:body</c>, one paragraph.</summary>
    public static string DocumentXml(string text = "Báo cáo") =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"{WordNamespace}\"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>";

    public static readonly string WorkbookXml = $"<workbook xmlns=\"{SheetNamespace}\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\"/></sheets></workbook>";

    /// <summary>A <c>[Content_Types].xml</c> declaring <paramref name="mainPart"/> with <paramref name="mainContentType"/>.</summary>
    public static string ContentTypesXml(string mainContentType, string mainPart) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" +
        "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>" +
        $"<Override PartName=\"/{mainPart}\" ContentType=\"{mainContentType}\"/></Types>";

    public static readonly string DocxContentTypes = ContentTypesXml("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/document.xml");

    public static readonly string XlsxContentTypes = ContentTypesXml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xl/workbook.xml");

    public static byte[] Odt() => Odf("application/vnd.oasis.opendocument.text");

    public static byte[] Ods() => Odf("application/vnd.oasis.opendocument.spreadsheet");

    /// <summary>A ZIP that is neither OOXML nor ODF.</summary>
    public static byte[] PlainZip()
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, "readme.txt", "không phải báo cáo");
        }

        return stream.ToArray();
    }

    private static byte[] Ooxml(string mainContentType, string mainPart, string xml)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, "[Content_Types].xml", ContentTypesXml(mainContentType, mainPart));
            Write(zip, mainPart, xml);
        }

        return stream.ToArray();
    }

    private static byte[] Odf(string mimetype)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, "mimetype", mimetype, CompressionLevel.NoCompression);
            Write(zip, "content.xml", "<office:document-content/>");
        }

        return stream.ToArray();
    }

    private static void Write(ZipArchive zip, string name, string text, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var entry = zip.CreateEntry(name, level).Open();
        entry.Write(Encoding.UTF8.GetBytes(text));
    }
}
