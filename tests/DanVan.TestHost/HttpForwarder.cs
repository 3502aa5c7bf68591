using System.Diagnostics;
using System.Net;
using DanVan.TestHost.Rpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace DanVan.TestHost;

/// <summary>
/// The HTTP front door. For a request that matches an HTTP function it does what the Functions host
/// does with ASP.NET Core integration: sends an InvocationRequest (route values as trigger metadata,
/// the request line and headers as RpcHttp without a body), forwards the request — body streamed,
/// never buffered — to the worker's Kestrel with the <c>x-ms-invocation-id</c> header, streams the
/// worker's response back and awaits the InvocationResponse. <c>POST /admin/functions/{name}</c>
/// invokes a non-HTTP function (202, like the Functions host).
/// </summary>
internal sealed class HttpForwarder : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Expect",
    };

    private readonly FunctionsWorkerHost host;
    private readonly FunctionRouter router;
    private readonly WorkerHostOptions options;
    private readonly ILogger logger;
    private readonly HttpMessageInvoker client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        // The body is sent only once the function starts reading it (Kestrel answers 100 Continue
        // then), so a function that refuses a request early answers without taking the whole body.
        Expect100ContinueTimeout = TimeSpan.FromMinutes(10),
    });

    public HttpForwarder(FunctionsWorkerHost host, FunctionRouter router, WorkerHostOptions options, ILogger logger)
    {
        this.host = host;
        this.router = router;
        this.options = options;
        this.logger = logger;
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/admin/functions", out var rest) && HttpMethods.IsPost(context.Request.Method))
        {
            await InvokeFromAdminAsync(context, rest.Value?.Trim('/') ?? "");
            return;
        }

        var match = router.Match(context.Request.Method, context.Request.Path);
        if (match is not { } found)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await InvokeHttpAsync(context, found.Function, found.Values);
    }

    private async Task InvokeHttpAsync(HttpContext context, HostedFunction function, Microsoft.AspNetCore.Routing.RouteValueDictionary routeValues)
    {
        var clock = Stopwatch.StartNew();
        var ct = context.RequestAborted;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxRequestBodyBytes;
        }

        var invocationId = Guid.NewGuid().ToString();
        var request = host.NewInvocation(function, invocationId);
        var http = new RpcHttp { Method = context.Request.Method, Url = context.Request.GetEncodedUrl() };
        foreach (var (name, value) in context.Request.Headers)
        {
            http.Headers[name.ToLowerInvariant()] = value.ToString();
            http.NullableHeaders[name.ToLowerInvariant()] = new NullableString { Value = value.ToString() };
        }

        foreach (var (name, value) in context.Request.Query)
        {
            http.Query[name] = value.ToString();
            http.NullableQuery[name] = new NullableString { Value = value.ToString() };
        }

        foreach (var (name, value) in routeValues)
        {
            var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            if (text is null)
            {
                continue;
            }

            http.Params[name] = text;
            http.NullableParams[name] = new NullableString { Value = text };
            request.TriggerMetadata[name] = new TypedData { String = text };
        }

        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = http } });
        using var stopInvocation = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var invocation = host.InvokeCoreAsync(function, request, stopInvocation.Token);

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(ToWorkerRequest(context, invocationId), ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogError(ex, "Forwarding {Method} {Path} to the worker failed", context.Request.Method, context.Request.Path.Value);
            await stopInvocation.CancelAsync();
            await WriteFailureAsync(context, $"Forwarding to the worker failed: {ex.Message}");
            return;
        }

        using (response)
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[64 * 1024];
            var first = await body.ReadAsync(buffer, ct);
            if (first == 0)
            {
                // An empty answer may mean the function failed before writing anything: the
                // Functions host reports a failed invocation as 500.
                var result = await invocation.WaitAsync(TimeSpan.FromSeconds(30), ct);
                if (!result.Succeeded)
                {
                    await WriteFailureAsync(context, $"Function '{function.Name}' failed: {result.Error}");
                    return;
                }
            }

            context.Response.StatusCode = (int)response.StatusCode;
            CopyHeaders(response.Headers, context.Response.Headers);
            CopyHeaders(response.Content.Headers, context.Response.Headers);
            if (first > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, first), ct);
                await body.CopyToAsync(context.Response.Body, ct);
            }
        }

        var outcome = await invocation;
        logger.LogInformation("{Method} {Path} -> {Function} {Status} in {Elapsed} ms", context.Request.Method, context.Request.Path.Value, function.Name, context.Response.StatusCode, clock.ElapsedMilliseconds);
        if (!outcome.Succeeded)
        {
            logger.LogError("Function {Function} failed after its response started: {Error}", function.Name, outcome.Error);
        }
    }

    private HttpRequestMessage ToWorkerRequest(HttpContext context, string invocationId)
    {
        var target = new Uri(host.WorkerHttpUri, context.Request.PathBase + context.Request.Path + context.Request.QueryString);
        var message = new HttpRequestMessage(new HttpMethod(context.Request.Method), target) { Version = HttpVersion.Version11 };
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? context.Request.ContentLength > 0;
        if (canHaveBody)
        {
            message.Content = new StreamContent(context.Request.Body, 64 * 1024);
            message.Headers.ExpectContinue = true;
        }

        foreach (var (name, value) in context.Request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
            }
        }

        message.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
        message.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        message.Headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Host.Value);
        message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
        return message;
    }

    private static void CopyHeaders(System.Net.Http.Headers.HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from)
        {
            if (!HopByHop.Contains(name))
            {
                to[name] = new StringValues(values.ToArray());
            }
        }
    }

    private static async Task WriteFailureAsync(HttpContext context, string message)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message);
    }

    /// <summary>
    /// <c>POST /admin/functions/{name}</c> with <c>{"input": ""}</c>: starts the function and answers
    /// 202 with the invocation id in <c>x-ms-invocation-id</c> (tests wait for it through the host).
    /// </summary>
    private async Task InvokeFromAdminAsync(HttpContext context, string name)
    {
        var function = host.Find(name);
        if (function is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (function.IsHttp)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("HTTP functions are invoked through their routes.");
            return;
        }

        var (invocationId, result) = host.StartInvocation(function, CancellationToken.None);
        host.Track(invocationId, result);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.Headers[InvocationIdHeader] = invocationId;
    }

    /// <summary>The worker's Kestrel starts with its host: wait until it accepts connections.</summary>
    public async Task WaitForWorkerHttpAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(host.WorkerHttpUri.Host, host.WorkerHttpUri.Port, ct);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50, ct);
            }
        }
    }

    public void Dispose() => client.Dispose();
}
