using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DanVan.Signatures;

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
