using DanVan.Configuration;
using DanVan.Signatures;
using DanVan.Uploads;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class UploadsServiceCollectionExtensions
{
    public static IServiceCollection AddUploads(this IServiceCollection services)
    {
        services.AddSignatures();
        services.AddSingleton<UploadService>();
        services.AddSingleton<UploadVersions>();
        services.AddSingleton<ReportReader>();
        services.AddSingleton<OrphanSweeper>();

        // The worker's Kestrel refuses bodies over 30,000,000 bytes by default, before DanVan sees them, and
        // the host then answers a bare 500. Its limit follows DanVan's own, with room for multipart framing,
        // so an oversized upload reaches DanVan and is answered 413 file_too_large.
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<DanVanOptions>>((kestrel, danvan) =>
                kestrel.Limits.MaxRequestBodySize = danvan.Value.MaxUploadBytes + UploadService.MultipartAllowance);
        return services;
    }
}
