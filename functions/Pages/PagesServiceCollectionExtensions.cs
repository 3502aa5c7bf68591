using DanVan.Pages;
using Microsoft.Extensions.DependencyInjection;

namespace DanVan;

public static class PagesServiceCollectionExtensions
{
    public static IServiceCollection AddPages(this IServiceCollection services) =>
        services.AddSingleton<PageFiles>();
}
