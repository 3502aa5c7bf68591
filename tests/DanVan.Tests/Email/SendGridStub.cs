using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DanVan.Tests.Email;

/// <summary>One message the stub accepted, read back from the JSON SendGrid would have received.</summary>
public sealed record ReceivedMail(JsonElement Body, string MessageId)
{
    private JsonElement Personalization => Body.GetProperty("personalizations")[0];

    public IReadOnlyList<string> To => Addresses(Personalization, "to");

    public IReadOnlyList<string> Cc => Addresses(Personalization, "cc");

    public string From => Body.GetProperty("from").GetProperty("email").GetString()!;

    public string Subject => Body.TryGetProperty("subject", out var s) ? s.GetString()! : Personalization.GetProperty("subject").GetString()!;

    public string Text => Content("text/plain");

    public string Html => Content("text/html");

    public IReadOnlyList<string> Categories =>
        Body.TryGetProperty("categories", out var c) ? c.EnumerateArray().Select(e => e.GetString()!).ToList() : [];

    public string? Arg(string name)
    {
        foreach (var holder in new[] { Personalization, Body })
        {
            if (holder.TryGetProperty("custom_args", out var args) && args.TryGetProperty(name, out var v))
            {
                return v.GetString();
            }
        }

        return null;
    }

    public bool IsReminder => Categories.Contains("reminder");

    public bool IsDigest => Categories.Contains("digest");

    private string Content(string type) =>
        Body.GetProperty("content").EnumerateArray().First(c => c.GetProperty("type").GetString() == type).GetProperty("value").GetString()!;

    private static IReadOnlyList<string> Addresses(JsonElement holder, string name) =>
        holder.TryGetProperty(name, out var list) ? list.EnumerateArray().Select(a => a.GetProperty("email").GetString()!).ToList() : [];
}

/// <summary>How the stub loses the reply to a message it accepted.</summary>
public enum LostReply
{
    /// <summary>It never answers: the client's timeout has to end the call.</summary>
    Hang,

    /// <summary>It drops the connection without a word.</summary>
    Abort,
}

/// <summary>
/// A local server that speaks SendGrid's <c>POST /v3/mail/send</c>: checks the Bearer key, validates every
/// body against SendGrid's own published schema (Specs/sendgrid-mail-v3.openapi.json, request body
/// PostMailSend, JSON Schema 2020-12), answers 202 with an <c>X-Message-Id</c>, and can be told to answer
/// 429 (with Retry-After) or 5xx a number of times, to add latency, and to accept a message but lose the
/// reply (hang, or drop the connection): the case where the sender cannot know the message went out.
/// </summary>
public sealed class SendGridStub : IAsyncDisposable
{
    public const string ApiKey = "SG.local-test-key";

    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    private readonly WebApplication app;
    private int failuresLeft;
    private int failureStatus;
    private string? failureRetryAfter;
    private readonly CancellationTokenSource stopping = new();
    private int lostRepliesLeft;
    private LostReply lostReply;
    private int requests;
    private int inFlight;
    private int maxInFlight;

    private SendGridStub(WebApplication app) => this.app = app;

    public string Host { get; private set; } = "";

    public TimeSpan Latency { get; set; }

    public ConcurrentQueue<ReceivedMail> Received { get; } = new();

    /// <summary>Every schema violation seen; a passing test expects none.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    public int Requests => Volatile.Read(ref requests);

    /// <summary>The most requests the stub was serving at one time.</summary>
    public int MaxConcurrent => Volatile.Read(ref maxInFlight);

    public IReadOnlyList<ReceivedMail> Reminders => Received.Where(m => m.IsReminder).ToList();

    public IReadOnlyList<ReceivedMail> Digests => Received.Where(m => m.IsDigest).ToList();

