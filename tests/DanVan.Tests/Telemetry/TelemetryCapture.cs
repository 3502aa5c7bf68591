using System.Collections.Concurrent;
using System.Diagnostics;
using DanVan.Telemetry;
using DanVan.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;

namespace DanVan.Tests.Telemetry;

/// <summary>One of DanVan's events as an exporter received it: its name and its dimensions.</summary>
public sealed record CapturedEvent(string Name, IReadOnlyDictionary<string, object?> Dimensions)
{
    public string? this[string key] => Dimensions.TryGetValue(key, out var v) ? v switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => v?.ToString(),
    } : null;
}

/// <summary>
/// What the worker's OpenTelemetry pipeline would export, held in memory: DanVan's events (the log records the
/// Azure Monitor exporter turns into custom events, copied as they are exported) and every span (dependencies),
/// through OpenTelemetry's in-memory exporter. Added to a TestApp's services, beside <c>AddDanVan</c>'s own set-up.
/// </summary>
public sealed class TelemetryCapture
{
    private readonly ConcurrentQueue<CapturedEvent> events = new();
    private readonly List<Activity> spans = [];

    public IReadOnlyList<CapturedEvent> Events => events.ToArray();

    public IReadOnlyList<Activity> Spans
    {
        get
        {
            lock (spans)
            {
                return spans.ToList();
            }
        }
    }

    public IEnumerable<CapturedEvent> Named(string name) => Events.Where(e => e.Name == name);

    public void AddTo(IServiceCollection services)
    {
        services.ConfigureOpenTelemetryLoggerProvider(logs => logs.AddProcessor(new SimpleLogRecordExportProcessor(new EventExporter(events))));
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new LockedInMemoryExporter(spans))));
    }

    /// <summary>Starts the tracer provider (in the worker the host's hosted service does it).</summary>
    public static void Start(TestApp app) => app.Services.GetRequiredService<TracerProvider>();

    private sealed class EventExporter(ConcurrentQueue<CapturedEvent> into) : BaseExporter<LogRecord>
    {
        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            foreach (var record in batch)
            {
                var attributes = record.Attributes ?? [];
                if (attributes.FirstOrDefault(a => a.Key == DanVanTelemetry.EventNameAttribute).Value is string name)
                {
                    into.Enqueue(new CapturedEvent(name, attributes.Where(a => a.Key != DanVanTelemetry.EventNameAttribute).ToDictionary(a => a.Key, a => a.Value)));
                }
            }

            return ExportResult.Success;
        }
    }

    private sealed class LockedInMemoryExporter(List<Activity> into) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            lock (into)
            {
                foreach (var activity in batch)
                {
                    into.Add(activity);
                }
            }

            return ExportResult.Success;
        }
    }
}
