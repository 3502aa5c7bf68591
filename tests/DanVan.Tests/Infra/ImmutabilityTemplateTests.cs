using DanVan.Backup;
using DanVan.Configuration;
using DanVan.Storage;
using Microsoft.Extensions.Options;

namespace DanVan.Tests.Infra;

/// <summary>
/// Final records are write-once in Azure (Azurite enforces no immutability, so the template is what is checked): the final
/// bundles and the backups under a time-based version-level policy whose days are parameters the province sets, the reports
/// able to carry a policy per version, and the app told the same days.
/// </summary>
public sealed class ImmutabilityTemplateTests
{
    private static readonly Lazy<ArmTemplate> Lazy = new(ArmTemplate.Load);

    private static ArmTemplate Template => Lazy.Value;

    private static StorageNames Names => new(Options.Create(new DanVanOptions()));

    [Fact]
    public void Final_bundles_and_backups_are_write_once_for_days_the_province_sets_as_parameters()
    {
        var storage = Template.ModuleDeploying("Microsoft.Storage/storageAccounts");
        Assert.Equal("[parameters('finalRecordRetentionDays')]", storage.String($"properties.parameters.writeOnceDays.value.{Names.CompilationsContainer}"));
        Assert.Equal("[parameters('backupRetentionDays')]", storage.String($"properties.parameters.writeOnceDays.value.{Names.BackupsContainer}"));
        Assert.Equal(2, storage.Node("properties.parameters.writeOnceDays.value")!.AsObject().Count);

        var final = Template.Root["parameters"]!["finalRecordRetentionDays"]!;
        Assert.Equal("int", final["type"]!.GetValue<string>());
        Assert.Equal(146000, final["maxValue"]!.GetValue<int>()); // Azure's longest time-based retention
        Assert.True(final["defaultValue"]!.GetValue<int>() >= 1);
        var backups = Template.Root["parameters"]!["backupRetentionDays"]!;
        Assert.Equal("int", backups["type"]!.GetValue<string>());
    }

    [Fact]
    public void The_policy_is_a_version_level_default_on_each_write_once_container_without_protected_appends()
    {
        var policy = Template.Single("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies");
        Assert.Equal("[items(parameters('writeOnceDays'))[copyIndex()].value]", policy.String("properties.immutabilityPeriodSinceCreationInDays"));
        Assert.False(policy.Bool("properties.allowProtectedAppendWrites"));
        Assert.Contains("writeOnceDays", policy.String("copy.count"));

        // Version-level support on the containers (set at creation): the bundles, the backups, and the reports whose versions DanVan seals.
        var container = Template.Single("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Contains("versionImmutableContainers", container.String("properties.immutableStorageWithVersioning"));
        var storage = Template.ModuleDeploying("Microsoft.Storage/storageAccounts");
        Assert.Equal([Names.ReportsContainer, Names.CompilationsContainer, Names.BackupsContainer], storage.Strings("properties.parameters.versionImmutableContainers.value"));

        // Version-level immutability needs blob versioning on the account.
        Assert.True(Template.Single("Microsoft.Storage/storageAccounts/blobServices").Bool("properties.isVersioningEnabled"));
    }

    [Fact]
    public void The_app_keeps_backups_and_seals_final_report_versions_for_the_same_days_as_the_policies()
    {
        var settings = Template.AppSettings();

        Assert.Equal("[string(parameters('backupRetentionDays'))]", settings["DanVan__Backup__RetentionDays"]);
        Assert.Equal("[string(parameters('finalRecordRetentionDays'))]", settings["DanVan__Backup__FinalRecordDays"]);
        Assert.Equal("0 0 20 * * *", settings[BackupOptions.ScheduleSetting]); // 03:00 Vietnam time, after the compilation timer
    }
}
