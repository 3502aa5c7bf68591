using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace DanVan.Tests.Support;

/// <summary>Which storage call a request is, as the fault rules see it.</summary>
public enum StorageCall
{
    TableTransaction,
    TableRead,
    TableWrite,
    PutBlob,
    PutBlock,
    PutBlockList,
    BlobRead,
    BlobDelete,
    BlobOther,

    /// <summary>Put Message on a queue.</summary>
    QueueWrite,
    QueueRead,

    /// <summary>Delete, update, create, properties of a queue or message.</summary>
    QueueOther,
}

/// <summary>What happens to one request.</summary>
public enum StorageFault
{
    None,

    /// <summary>Azurite receives and applies the request; its reply never arrives (a connection dropped after the commit).</summary>
    DropReply,

    /// <summary>Azurite never sees it; the client gets 500 Internal Server Error.</summary>
    Answer500,

    /// <summary>Azurite never sees it; the client gets 503 Server Busy.</summary>
    Answer503,

    /// <summary>Azurite never sees it; the connection is reset.</summary>
    Reset,
}

/// <summary>
/// Faults between DanVan and Azurite: a transport wrapped around the SDK's own HTTP transport, so every
/// attempt (the SDK's retries included) meets the faults and the SDK classifies an injected answer as it
/// would a real one. A rule over the kind of call decides each request. Clients made by
/// <see cref="TableClient"/>/<see cref="BlobClient"/> carry it; <see cref="TestApp"/> puts them in DanVan's graph.
/// </summary>
public sealed class StorageFaults
{
    private volatile Func<StorageCall, StorageFault> rule = _ => StorageFault.None;
    private readonly ConcurrentQueue<(StorageCall Call, StorageFault Fault)> injected = new();
    private readonly ConcurrentDictionary<StorageCall, int> seen = new();

    /// <summary>Called with the request's kind and path before it is sent (after the rule decided it goes through): lets a test act at that very moment.</summary>
    public Func<StorageCall, string, Task>? BeforeSend { get; set; }

    public IReadOnlyCollection<(StorageCall Call, StorageFault Fault)> Injected => injected;

    public int Seen(StorageCall call) => seen.GetValueOrDefault(call);

    /// <summary>Every request seen, with the path it went to (account, then table, container or queue), in order.</summary>
    public IReadOnlyCollection<(StorageCall Call, string Path)> Requests => requests;

    private readonly ConcurrentQueue<(StorageCall Call, string Path)> requests = new();

    /// <summary>The filter of every table read that was a query (a range or a scan, not a point read of one entity), unescaped, in order.</summary>
    public IReadOnlyCollection<string> TableQueries => tableQueries;

    private readonly ConcurrentQueue<string> tableQueries = new();

    /// <summary>Decides every request from now on.</summary>
    public void Rule(Func<StorageCall, StorageFault> decide) => rule = decide;

    /// <summary>The next <paramref name="times"/> requests of <paramref name="call"/> get <paramref name="fault"/>; everything else goes through.</summary>
    public void Next(StorageCall call, StorageFault fault, int times = 1)
    {
        var left = times;
        Rule(c => c == call && Interlocked.Decrement(ref left) >= 0 ? fault : StorageFault.None);
    }

    public void Off() => Rule(_ => StorageFault.None);

    /// <summary>Client options whose SDK retries are quick (the faults, not the back-off, are under test).</summary>
    public TableServiceClient TableClient(string connectionString)
    {
        var options = new TableClientOptions();
        Configure(options, tables: true);
        return new TableServiceClient(connectionString, options);
    }

    public BlobServiceClient BlobClient(string connectionString)
    {
        var options = new BlobClientOptions();
        Configure(options, tables: false);
        return new BlobServiceClient(connectionString, options);
    }

    /// <summary>Whether <see cref="TestApp"/> puts the queue clients (<see cref="QueueClient"/>) in DanVan's graph too; off by default, so the
    /// suites written before queue faults existed see the queue as they did.</summary>
    public bool IncludeQueues { get; init; }

