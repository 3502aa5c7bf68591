using DanVan.Registry;

namespace DanVan.Tests.Support;

/// <summary>Units for tests, and the sample registries that ship with the app.</summary>
public static class Samples
{
    public static UnitRecord Unit(string code, string name, string? activeTo = null, string activeFrom = "2023-05-25", string group = "Sở, ban, ngành") =>
        new(code, name, group, [$"{code}@example.org"], $"thu-truong.{code}@example.org", activeFrom, activeTo);

    public static string SampleFile(string name) => Path.Combine(Azurite.RepositoryRoot, "functions", "SampleData", name);

    public static List<UnitRecord?> Load(string name) =>
        System.Text.Json.JsonSerializer.Deserialize<List<UnitRecord?>>(File.ReadAllText(SampleFile(name)), DanVan.Domain.Json.Options)!;
}
