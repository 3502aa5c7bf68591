using DanVan.Signatures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class SignaturesServiceCollectionExtensions
{
    public static IServiceCollection AddSignatures(this IServiceCollection services)
    {
        services.AddOptions<SignatureOptions>()
            .BindConfiguration(SignatureOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignatureOptions>, SignatureOptionsValidator>();
        services.AddSingleton<PdfSignatureVerifier>();
        services.AddSingleton<SignaturePolicyCheck>();
        return services;
    }
}
