using DanVan.Changes;
using DanVan.Decisions;
using DanVan.Figures;
using DanVan.Submissions;
using Microsoft.Extensions.DependencyInjection;

// In namespace DanVan so AddDanVan calls it without another using.
namespace DanVan;

public static class ChangesServiceCollectionExtensions
{
    /// <summary>The period changes index and the tables whose writes carry change tickets.</summary>
    public static IServiceCollection AddChanges(this IServiceCollection services)
    {
        services.AddSingleton<PeriodChangeStore>();
        services.AddSingleton<PeriodGate>();
        services.AddSingleton<PendingChanges>();
        services.AddSingleton<IChangeTickets>(sp => sp.GetRequiredService<SubmissionStore>());
        services.AddSingleton<IChangeTickets>(sp => sp.GetRequiredService<DecisionStore>());
        services.AddSingleton<IChangeTickets>(sp => sp.GetRequiredService<FigureStore>());
        return services;
    }
}
