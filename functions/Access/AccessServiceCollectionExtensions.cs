using DanVan.Access;
using DanVan.Email;
using DanVan.Registry;
using Microsoft.Extensions.DependencyInjection;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class AccessServiceCollectionExtensions
{
    /// <summary>Access links (composed by the email sender when sent) and registry imports from files.</summary>
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddSingleton<AccessLinks>();
        services.AddSingleton<IComposedWhenSent>(sp => sp.GetRequiredService<AccessLinks>());
        services.AddSingleton<IQueuedRequest>(sp => sp.GetRequiredService<AccessLinks>());
        services.AddSingleton<ResendLimiter>();
        services.AddSingleton<UnitImports>();
        return services;
    }
}
