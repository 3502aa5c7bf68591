using DanVan.Figures;
using Microsoft.Extensions.DependencyInjection;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class FiguresServiceCollectionExtensions
{
    public static IServiceCollection AddFigures(this IServiceCollection services)
    {
        services.AddSingleton<IndicatorStore>();
        services.AddSingleton<FigureStore>();
        services.AddSingleton<FiguresService>();
        return services;
    }
}
