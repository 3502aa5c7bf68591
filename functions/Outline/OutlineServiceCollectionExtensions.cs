using DanVan.Outline;
using Microsoft.Extensions.DependencyInjection;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class OutlineServiceCollectionExtensions
{
    public static IServiceCollection AddOutline(this IServiceCollection services)
    {
        services.AddSingleton<OutlineStore>();
        services.AddSingleton<OutlineService>();
        return services;
    }
}
