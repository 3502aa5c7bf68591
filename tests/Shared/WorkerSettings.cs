using System.Globalization;
using DanVan.TestHost;

namespace DanVan.Tests.Support;

/// <summary>
/// The app settings the end-to-end and browser suites start the real worker with, in one place:
/// local.settings.sample.json (so every setting the app requires is there), with the run's storage,
/// admin credential, the app's clock pinned to <see cref="SuiteClock.Now"/> (standing still) and the
/// sample plan tracked from <see cref="SamplePlan.FirstYear"/>; the admin credential is the break-glass token, and people
/// sign in through a <see cref="DevIdentity"/> when the suite starts one.
/// </summary>
public static class WorkerSettings
{
    /// <summary>
    /// An overdue reminder stage on every day up to this many days after a deadline: deadlines are at most
    /// 184 days apart, so at any instant the latest overdue period has a stage due (after-N, N days overdue).
    /// </summary>
    public const int OverdueStageDays = 200;

    /// <param name="identity">The local sign-in provider the worker accepts people's tokens from; without one, only the
    /// break-glass token (<paramref name="adminToken"/>) and units' credentials are accepted.</param>
    public static Dictionary<string, string> For(string storagePrefix, string adminToken, DevIdentity? identity = null)
    {
        var settings = DevelopmentHost.ReadValues(Path.Combine(Azurite.RepositoryRoot, "local.settings.sample.json"));
        settings["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
        settings["AzureWebJobsStorage"] = Azurite.ConnectionString;
        settings["DanVanStorage"] = Azurite.ConnectionString;
        settings["DanVan__AdminToken"] = adminToken;
        settings["DanVan__Auth__BreakGlass"] = "true"; // the suites' automation uses it; people sign in through identity
        settings["DanVan__Auth__Authority"] = "";
        foreach (var (name, value) in identity?.WorkerSettings ?? new Dictionary<string, string>())
        {
            settings[name] = value;
        }

        settings["DanVan__StoragePrefix"] = storagePrefix;
        settings[DanVan.Storage.StorageNames.EmailQueueSetting] = EmailQueue(storagePrefix);
        settings["DanVan__Clock__Now"] = SuiteClock.Setting;
        settings["DanVan__Clock__Rate"] = "0";
        settings["DanVan__Plan__FirstYear"] = SamplePlan.FirstYear(SuiteClock.Now).ToString(CultureInfo.InvariantCulture);
        settings["DanVan__Reminders__DaysAfter"] = string.Join(',', Enumerable.Range(1, OverdueStageDays));
        return settings;
    }

    /// <summary>The email queue under a storage prefix, as DanVan names it (the worker checks the setting against it at start).</summary>
    public static string EmailQueue(string storagePrefix) =>
        new DanVan.Storage.StorageNames(Microsoft.Extensions.Options.Options.Create(new DanVan.Configuration.DanVanOptions { StoragePrefix = storagePrefix })).EmailQueue;

    /// <summary>The first day of the first tracked year: a unit active from then is required in every period the suites see.</summary>
    public static string ActiveFrom => new DateOnly(SamplePlan.FirstYear(SuiteClock.Now), 1, 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
