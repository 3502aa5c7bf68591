using System.Text.Json.Nodes;
using DanVan.Tests.Support;

namespace DanVan.Tests.Infra;

/// <summary>
/// The ARM JSON built from infra/main.bicep, with its nested module deployments walked: resources
/// come as an array (languageVersion 1.0) or as an object keyed by symbolic name (2.0).
/// </summary>
internal sealed class ArmTemplate(JsonObject root, string text)
{
    public JsonObject Root { get; } = root;

    public string Text { get; } = text;

    public static ArmTemplate Load()
    {
        var path = Path.Combine(Azurite.RepositoryRoot, "artifacts", "infra", "main.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: run scripts/check-infra (scripts/test does) to build infra/main.bicep first.");
        }

        var text = File.ReadAllText(path);
        return new ArmTemplate(JsonNode.Parse(text)!.AsObject(), text);
    }

    /// <summary>The main template and every nested module template.</summary>
    public IEnumerable<JsonObject> Templates() => TemplatesUnder(Root);

    /// <summary>Every resource this template creates (not the ones it only refers to as existing).</summary>
    public IEnumerable<Resource> All(string type) =>
        Templates().SelectMany(Resources).Where(r => r.String("type") == type && r.Node("existing") is null);

    public Resource Single(string type)
    {
        var found = All(type).ToList();
        Assert.True(found.Count == 1, $"Expected one {type} in the template, found {found.Count}.");
        return found[0];
    }

    /// <summary>The module deployment (in main) whose own template creates a resource of this type.</summary>
    public Resource ModuleDeploying(string type) =>
        Resources(Root).Single(r => r.String("type") == "Microsoft.Resources/deployments"
            && Resources(r.Node("properties.template")!.AsObject()).Any(inner => inner.String("type") == type && inner.Node("existing") is null));

    /// <summary>
    /// The function app's settings as main.bicep passes them to the function app module: literal
    /// names; values are literals or ARM expressions ("[...]").
    /// </summary>
    public Dictionary<string, string> AppSettings() =>
        AppSettingsNode().ToDictionary(s => s.Key, s => s.Value!.GetValue<string>(), StringComparer.Ordinal);

    public string AppSettingsText() => AppSettingsNode().ToJsonString();

    private JsonObject AppSettingsNode()
    {
        var config = Single("Microsoft.Web/sites/config");
        Assert.Equal("[parameters('appSettings')]", config.Node("properties")!.GetValue<string>());
        return ModuleDeploying("Microsoft.Web/sites").Node("properties.parameters.appSettings.value")!.AsObject();
    }

    private static IEnumerable<JsonObject> TemplatesUnder(JsonObject template)
    {
        yield return template;
        foreach (var module in Resources(template).Where(r => r.String("type") == "Microsoft.Resources/deployments"))
        {
            foreach (var nested in TemplatesUnder(module.Node("properties.template")!.AsObject()))
            {
                yield return nested;
            }
        }
    }

    private static IEnumerable<Resource> Resources(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.Select(r => new Resource(r!.AsObject())),
        JsonObject byName => byName.Select(r => new Resource(r.Value!.AsObject())),
        _ => [],
    };
}

/// <summary>One resource of the template, read by dotted paths such as "properties.minimumTlsVersion".</summary>
internal sealed class Resource(JsonObject json)
{
    public JsonNode? Node(string path)
    {
        JsonNode? node = json;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node;
    }

    public string String(string path) => Node(path)?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"{path} is not set.");

    public bool Bool(string path) => Node(path)?.GetValue<bool>() ?? throw new Xunit.Sdk.XunitException($"{path} is not set.");

    public List<string> Strings(string path) => Node(path)!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    public override string ToString() => json.ToJsonString();
}
