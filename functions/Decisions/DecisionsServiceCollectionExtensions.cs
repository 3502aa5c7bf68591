using DanVan.Decisions;
using Microsoft.Extensions.DependencyInjection;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class DecisionsServiceCollectionExtensions
{
    /// <summary>Sở Nội vụ's decisions: the store (which the status reads too), the service and its emails.</summary>
    public static IServiceCollection AddDecisions(this IServiceCollection services)
    {
        services.AddOptions<DecisionOptions>().BindConfiguration(DecisionOptions.Section);
        services.AddSingleton<DecisionStore>();
        services.AddSingleton<DecisionEmails>();
        services.AddSingleton<DecisionService>();
        return services;
    }
}
