using System.Reflection;
using System.Text.Json;
using DanVan.Auth;
using DanVan.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Tests.Integration;

/// <summary>The one table of who may call which route (functions/Auth/RouteRoles.cs) against the function metadata and openapi.json.</summary>
public sealed class RouteRolesTests
{
    [Fact]
    public void Every_http_function_in_the_built_metadata_has_a_rule_and_every_rule_names_one()
    {
        var built = BuiltHttpFunctions();

        var missing = built.Where(f => !RouteRoles.Table.ContainsKey(f)).ToList();
        var stale = RouteRoles.Table.Keys.Where(k => !built.Contains(k)).ToList();

        Assert.True(missing.Count == 0, "No rule in Auth/RouteRoles.cs: " + string.Join(", ", missing));
        Assert.True(stale.Count == 0, "A rule for no function: " + string.Join(", ", stale));
        Assert.Equal(built.Order(), RouteRoles.HttpRoutes(typeof(RouteRoles).Assembly).Select(r => r.Function).Order());
    }

    [Fact]
    public void An_http_function_without_a_rule_stops_the_app_at_start_naming_it()
    {
        RouteRoles.CheckCovers(typeof(RouteRoles).Assembly);

        var refused = Assert.Throws<InvalidOperationException>(() => RouteRoles.CheckCovers(typeof(RouteRolesTests).Assembly));

        Assert.Contains($"Missing: [{nameof(UndeclaredFunctions.Undeclared)}]", refused.Message);
    }

    [Fact]
    public void Each_role_includes_the_powers_of_those_before_it_and_staff_only_routes_refuse_units()
    {
        Assert.Equal([StaffRole.Officer, StaffRole.Viewer], StaffRoles.UpTo(StaffRole.Officer));
        Assert.True(Caller.Person("s", "Nguyễn Thị Bình", StaffRole.Leader).Has(StaffRole.Officer));
        Assert.False(Caller.Person("s", "Lê Thị Dung", StaffRole.Viewer).Has(StaffRole.Officer));
        Assert.True(Caller.BreakGlass.Has(StaffRole.Administrator));
        Assert.False(Caller.ForUnit("so-y-te").Has(StaffRole.None));
        Assert.Null(StaffRoles.Parse("2"));
        Assert.Null(StaffRoles.Parse("None"));
        Assert.Equal(StaffRole.Leader, StaffRoles.Parse("leader"));
    }

    [Fact]
    public void A_persons_actor_carries_name_role_and_subject_and_is_read_back()
    {
        var actor = Caller.Person("dev-nguyen-thi-binh", "Nguyễn Thị Bình", StaffRole.Officer).Actor;

        Assert.Equal("Nguyễn Thị Bình, chuyên viên <dev-nguyen-thi-binh>", actor);
        Assert.Equal("dev-nguyen-thi-binh", Actors.IdOf(actor));
        Assert.Equal("Nguyễn Thị Bình, chuyên viên", Actors.Display(actor));
        Assert.Equal("break-glass", Caller.BreakGlass.Actor);
        Assert.Equal("unit:so-y-te", Actors.IdOf(Caller.ForUnit("so-y-te").Actor));
    }

    [Fact]
    public void Openapi_shows_each_operations_role_and_units_as_the_table_says()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Azurite.RepositoryRoot, "functions", "Pages", "openapi.json")));
        var seen = new List<string>();
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var function = operation.Value.GetProperty("operationId").GetString()!;
                var rule = RouteRoles.Table[function];
                seen.Add(function);
                if (rule.Anonymous)
                {
                    Assert.Equal(0, operation.Value.GetProperty("security").GetArrayLength());
                    Assert.False(operation.Value.TryGetProperty("x-danvan-role", out _), function);
                    continue;
                }

                Assert.Equal((rule.Role.ToString(), rule.Units.ToString().ToLowerInvariant()), (operation.Value.GetProperty("x-danvan-role").GetString(), operation.Value.GetProperty("x-danvan-units").GetString()));
                Assert.Equal("#/components/responses/Forbidden", operation.Value.GetProperty("responses").GetProperty("403").GetProperty("$ref").GetString());
            }
        }

        Assert.Equal(RouteRoles.Table.Keys.Order(), seen.Order());
    }

    [Theory]
    [InlineData("", "", "", false, "nobody at Sở Nội vụ could sign in")]
    [InlineData("http://login.example.org/tenant", "danvan", "api://danvan", true, "https URL")]
    [InlineData("https://login.example.org/tenant", "", "api://danvan", true, "ClientId is required")]
    [InlineData("https://login.example.org/tenant", "danvan", "", false, "Audience is required")]
    public void Sign_in_settings_that_cannot_work_stop_the_app_with_the_setting_named(string authority, string clientId, string audience, bool breakGlass, string expected)
    {
        var options = new AuthOptions { Authority = authority, ClientId = clientId, Audience = audience, BreakGlass = breakGlass };

        Assert.Contains(options.Problems(), p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Good_sign_in_settings_and_a_group_map_with_a_wrong_role_are_told_apart()
    {
        var good = new AuthOptions { Authority = "http://127.0.0.1:7080", ClientId = "danvan-dashboard", Audience = "api://danvan-local" };
        var badGroup = new AuthOptions { Authority = "https://login.example.org/t/v2.0", ClientId = "c", Audience = "a", GroupRoles = { ["g-1"] = "Officer", ["g-2"] = "Boss" } };

        Assert.Empty(good.Problems());
        Assert.Equal(["DanVan__Auth__GroupRoles__g-2 must be Viewer, Officer, Leader or Administrator; it is 'Boss'."], badGroup.Problems());
    }

    private static HashSet<string> BuiltHttpFunctions()
    {
        var configuration = typeof(RouteRolesTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var path = Path.Combine(Azurite.RepositoryRoot, "functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build functions/ first (scripts/test does).");
        using var metadata = JsonDocument.Parse(File.ReadAllText(path));
        var names = metadata.RootElement.EnumerateArray()
            .Where(f => f.GetProperty("bindings").EnumerateArray().Any(b => b.GetProperty("type").GetString() == "httpTrigger"))
            .Select(f => f.GetProperty("name").GetString()!)
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(names);
        return names;
    }
}

/// <summary>An HTTP function the table does not know: what a new route without a rule looks like to the start-up check.</summary>
public sealed class UndeclaredFunctions
{
    [Function(nameof(Undeclared))]
    public string Undeclared([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "undeclared")] HttpRequest request) => "";
}
