using System.Collections;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DanVan.Telemetry;

/// <summary>
/// DanVan's own operational events, with stable names (<see cref="Events"/>) and stable dimensions, for the people
/// who keep it running: uploads accepted or refused (with the problem code), emails sent or failed (with the kind
/// and the reminder stage), compilations made or skipped, timer runs with their duration, emails in the poison queue.
/// Each is one structured log record in the category <see cref="Category"/> carrying
/// <c>microsoft.custom_event.name</c>, which the Azure Monitor exporter turns into an Application Insights custom
/// event (table <c>customEvents</c>, dimensions in <c>customDimensions</c>); everywhere else it is an ordinary log
/// line. Services call it with plain values; nothing here is ever a credential, an address or an email's text.
/// </summary>
public sealed class DanVanTelemetry(ILoggerFactory loggers)
{
    /// <summary>The log category of the events: the only category the worker exports itself (see <see cref="TelemetryServiceCollectionExtensions"/>).</summary>
    public const string Category = "DanVan.Events";

    /// <summary>The attribute the Azure Monitor exporter reads as a custom event's name.</summary>
    public const string EventNameAttribute = "microsoft.custom_event.name";

    /// <summary>The events' names: part of the operations contract (README, alerts in infra/modules/alerts.bicep).</summary>
    public static class Events
    {
        public const string UploadAccepted = "UploadAccepted";
        public const string UploadRefused = "UploadRefused";
        public const string EmailSent = "EmailSent";
        public const string EmailFailed = "EmailFailed";
        public const string EmailUnknown = "EmailUnknown";
        public const string CompilationMade = "CompilationMade";
        public const string CompilationSkipped = "CompilationSkipped";
        public const string TimerRun = "TimerRun";
        public const string EmailsPoisoned = "EmailsPoisoned";
    }

    private readonly ILogger events = loggers.CreateLogger(Category);

    /// <summary>
    /// A receipt given: <c>created</c> false for a replay or a byte-identical re-upload (nothing new stored);
    /// <c>conflicts</c>, how many of its version transactions storage refused on an ETag (another upload of the same unit
    /// moved its head), and <c>retries</c>, how many transactions it sent after the first: the upload path's contention
    /// counters, summed over a rush by <c>summarize sum(toint(customDimensions.conflicts))</c>.
    /// </summary>
    public void UploadAccepted(string periodId, string unitCode, int version, long sizeBytes, bool onTime, bool created, int conflicts = 0, int retries = 0) => Emit(Events.UploadAccepted,
        ("periodId", periodId), ("unitCode", unitCode), ("version", version),
        ("sizeBytes", sizeBytes), ("onTime", onTime), ("created", created), ("conflicts", conflicts), ("retries", retries));

    /// <summary>An upload answered with a problem: its stable <c>code</c> and status; the unit once the caller's credential decided it (or <c>?unit=</c> named it).</summary>
    public void UploadRefused(string? periodId, string? unitCode, string code, int status) => Emit(Events.UploadRefused,
        ("periodId", periodId), ("unitCode", unitCode), ("code", code), ("status", status));

    /// <summary>
    /// A request answered with a problem (by the problem middleware): for the upload function an
    /// <see cref="Events.UploadRefused"/> event; other refusals are in the host's requests already.
    /// </summary>
    public void Refused(FunctionContext context, string code, int status)
    {
        if (context.FunctionDefinition.Name == UploadFunction)
        {
            var data = context.BindingContext.BindingData;
            var unit = context.GetHttpContext()?.Items[UploadUnitItem] as string ?? Text(data, "unit");
            UploadRefused(Text(data, "periodId"), unit, code, status);
        }
    }

    /// <summary>
    /// The scope of an upload once its unit and period are decided (<see cref="UnitScope"/>); the unit is also kept
    /// on the request, so a refusal after this point names it in <see cref="Events.UploadRefused"/>.
    /// </summary>
    public IDisposable? UploadScope(Microsoft.AspNetCore.Http.HttpContext http, string periodId, string unitCode)
    {
        http.Items[UploadUnitItem] = unitCode;
        return UnitScope(periodId, unitCode);
    }

    /// <summary>
    /// What became of one queued email (<c>kind</c>: receipt, reminder, digest; <c>stage</c> for reminders and digests;
    /// <paramref name="result"/>: <c>sent</c>, <c>failed</c>, anything else is unknown).
    /// </summary>
    public void EmailOutcome(string kind, string periodId, string? unitCode, string? stage, string result, int attempts) => Emit(
        result switch
        {
            "sent" => Events.EmailSent,
            "failed" => Events.EmailFailed,
            _ => Events.EmailUnknown,
        },
        ("kind", kind), ("periodId", periodId), ("unitCode", unitCode), ("stage", stage), ("attempts", attempts));

    /// <summary>A compilation stored (<c>made</c>) or not needed because its inputs had not changed (<c>skipped</c>).</summary>
    public void Compilation(string periodId, bool made, int version, string actor) => Emit(
        made ? Events.CompilationMade : Events.CompilationSkipped,
        ("periodId", periodId), ("version", version), ("actor", actor));

    /// <summary>One run of a timer function, <c>succeeded</c> or <c>failed</c>, and how long it took.</summary>
    public void TimerRun(string timer, bool succeeded, TimeSpan duration) => Emit(Events.TimerRun,
        ("timer", timer), ("outcome", succeeded ? "succeeded" : "failed"), ("durationMs", (long)duration.TotalMilliseconds));

    /// <summary>How many emails are in the poison queue now (the alert fires while it is above zero).</summary>
    public void EmailsPoisoned(int count) => Emit(Events.EmailsPoisoned, ("count", count));

    /// <summary>
    /// A scope for every log line written while one unit's work for one period is done (an upload, a reminder,
    /// an email): the lines carry <c>PeriodId</c> and <c>UnitCode</c> as properties, not only in their text.
    /// (Scopes belong to the logger factory, so every logger's lines carry it, not only the events'.)
    /// </summary>
    public IDisposable? UnitScope(string? periodId, string? unitCode) =>
        events.BeginScope(new Dictionary<string, object?> { ["PeriodId"] = periodId, ["UnitCode"] = unitCode });

    /// <summary>The upload function's name (<c>ReportsFunctions.UploadReport</c>; a test holds the two together).</summary>
    public const string UploadFunction = "UploadReport";

    private const string UploadUnitItem = "DanVan.UploadUnit";

    /// <summary>A binding value (route or query) when it is a short plain code; never free text from a request.</summary>
    internal static string? Text(IReadOnlyDictionary<string, object?> data, string name) =>
        data.TryGetValue(name, out var value) && value?.ToString() is { Length: > 0 and <= 64 } text && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? text
            : null;

    private void Emit(string name, params (string Key, object? Value)[] dimensions) =>
        events.Log(LogLevel.Information, new EventId(1, name), new EventState(name, dimensions), null, static (s, _) => s.ToString());

    /// <summary>The log state: name and dimensions as attributes (what exporters read), and a readable line.</summary>
    private sealed class EventState(string name, (string Key, object? Value)[] dimensions) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] attributes =
        [
            new(EventNameAttribute, name),
            .. dimensions.Where(d => d.Value is not null and not "").Select(d => new KeyValuePair<string, object?>(d.Key, d.Value)),
        ];

        public int Count => attributes.Length;

        public KeyValuePair<string, object?> this[int index] => attributes[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)attributes).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() =>
            $"{name} " + string.Join(' ', attributes.Skip(1).Select(a => $"{a.Key}={Format(a.Value)}"));

        private static string? Format(object? value) => value switch
        {
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value?.ToString(),
        };
    }
}
