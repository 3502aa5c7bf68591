using Microsoft.Extensions.DependencyInjection;

namespace DanVan.Figures;

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
