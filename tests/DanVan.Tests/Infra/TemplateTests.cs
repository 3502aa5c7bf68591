using System.Reflection;
using System.Text.RegularExpressions;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DanVan.Tests.Infra;

/// <summary>
/// Reads the ARM JSON that scripts/check-infra builds from infra/main.bicep and checks what an
/// operator relies on: identity-only storage, recoverable reports, Key Vault references for the
/// secrets, no secret in parameters or outputs, and every setting the code reads.
/// </summary>
public sealed class TemplateTests
{
    private static readonly Lazy<ArmTemplate> Lazy = new(ArmTemplate.Load);

    private static ArmTemplate Template => Lazy.Value;

    [Fact]
    public void The_storage_account_accepts_only_identities_over_TLS_1_2_and_has_no_public_blobs()
    {
        var storage = Template.Single("Microsoft.Storage/storageAccounts");

        Assert.False(storage.Bool("properties.allowSharedKeyAccess"));
        Assert.Equal("TLS1_2", storage.String("properties.minimumTlsVersion"));
        Assert.False(storage.Bool("properties.allowBlobPublicAccess"));
        Assert.True(storage.Bool("properties.supportsHttpsTrafficOnly"));
        Assert.DoesNotContain("AccountKey", Template.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listKeys", Template.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_deleted_or_overwritten_report_is_recoverable_through_versioning_and_soft_delete()
    {
        var blobs = Template.Single("Microsoft.Storage/storageAccounts/blobServices");

        Assert.True(blobs.Bool("properties.isVersioningEnabled"));
        Assert.True(blobs.Bool("properties.deleteRetentionPolicy.enabled"));
        Assert.True(blobs.Bool("properties.containerDeleteRetentionPolicy.enabled"));
    }

    [Fact]
    public void The_template_declares_every_table_and_container_DanVan_uses()
    {
        var names = new StorageNames(Options.Create(new DanVanOptions()));
        var storageModule = Template.ModuleDeploying("Microsoft.Storage/storageAccounts");

        var containers = storageModule.Strings("properties.parameters.containers.value");
        var tables = storageModule.Strings("properties.parameters.tables.value");

        Assert.All(names.Containers, c => Assert.Contains(c, containers));
        Assert.All(names.Tables, t => Assert.Contains(t, tables));
    }

    [Fact]
    public void The_function_app_runs_dotnet_isolated_10_on_Flex_Consumption_as_its_user_assigned_identity()
    {
        var plan = Template.Single("Microsoft.Web/serverfarms");
        var site = Template.Single("Microsoft.Web/sites");

        Assert.Equal("FC1", plan.String("sku.name"));
        Assert.Equal("FlexConsumption", plan.String("sku.tier"));
        Assert.Equal("UserAssigned", site.String("identity.type"));
        Assert.NotNull(site.Node("properties.keyVaultReferenceIdentity"));
        Assert.True(site.Bool("properties.httpsOnly"));
        Assert.Equal("dotnet-isolated", site.String("properties.functionAppConfig.runtime.name"));
        Assert.Equal("10.0", site.String("properties.functionAppConfig.runtime.version"));
        Assert.Equal("UserAssignedIdentity", site.String("properties.functionAppConfig.deployment.storage.authentication.type"));
    }

    [Fact]
    public void Key_Vault_uses_RBAC_and_purge_protection()
    {
        var vault = Template.Single("Microsoft.KeyVault/vaults");

        Assert.True(vault.Bool("properties.enableRbacAuthorization"));
        Assert.True(vault.Bool("properties.enablePurgeProtection"));
        Assert.True(vault.Bool("properties.enableSoftDelete"));
    }

    [Fact]
    public void Storage_is_reached_with_the_managed_identity_and_secrets_through_Key_Vault_references()
    {
        var settings = Template.AppSettings();

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("managedidentity", settings["DanVanStorage__credential"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain("DanVanStorage", settings.Keys);
        Assert.Contains("@Microsoft.KeyVault(SecretUri=", settings["DanVan__AdminToken"]);
        Assert.Contains("@Microsoft.KeyVault(SecretUri=", settings["DanVan__Email__SendGridApiKey"]);
    }

    [Fact]
    public void No_secret_value_has_a_default_appears_in_app_settings_or_leaves_as_an_output()
    {
        foreach (var template in Template.Templates())
        {
            var parameters = template["parameters"]?.AsObject() ?? [];
            var secure = parameters.Where(p => p.Value!["type"]!.GetValue<string>() == "securestring").Select(p => p.Key).ToList();

            foreach (var (name, parameter) in parameters)
            {
                if (Regex.IsMatch(name, "token|secret|password|apikey", RegexOptions.IgnoreCase))
                {
                    Assert.True(secure.Contains(name), $"Parameter '{name}' looks like a secret but is not @secure().");
                }

                if (secure.Contains(name) && parameter!["defaultValue"] is { } defaultValue)
                {
                    Assert.True(defaultValue.GetValue<string>() == "", $"Secure parameter '{name}' has a non-empty default value.");
                }
            }

            // A secure parameter may be tested for emptiness, never copied into a setting or an output.
            var exposed = template["outputs"]?.ToJsonString() + Template.AppSettingsText();
            foreach (var name in secure)
            {
                var uses = Regex.Replace(exposed, $@"empty\(parameters\('{name}'\)\)", "");
                Assert.DoesNotContain($"parameters('{name}')", uses);
            }
        }

        foreach (var (name, _) in Template.Root["outputs"]!.AsObject())
        {
            Assert.False(Regex.IsMatch(name, "token|secret|password|apikey|connection", RegexOptions.IgnoreCase), $"Output '{name}' looks like a secret.");
        }
    }

    [Fact]
    public void Every_role_assignment_is_named_by_guid_of_scope_principal_and_role_and_the_identity_gets_the_roles_it_needs()
    {
        var assignments = Template.All("Microsoft.Authorization/roleAssignments").ToList();
        var roles = Template.ModuleDeploying("Microsoft.Authorization/roleAssignments").Node("properties.template")!.ToJsonString();

        Assert.NotEmpty(assignments);
        Assert.All(assignments, a =>
        {
            var name = a.String("name");
            Assert.StartsWith("[guid(", name);
            Assert.Contains("roleDefinitions", name);
            Assert.Contains("PrincipalId", name, StringComparison.OrdinalIgnoreCase);
        });
        string[] required =
        [
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner
            "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
            "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
            "4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User
        ];
        Assert.All(required, id => Assert.Contains(id, roles));
    }

    [Fact]
    public void Staff_sign_in_comes_from_the_authority_client_and_audience_parameters_and_break_glass_is_off_unless_asked_for()
    {
        var parameters = Template.Root["parameters"]!.AsObject();
        var settings = Template.AppSettings();

        foreach (var (parameter, setting) in new[] { ("authAuthority", "DanVan__Auth__Authority"), ("authClientId", "DanVan__Auth__ClientId"), ("authAudience", "DanVan__Auth__Audience") })
        {
            Assert.Null(parameters[parameter]!["defaultValue"]); // azd asks for them: no deployment without a sign-in provider
            Assert.Equal(1, parameters[parameter]!["minLength"]!.GetValue<int>());
            Assert.Equal($"[parameters('{parameter}')]", settings[setting]);
        }

        Assert.Equal("bool", parameters["breakGlass"]!["type"]!.GetValue<string>());
        Assert.False(parameters["breakGlass"]!["defaultValue"]!.GetValue<bool>());
        Assert.Equal("[if(parameters('breakGlass'), 'true', 'false')]", settings["DanVan__Auth__BreakGlass"]);
        Assert.Equal("roles", parameters["authRolesClaim"]!["defaultValue"]!.GetValue<string>());
    }

    [Fact]
    public void Every_app_setting_the_code_reads_is_set_by_the_template()
    {
        var settings = Template.AppSettings();

        var missing = CodeSettings.Required(settings.Keys).Where(name => !settings.ContainsKey(name)).ToList();

        Assert.True(missing.Count == 0, "Settings the code reads but infra/main.bicep does not set: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_plan_in_the_template_is_valid_and_is_the_default_plan()
    {
        var literal = Template.AppSettings().Where(s => !s.Value.StartsWith('[')).Select(s => KeyValuePair.Create(s.Key.Replace("__", ":"), (string?)s.Value));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(literal).Build();

        var plan = configuration.GetSection(PlanOptions.Section).Get<PlanOptions>()!;

        Assert.Empty(plan.Problems());
        Assert.Equal(ReportingPlan.Default().Reports, plan.ToPlan().Reports);
        Assert.Equal(ReportingPlan.Default().Rule, plan.ToPlan().Rule);
    }
}

/// <summary>The setting names the functions assembly reads, found by reflection so new options classes are covered.</summary>
internal static class CodeSettings
{
    /// <summary>Read by tests only: production keeps the default (no prefix).</summary>
    private static readonly HashSet<string> TestOnly = ["DanVan__StoragePrefix"];

    public static IEnumerable<string> Required(IEnumerable<string> templateKeys)
    {
        var keys = templateKeys.ToHashSet(StringComparer.Ordinal);
        var assembly = typeof(DanVanOptions).Assembly;
        var names = new SortedSet<string>(StringComparer.Ordinal)
        {
            "REMINDER_SCHEDULE",
            "COMPILATION_SCHEDULE",
            DanVanServiceCollectionExtensions.StorageConnection + "__serviceUri",
            DanVanServiceCollectionExtensions.StorageConnection + "__tableServiceUri",
            DanVanServiceCollectionExtensions.StorageConnection + "__queueServiceUri",
            DanVanServiceCollectionExtensions.StorageConnection + "__credential",
            DanVanServiceCollectionExtensions.StorageConnection + "__clientId",
        };

        foreach (var type in assembly.GetTypes())
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && field.GetRawConstantValue() is string section)
            {
                AddProperties(type, section.Replace(":", "__"), keys, names);
            }

            foreach (var setting in TriggerSettings(type))
            {
                names.Add(setting);
            }
        }

        return names.Where(n => !TestOnly.Contains(n));
    }

    private static void AddProperties(Type type, string prefix, HashSet<string> keys, SortedSet<string> names)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var name = $"{prefix}__{property.Name}";
            var itemType = ItemType(property.PropertyType);
            if (IsSimple(property.PropertyType) || (itemType is not null && IsSimple(itemType)))
            {
                names.Add(name);
            }
            else if (itemType is not null)
            {
                // A list of objects is set by index (e.g. DanVan__Plan__Reports__0__Code): every index the template uses must be complete.
                var count = 0;
                while (count == 0 || keys.Any(k => k.StartsWith($"{name}__{count}__", StringComparison.Ordinal)))
                {
                    AddProperties(itemType, $"{name}__{count}", keys, names);
                    count++;
                }
            }
            else
            {
                AddProperties(property.PropertyType, name, keys, names);
            }
        }
    }

    /// <summary>The <c>%Setting%</c> names triggers read: timer schedules and queue names.</summary>
    private static IEnumerable<string> TriggerSettings(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .SelectMany(m => m.GetParameters())
            .Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()?.Schedule ?? p.GetCustomAttribute<QueueTriggerAttribute>()?.QueueName)
            .OfType<string>()
            .Select(s => Regex.Match(s, "^%(.+)%$"))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value);

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(Uri) || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(DateTimeOffset);
    }

    private static Type? ItemType(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ?.GetGenericArguments()[0];
    }
}
