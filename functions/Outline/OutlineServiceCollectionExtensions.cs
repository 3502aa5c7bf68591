using Microsoft.Extensions.DependencyInjection;

namespace DanVan.Outline;

public static class OutlineServiceCollectionExtensions
{
    public static IServiceCollection AddOutline(this IServiceCollection services)
    {
        services.AddSingleton<OutlineStore>();
        services.AddSingleton<OutlineService>();
        return services;
    }
}
