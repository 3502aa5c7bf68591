using DanVan.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// Registration is composition: in namespace DanVan, beside AddDanVan, so registering a folder is no dependency of its code.
namespace DanVan;

public static class ReminderServiceCollectionExtensions
{
    /// <summary>Reminder settings and the service (the email queue, sender and ledger they use are registered by AddEmail).</summary>
    public static IServiceCollection AddReminders(this IServiceCollection services)
    {
        services.AddOptions<ReminderOptions>().BindConfiguration(ReminderOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReminderOptions>, ReminderOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ReminderOptions>>().Value.ToPlan());
        services.AddSingleton<ReminderDigest>();
        services.AddSingleton<ReminderService>();
        return services;
    }
}