    /// <summary>Queue clients (Base64 messages, as DanVan's) whose Put Message, reads and other calls meet the faults.</summary>
    public QueueServiceClient QueueClient(string connectionString)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        Configure(options, tables: false, queues: true);
        return new QueueServiceClient(connectionString, options);
    }

    private void Configure(ClientOptions options, bool tables, bool queues = false)
    {
        options.Retry.Delay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        options.Transport = new FaultTransport(this, tables, queues, new HttpClientTransport());
    }

    private static StorageCall Classify(HttpMessage message, bool tables, bool queues)
    {
        var request = message.Request;
        var method = request.Method;
        if (queues)
        {
            return method == RequestMethod.Post ? StorageCall.QueueWrite
                : method == RequestMethod.Get || method == RequestMethod.Head ? StorageCall.QueueRead
                : StorageCall.QueueOther;
        }

        if (tables)
        {
            return request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) ? StorageCall.TableTransaction
                : method == RequestMethod.Get ? StorageCall.TableRead
                : StorageCall.TableWrite;
        }

        var query = request.Uri.Query;
        if (method == RequestMethod.Put)
        {
            return query.Contains("comp=blocklist", StringComparison.Ordinal) ? StorageCall.PutBlockList
                : query.Contains("comp=block", StringComparison.Ordinal) ? StorageCall.PutBlock
                : request.Headers.Contains("x-ms-blob-type") ? StorageCall.PutBlob
                : StorageCall.BlobOther;
        }

        return method == RequestMethod.Delete ? StorageCall.BlobDelete
            : method == RequestMethod.Get || method == RequestMethod.Head ? StorageCall.BlobRead
            : StorageCall.BlobOther;
    }

    private sealed class FaultTransport(StorageFaults faults, bool tables, bool queues, HttpPipelineTransport inner) : HttpPipelineTransport
    {
        public override Request CreateRequest() => inner.CreateRequest();

        public override void Process(HttpMessage message) => ProcessAsync(message).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message)
        {
            var call = Classify(message, tables, queues);
            faults.seen.AddOrUpdate(call, 1, (_, n) => n + 1);
            faults.requests.Enqueue((call, message.Request.Uri.Path));
            if (call == StorageCall.TableRead && message.Request.Uri.Query.Contains("$filter", StringComparison.Ordinal))
            {
                faults.tableQueries.Enqueue(Uri.UnescapeDataString(message.Request.Uri.Query));
            }

            var fault = faults.rule(call);
            if (fault != StorageFault.None)
            {
                faults.injected.Enqueue((call, fault));
            }

            switch (fault)
            {
                case StorageFault.Answer500:
                case StorageFault.Answer503:
                    message.Response = new InjectedResponse(fault == StorageFault.Answer500 ? 500 : 503);
                    return;
                case StorageFault.Reset:
                    throw new IOException("Injected: the connection was reset before the request was sent.", new SocketException((int)SocketError.ConnectionReset));
            }

            if (faults.BeforeSend is { } before)
            {
                await before(call, message.Request.Uri.Path);
            }

            await inner.ProcessAsync(message);
            if (fault == StorageFault.DropReply)
            {
                message.Response.Dispose();
                throw new IOException("Injected: the reply was lost after the request reached storage.", new SocketException((int)SocketError.ConnectionReset));
            }
        }
    }

    /// <summary>A storage error answer made here, never sent by Azurite.</summary>
    private sealed class InjectedResponse(int status) : Response
    {
        public override int Status => status;

        public override string ReasonPhrase => status == 503 ? "Server Busy (injected)" : "Internal Server Error (injected)";

        public override Stream? ContentStream { get; set; } = new MemoryStream(Encoding.UTF8.GetBytes(
            status == 503 ? """{"odata.error":{"code":"ServerBusy","message":{"lang":"en-US","value":"Injected."}}}""" : """{"odata.error":{"code":"InternalError","message":{"lang":"en-US","value":"Injected."}}}"""));

        public override string ClientRequestId { get; set; } = "";

        public override void Dispose() => ContentStream?.Dispose();

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        protected override bool TryGetHeaderValues(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = null;
            return false;
        }
    }
}
