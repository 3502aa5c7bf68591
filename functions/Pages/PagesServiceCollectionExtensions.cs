using DanVan.Pages;
using Microsoft.Extensions.DependencyInjection;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class PagesServiceCollectionExtensions
{
    public static IServiceCollection AddPages(this IServiceCollection services) =>
        services.AddSingleton<PageFiles>();
}
