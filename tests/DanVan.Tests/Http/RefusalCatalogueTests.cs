using System.Reflection;
using System.Text.RegularExpressions;
using DanVan.Domain;
using DanVan.Http;
using DanVan.Tests.Support;

namespace DanVan.Tests.Http;

/// <summary>
/// One refusal type, one catalogue: every code DanVan answers with is one entry of <see cref="RefusalCodes"/>, each
/// kind of refusal has exactly one HTTP status (<see cref="ProblemMiddleware.StatusOf(Refusal)"/>), and nothing
/// outside the catalogue makes a code of its own.
/// </summary>
public sealed partial class RefusalCatalogueTests
{
    private static readonly Assembly Product = typeof(DomainException).Assembly;

    private static IReadOnlyList<(string Name, RefusalCode Entry)> Catalogue() =>
        typeof(RefusalCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(RefusalCode))
            .Select(f => (f.Name, (RefusalCode)f.GetValue(null)!))
            .ToList();

    [Fact]
    public void Every_code_is_defined_once_in_snake_case_with_a_title()
    {
        var catalogue = Catalogue();

        var twice = catalogue.GroupBy(e => e.Entry.Code).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}").ToList();
        Assert.True(twice.Count == 0, "Codes defined more than once: " + string.Join("; ", twice));
        Assert.All(catalogue, e => Assert.Matches("^[a-z]+(_[a-z]+)*$", e.Entry.Code));
        Assert.All(catalogue, e => Assert.False(string.IsNullOrWhiteSpace(e.Entry.Title), e.Entry.Code));
        Assert.True(catalogue.Count > 50, $"only {catalogue.Count} entries found by reflection");
    }

    [Fact]
    public void Every_kind_has_its_own_status_and_so_every_code_exactly_one()
    {
        var statuses = Enum.GetValues<Refusal>().ToDictionary(k => k, ProblemMiddleware.StatusOf);

        Assert.Equal(statuses.Count, statuses.Values.Distinct().Count());
        Assert.All(statuses.Values, s => Assert.InRange(s, 400, 599));
        Assert.All(Catalogue(), e => Assert.Equal(statuses[e.Entry.Kind], ProblemMiddleware.StatusOf(e.Entry.Because(null))));
        Assert.Equal((401, 415, 422, 503), (statuses[Refusal.Unauthenticated], statuses[Refusal.UnsupportedType], statuses[Refusal.Unacceptable], statuses[Refusal.Unavailable]));
    }

    [Fact]
    public void The_statuses_the_contract_names_beside_a_code_are_the_catalogues()
    {
        var byCode = Catalogue().ToDictionary(e => e.Entry.Code, e => ProblemMiddleware.StatusOf(e.Entry.Kind));
        var openApi = File.ReadAllText(Path.Combine(Azurite.RepositoryRoot, "functions", "Pages", "openapi.json"));

        var named = StatusBesideCode().Matches(openApi).Select(m => (Status: int.Parse(m.Groups[1].Value), Code: m.Groups[2].Value))
            .Where(n => byCode.ContainsKey(n.Code)).ToList();

        Assert.True(named.Count >= 10, $"only {named.Count} status/code pairs found in openapi.json");
        Assert.All(named, n => Assert.True(byCode[n.Code] == n.Status, $"openapi.json says {n.Status} {n.Code}, the catalogue {byCode[n.Code]}"));
    }

    [Fact]
    public void No_code_is_made_outside_the_catalogue()
    {
        var elsewhere = Product.GetTypes().Where(t => t != typeof(RefusalCodes))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(f => f.FieldType == typeof(RefusalCode) && !f.Name.Contains("k__BackingField", StringComparison.Ordinal))
            .Select(f => $"{f.DeclaringType!.Name}.{f.Name}");
        Assert.Empty(elsewhere);

        var functions = Path.Combine(Azurite.RepositoryRoot, "functions");
        var made = Directory.EnumerateFiles(functions, "*.cs", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != "RefusalCodes.cs" && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(p => File.ReadLines(p).Select((line, i) => (Path: Path.GetRelativePath(functions, p), Line: i + 1, Text: line)))
            .Where(l => CodeMadeInline().IsMatch(l.Text))
            .Select(l => $"{l.Path}:{l.Line}");
        Assert.Empty(made);
    }

    /// <summary>"409 period_finalized" or "400 `invalid_parameter`" in a description.</summary>
    [GeneratedRegex(@"\b([45]\d\d):? `?([a-z]+(?:_[a-z]+)+)`?")]
    private static partial Regex StatusBesideCode();

    /// <summary>A refusal code written anywhere but the catalogue: <c>new RefusalCode(…)</c>, <c>new(Refusal.X, "…"</c>.</summary>
    [GeneratedRegex(@"new\s*(RefusalCode)?\s*\(\s*Refusal\.\w+\s*,|new\s+RefusalCode\s*\(")]
    private static partial Regex CodeMadeInline();
}
