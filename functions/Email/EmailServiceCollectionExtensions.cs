using System.Net;
using DanVan.Email;
using DanVan.Reminders;
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
    /// ledger they keep at most once with. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddEmail(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Mailer)))
        {
            return services;
        }

        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();

        // One pooled connection handler for the app's lifetime; resolved only when a key is configured.
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
            return new SendGridClient(http, new SendGridClientOptions { ApiKey = email.SendGridApiKey, Host = email.SendGridHost.TrimEnd('/') });
        });
        services.AddSingleton<Mailer>();
        services.TryAddSingleton<ReminderLedger>();
        services.AddSingleton<EmailQueue>();
        services.AddSingleton<EmailSender>();
        services.AddSingleton<SendSlots>();
        services.AddSingleton<ReceiptEmails>();
        return services;
    }
}
