using Azure.Identity;
using DanVan.Access;
using Azure.Storage.Queues;
using DanVan.Audit;
using DanVan.Auth;
using DanVan.Configuration;
using DanVan.Figures;
using DanVan.Outline;
using DanVan.Decisions;
using DanVan.Email;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Reminders;
using DanVan.Storage;
using DanVan.Submissions;
using DanVan.Telemetry;
using DanVan.Uploads;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DanVan;

public static class DanVanServiceCollectionExtensions
{
    /// <summary>
    /// The storage connection's name: a connection string locally; in Azure <c>serviceUri</c> (blobs),
    /// <c>tableServiceUri</c> and <c>queueServiceUri</c> with the managed identity. The email sender's queue
    /// trigger reads the same connection (<c>Connection = "DanVanStorage"</c>, <c>__queueServiceUri</c>).
    /// </summary>
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
        services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        // Every HTTP function has its role in Auth/RouteRoles.cs, or the app does not start.
        RouteRoles.CheckCovers(typeof(RouteRoles).Assembly);

        services.AddAzureClients(clients =>
        {
            var section = configuration.GetSection(StorageConnection);
            if (string.IsNullOrEmpty(section.Value) && !section.GetChildren().Any())
            {
                throw new InvalidOperationException($"Setting '{StorageConnection}' is missing: a connection string locally, or {StorageConnection}__serviceUri/__tableServiceUri/__queueServiceUri with {StorageConnection}__credential=managedidentity in Azure.");
            }

            clients.AddBlobServiceClient(section);
            clients.AddTableServiceClient(ServiceSection(section, "tableServiceUri"));
            // Base64, as the Functions queue extension reads messages by default (host.json extensions.queues.messageEncoding).
            clients.AddQueueServiceClient(ServiceSection(section, "queueServiceUri"))
                .ConfigureOptions(o => o.MessageEncoding = QueueMessageEncoding.Base64);
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
        services.AddSingleton<IValidateOptions<DanVanOptions>>(new EmailQueueSettingValidator(configuration));
        services.AddSingleton<DanVanStore>();
        services.AddHostedService<StorageInitializer>();

        services.AddSingleton<UnitRegistry>();
        services.AddSingleton<CredentialStore>();
        services.AddSingleton<StaffTokens>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<PeriodCatalog>();
        services.AddSingleton<PeriodTargets>();
        services.AddSingleton<SubmissionStore>();
        services.AddChanges();
        services.AddSingleton<StatusService>();
        services.AddEmail();
        services.AddUploads();
        services.AddCompilation();
        services.AddFigures();
        services.AddOutline();
        services.AddReminders();
        services.AddPages();
        services.AddAccess();
        services.AddDanVanTelemetry(configuration);
        services.AddDecisions();
        services.AddBackups();
        return services;
    }

    /// <summary>
    /// The table and queue clients read the same connection; in Azure their endpoints are <c>tableServiceUri</c>
    /// and <c>queueServiceUri</c> (the blob one is <c>serviceUri</c>), so expose the one named
    /// <paramref name="endpointKey"/> under the name the client expects.
    /// </summary>
    private static IConfiguration ServiceSection(IConfigurationSection section, string endpointKey)
    {
        if (!string.IsNullOrEmpty(section.Value) || section[endpointKey] is not { } endpoint)
        {
            return section;
        }

        return new ConfigurationBuilder()
            .AddInMemoryCollection(section.AsEnumerable(makePathsRelative: true).Where(kv => kv.Value is not null && kv.Key != "serviceUri")
                .Append(new KeyValuePair<string, string?>("serviceUri", endpoint)))
            .Build();
    }
}

/// <summary>
/// The queue trigger finds its queue through <c>EMAIL_QUEUE</c> (the Functions host resolves <c>%EMAIL_QUEUE%</c>);
/// DanVan enqueues to <see cref="StorageNames.EmailQueue"/>. A mismatch would leave every email unsent, so it stops
/// the app at start. Unset (in-process tests, where no host reads it) is not checked.
/// </summary>
internal sealed class EmailQueueSettingValidator(IConfiguration configuration) : IValidateOptions<DanVanOptions>
{
    public ValidateOptionsResult Validate(string? name, DanVanOptions options)
    {
        var expected = new StorageNames(Options.Create(options)).EmailQueue;
        return configuration[StorageNames.EmailQueueSetting] is { } given && given != expected
            ? ValidateOptionsResult.Fail($"{StorageNames.EmailQueueSetting} must be '{expected}' (the storage prefix, then 'emails'), the queue DanVan puts emails on; it is '{given}'.")
            : ValidateOptionsResult.Success;
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
