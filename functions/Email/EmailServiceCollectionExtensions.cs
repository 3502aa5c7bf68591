using DanVan.Email;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SendGrid;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class EmailServiceCollectionExtensions
{
    /// <summary>
    /// Email settings, the SendGrid client, the <see cref="Mailer"/>, the email queue and its sender, and the
    /// ledger they keep at most once with. Called once, by the app's registration.
    /// </summary>
    public static IServiceCollection AddEmail(this IServiceCollection services)
    {
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateOnStart();
        services.AddOptions<SendSlotOptions>().BindConfiguration(SendSlotOptions.Section);
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();

        // One pooled connection handler for the app's lifetime. Without a key (every email to the outbox) the client
        // carries no credential and is never called.
        services.TryAddSingleton<ISendGridClient>(sp =>
        {
            var email = sp.GetRequiredService<IOptions<EmailOptions>>().Value;
            var http = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = DecompressionMethods.All,
            })
            {
                // The Mailer bounds each call itself (EmailOptions.AttemptTimeout), so it can tell a call
                // that timed out (outcome unknown) from one that could not connect (safe to retry).
                Timeout = Timeout.InfiniteTimeSpan,
            };
            var client = new SendGridClientOptions { Host = email.SendGridHost.TrimEnd('/') };
            if (!email.UsesOutbox)
            {
                client.ApiKey = email.SendGridApiKey;
            }

            return new SendGridClient(http, client);
        });
        services.AddSingleton<Mailer>();
        services.AddSingleton<EmailLedger>();
        services.AddSingleton<EmailQueue>();
        services.AddSingleton<EmailSender>();
        services.AddSingleton<SendSlots>();
        services.AddSingleton<ReceiptEmails>();
        return services;
    }
}
