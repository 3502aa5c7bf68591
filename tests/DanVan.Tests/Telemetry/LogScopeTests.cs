using System.Collections.Concurrent;
using DanVan.Auth;
using DanVan.Functions;
using DanVan.Tests.Reminders;
using DanVan.Tests.Support;
using DanVan.Tests.Uploads;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DanVan.Tests.Telemetry;

/// <summary>Log lines written while one unit's work is done carry the period and the unit as properties (a scope), not only in their text.</summary>
public sealed class LogScopeTests
{
    [Fact]
    public async Task The_lines_an_upload_writes_carry_its_period_and_unit_as_scope_properties()
    {
        var capture = new ScopeCapture();
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 10, 9, 0, 0, TimeSpan.FromHours(7)),
            services: s => s.AddLogging(l => l.AddProvider(capture)));
        await ReminderTestKit.SeedAsync(app, ReminderTestKit.Unit("so-noi-vu"));
        var token = (await app.Get<CredentialStore>().IssueAsync("so-noi-vu")).Token;

        var response = await TestHttp.InvokeAsync(UploadBed.Raw("%PDF-1.7 x"u8.ToArray(), "Báo cáo.pdf", token, contentType: "application/pdf"),
            r => app.Get<ReportsFunctions>().UploadReport(r, "2026-H1", CancellationToken.None));

        Assert.Equal(201, response.Status);
        var stored = Assert.Single(capture.Lines, l => l.Category == typeof(DanVan.Uploads.UploadVersions).FullName && l.Message.StartsWith("Stored ", StringComparison.Ordinal));
        Assert.Equal(("2026-H1", "so-noi-vu"), (stored.Scope.GetValueOrDefault("PeriodId"), stored.Scope.GetValueOrDefault("UnitCode")));
        var accepted = Assert.Single(capture.Lines, l => l.Category == DanVan.Telemetry.DanVanTelemetry.Category);
        Assert.Equal("so-noi-vu", accepted.Scope.GetValueOrDefault("UnitCode"));
    }

    private sealed record Line(string Category, string Message, Dictionary<string, object?> Scope);

    private sealed class ScopeCapture : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<Line> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ScopeCapture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner.scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new Dictionary<string, object?>();
                owner.scopes.ForEachScope((s, into) =>
                {
                    if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            into[key] = value;
                        }
                    }
                }, scope);
                owner.Lines.Enqueue(new Line(category, formatter(state, exception), scope));
            }
        }
    }
}