    /// <summary>The settings that point DanVan at this stub.</summary>
    public IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["DanVan:Email:SendGridApiKey"] = ApiKey,
        ["DanVan:Email:SendGridHost"] = Host,
    };

    /// <summary>The next <paramref name="count"/> valid requests get <paramref name="status"/> instead of 202.</summary>
    public void FailNext(int count, int status, string? retryAfter = null)
    {
        failureStatus = status;
        failureRetryAfter = retryAfter;
        Volatile.Write(ref failuresLeft, count);
    }

    /// <summary>
    /// The next <paramref name="count"/> valid requests are accepted (they are in <see cref="Received"/>) but
    /// their reply is lost as <paramref name="how"/> says.
    /// </summary>
    public void LoseRepliesNext(int count, LostReply how = LostReply.Hang)
    {
        lostReply = how;
        Volatile.Write(ref lostRepliesLeft, count);
    }

    /// <summary>Called with each accepted message before the 202 goes back (e.g. to cancel the sender's run).</summary>
    public Action<ReceivedMail>? OnAccepted { get; set; }

    public static async Task<SendGridStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var stub = new SendGridStub(app);
        app.MapPost("/v3/mail/send", (Delegate)stub.HandleAsync);
        await app.StartAsync();
        stub.Host = app.Urls.First();
        return stub;
    }

    /// <summary>Validates a body against the PostMailSend schema; returns the errors (empty when valid).</summary>
    public static IReadOnlyList<string> Validate(JsonElement body)
    {
        var result = Schema.Value.Evaluate(body, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid)
        {
            return [];
        }

        var errors = (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}"))
            .ToList();
        return errors.Count > 0 ? errors : ["body does not match PostMailSend"];
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        var now = Interlocked.Increment(ref inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
        {
        }

        try
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency);
            }

            if (context.Request.Headers.Authorization.ToString() != "Bearer " + ApiKey)
            {
                return Results.Json(new { errors = new[] { new { message = "The provided authorization grant is invalid, expired, or revoked", field = (string?)null } } }, statusCode: 401);
            }

            JsonElement body;
            try
            {
                body = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone();
            }
            catch (JsonException ex)
            {
                Violations.Enqueue("not JSON: " + ex.Message);
                return Results.Json(new { errors = new[] { new { message = "Bad Request", field = (string?)null } } }, statusCode: 400);
            }

            var errors = Validate(body);
            if (errors.Count > 0)
            {
                foreach (var e in errors)
                {
                    Violations.Enqueue(e);
                }

                return Results.Json(new { errors = errors.Select(e => new { message = e, field = (string?)null }) }, statusCode: 400);
            }

            if (Interlocked.Decrement(ref failuresLeft) >= 0)
            {
                if (failureRetryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = failureRetryAfter;
                }

                return Results.Json(new { errors = new[] { new { message = "injected failure", field = (string?)null } } }, statusCode: failureStatus);
            }

            Interlocked.Exchange(ref failuresLeft, 0);
            var id = Guid.NewGuid().ToString("N")[..22];
            var mail = new ReceivedMail(body, id);
            Received.Enqueue(mail);
            if (Interlocked.Decrement(ref lostRepliesLeft) >= 0)
            {
                await LoseReplyAsync(context);
                return Results.Empty;
            }

            Interlocked.Exchange(ref lostRepliesLeft, 0);
            OnAccepted?.Invoke(mail);
            context.Response.Headers["X-Message-Id"] = id;
            return Results.StatusCode(202);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    private async Task LoseReplyAsync(HttpContext context)
    {
        if (lostReply == LostReply.Abort)
        {
            context.Abort();
            return;
        }

        // Hangs until the client gives up (closing the connection) or the stub stops.
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
        }

        context.Abort();
    }

    private static JsonSchema LoadSchema()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Specs", "sendgrid-mail-v3.openapi.json");
        var openApi = JsonNode.Parse(File.ReadAllText(path))!;
        var schema = openApi["components"]!["requestBodies"]!["PostMailSend"]!["content"]!["application/json"]!["schema"]!.DeepClone().AsObject();
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        schema["$defs"] = openApi["components"]!["schemas"]!.DeepClone();

        // The OpenAPI document's component references, pointed at the same schemas under $defs.
        var text = schema.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        return JsonSchema.FromText(text);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        stopping.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
