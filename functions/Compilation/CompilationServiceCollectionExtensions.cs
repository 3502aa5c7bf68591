using DanVan.Compilation;
using Microsoft.Extensions.DependencyInjection;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class CompilationServiceCollectionExtensions
{
    /// <summary>The compiler shared by the timer, the admin route and finalize.</summary>
    public static IServiceCollection AddCompilation(this IServiceCollection services)
    {
        services.AddOptions<CompilationOptions>()
            .BindConfiguration(CompilationOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<CompilationStore>();
        services.AddSingleton<PeriodCounts>();
        services.AddSingleton<Compiler>();
        services.AddSingleton<ReportReadings>();
        return services;
    }
}
