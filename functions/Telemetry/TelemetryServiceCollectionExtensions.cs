using System.Diagnostics;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using DanVan.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

/// <summary>
/// The worker's telemetry, with OpenTelemetry: dependencies (the Azure SDK's own spans for Table, Blob and Queue
/// calls; HttpClient spans for SendGrid) and DanVan's events (<see cref="DanVanTelemetry"/>), exported to
/// Application Insights by the Azure Monitor exporter when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set.
/// Requests are the Functions host's (it records every invocation, with its result code); the worker's spans
/// join them through the trace context the host passes on (<c>UseFunctionsWorkerDefaults</c>). The host also
/// forwards every worker log line as a trace, so the worker exports only its events' category, not every log
/// line a second time. Without a connection string nothing is exported and nothing fails.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>With the identity (<c>Authorization=AAD</c>), as Application Insights with local auth off requires.</summary>
    public const string AuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public static IServiceCollection AddDanVanTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        // The Azure SDK emits its spans through ActivitySource only when asked (Azure.Core's documented switch).
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);

        services.AddSingleton<DanVanTelemetry>();
        services.AddLogging(logging => logging
            .AddFilter<OpenTelemetryLoggerProvider>(string.Empty, LogLevel.None)
            .AddFilter<OpenTelemetryLoggerProvider>(DanVanTelemetry.Category, LogLevel.Information));

        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing
                .AddSource("Azure.*")
                // A call the Azure SDK makes is already its span; HttpClient's own would count it twice.
                .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = _ => !WithinAzureSdkCall(Activity.Current)))
            .WithLogging();

        if (configuration[ConnectionStringSetting] is { Length: > 0 } connectionString)
        {
            var aad = configuration[AuthenticationSetting]?.Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase) == true;
            telemetry.UseAzureMonitorExporter(o =>
            {
                o.ConnectionString = connectionString;
                if (aad)
                {
                    o.Credential = new DefaultAzureCredential(); // AZURE_CLIENT_ID names the app's user-assigned identity
                }
            });
        }

        return services;
    }

    private static bool WithinAzureSdkCall(Activity? activity)
    {
        for (; activity is not null; activity = activity.Parent)
        {
            if (activity.Source.Name.StartsWith("Azure.", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
