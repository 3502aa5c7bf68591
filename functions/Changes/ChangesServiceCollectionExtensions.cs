using DanVan.Changes;
using DanVan.Decisions;
using DanVan.Figures;
using DanVan.Submissions;
using Microsoft.Extensions.DependencyInjection;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class ChangesServiceCollectionExtensions
{
    /// <summary>The period changes index and the tables whose writes carry change tickets.</summary>
    public static IServiceCollection AddChanges(this IServiceCollection services)
    {
        services.AddSingleton<PeriodChangeStore>();
        services.AddSingleton<UnitPeriodCache>();
        services.AddSingleton<BlobWriteNotes>();
        services.AddSingleton<PeriodGate>();
        services.AddSingleton<PendingChanges>();
        services.AddSingleton<IChangeTickets>(sp => sp.GetRequiredService<SubmissionStore>());
        services.AddSingleton<IChangeTickets>(sp => sp.GetRequiredService<DecisionStore>());
        services.AddSingleton<IChangeTickets>(sp => sp.GetRequiredService<FigureStore>());
        // The tables finalization fences, unit by unit (PeriodCatalog.MarkFinalizedAsync).
        services.AddSingleton<IFencedTable>(sp => sp.GetRequiredService<SubmissionStore>());
        services.AddSingleton<IFencedTable>(sp => sp.GetRequiredService<DecisionStore>());
        services.AddSingleton<IFencedTable>(sp => sp.GetRequiredService<FigureStore>());
        return services;
    }
}
