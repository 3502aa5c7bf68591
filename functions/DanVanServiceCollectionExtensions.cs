using Azure.Identity;
using DanVan.Audit;
using DanVan.Auth;
using DanVan.Configuration;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Reminders;
using DanVan.Storage;
using DanVan.Submissions;
using DanVan.Uploads;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DanVan;

public static class DanVanServiceCollectionExtensions
{
    /// <summary>The storage connection's name: a connection string locally, serviceUri + managed identity in Azure.</summary>
    public const string StorageConnection = "DanVanStorage";

    /// <summary>Everything DanVan needs, so Program.cs stays a few lines and tests build the same graph.</summary>
    public static IServiceCollection AddDanVan(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DanVanOptions>()
            .BindConfiguration(DanVanOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<PlanOptions>()
            .BindConfiguration(PlanOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PlanOptions>, PlanOptionsValidator>();

        services.AddAzureClients(clients =>
        {
            var section = configuration.GetSection(StorageConnection);
            if (string.IsNullOrEmpty(section.Value) && !section.GetChildren().Any())
            {
                throw new InvalidOperationException($"Setting '{StorageConnection}' is missing: a connection string locally, or {StorageConnection}__serviceUri/__tableServiceUri with {StorageConnection}__credential=managedidentity in Azure.");
            }

            clients.AddBlobServiceClient(section);
            clients.AddTableServiceClient(TableSection(section));
            clients.UseCredential(new DefaultAzureCredential());
            // Storage that does not answer is told to the person waiting within seconds (503 with Retry-After),
            // not after the SDK's default back-off (0.8 s doubling: ~6 s per call, several calls a request).
            clients.ConfigureDefaults(options =>
            {
                options.Retry.Mode = Azure.Core.RetryMode.Exponential;
                options.Retry.MaxRetries = 3;
                options.Retry.Delay = TimeSpan.FromMilliseconds(200);
                options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
            });
        });

        // The only clock the app reads, timers included; settable in Development only (AppClock).
        services.AddSingleton(AppClock.From(configuration));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PlanOptions>>().Value.ToPlan());
        services.AddSingleton<StorageNames>();
        services.AddSingleton<DanVanStore>();
        services.AddHostedService<StorageInitializer>();

        services.AddSingleton<UnitRegistry>();
        services.AddSingleton<CredentialStore>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<PeriodCatalog>();
        services.AddSingleton<SubmissionStore>();
        services.AddSingleton<StatusService>();
        services.AddUploads();
        services.AddCompilation();
        services.AddReminders();
        services.AddPages();
        return services;
    }

    /// <summary>
    /// The table client reads the same connection; in Azure its endpoint is <c>tableServiceUri</c>
    /// (the blob one is <c>serviceUri</c>), so expose it under the name the Tables client expects.
    /// </summary>
    private static IConfiguration TableSection(IConfigurationSection section)
    {
        if (!string.IsNullOrEmpty(section.Value) || section["tableServiceUri"] is not { } tableUri)
        {
            return section;
        }

        return new ConfigurationBuilder()
            .AddInMemoryCollection(section.AsEnumerable(makePathsRelative: true).Where(kv => kv.Value is not null)
                .Append(new KeyValuePair<string, string?>("serviceUri", tableUri)))
            .Build();
    }
}

/// <summary>Says exactly which plan setting is wrong, instead of a generic failure.</summary>
internal sealed class PlanOptionsValidator : IValidateOptions<PlanOptions>
{
    public ValidateOptionsResult Validate(string? name, PlanOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
