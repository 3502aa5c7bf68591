using DanVan.Backup;
using Microsoft.Extensions.DependencyInjection;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class BackupServiceCollectionExtensions
{
    /// <summary>Backups of every table (nightly, before a finalization, on demand) and their restore.</summary>
    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddOptions<BackupOptions>()
            .BindConfiguration(BackupOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<BackupService>();
        services.AddSingleton<RestoreReconciler>();
        services.AddSingleton<RestoreService>();
        services.AddSingleton<FinalRecords>();
        return services;
    }
}
