using System.Net;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DanVan.Benchmarks;

/// <summary>
/// The baseline of an upload through the worker: the cheapest function behind the same host path. A front door
/// (Kestrel) streams each request on to a second Kestrel over loopback, with <c>Expect: 100-continue</c> and a
/// 64 KiB copy buffer as the test host forwards to the worker's; there the handler does nothing but one SDK
/// Put Blob of the body as it arrives (no checks, no rows; with a table given, one entity insert after it, the least an
/// upload must record). The bytes make the same two HTTP hops DanVan's do.
/// </summary>
public sealed class ForwardedSdkUpload : IAsyncDisposable
{
    private readonly WebApplication front;
    private readonly WebApplication sink;
    private readonly HttpMessageInvoker forward = new(new SocketsHttpHandler { UseProxy = false, Expect100ContinueTimeout = TimeSpan.FromMinutes(10) });

    private ForwardedSdkUpload(BlobContainerClient container, Azure.Data.Tables.TableClient? table)
    {
        sink = Server(async context =>
        {
            var length = context.Request.ContentLength ?? throw new InvalidOperationException("The baseline needs a Content-Length.");
            var id = Guid.NewGuid().ToString("N");
            await container.GetBlockBlobClient($"baseline/{id}").UploadAsync(new KnownLengthBody(context.Request.Body, length), new BlobUploadOptions
            {
                TransferOptions = new StorageTransferOptions { InitialTransferSize = length + 1, MaximumConcurrency = 1 },
                TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.None },
            });
            if (table is not null)
            {
                await table.AddEntityAsync(new Azure.Data.Tables.TableEntity("baseline", id) { ["BlobName"] = id, ["SizeBytes"] = length });
            }

            context.Response.StatusCode = StatusCodes.Status201Created;
        });
        front = Server(async context =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Address(sink), "upload"))
            {
                Content = new StreamContent(context.Request.Body, 64 * 1024),
            };
            request.Content.Headers.ContentLength = context.Request.ContentLength;
            request.Headers.ExpectContinue = true;
            using var response = await forward.SendAsync(request, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
        });
    }

    public Uri BaseAddress => Address(front);

    public static async Task<ForwardedSdkUpload> StartAsync(BlobContainerClient container, Azure.Data.Tables.TableClient? table = null)
    {
        var path = new ForwardedSdkUpload(container, table);
        await path.sink.StartAsync();
        await path.front.StartAsync();
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await front.StopAsync();
        await sink.StopAsync();
        await front.DisposeAsync();
        await sink.DisposeAsync();
        forward.Dispose();
    }

    private static Uri Address(WebApplication app) => new(app.Urls.First() + "/");

    private static WebApplication Server(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        app.MapPost("/upload", handler);
        return app;
    }

    /// <summary>The request body as the SDK's single-shot upload takes it (<see cref="DanVan.Reading.ForwardOnlyStream"/>), with no checks.</summary>
    private sealed class KnownLengthBody(Stream inner, long length) : DanVan.Reading.ForwardOnlyStream(length)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            Advance(n);
            return n;
        }
    }
}
