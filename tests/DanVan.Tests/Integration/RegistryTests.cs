using DanVan.Functions;
using DanVan.Registry;
using DanVan.Tests.Support;

namespace DanVan.Tests.Integration;

public class RegistryTests
{
    [Fact]
    public async Task Addresses_are_stored_as_a_list_and_rows_from_before_the_list_still_read_back()
    {
        await using var app = await TestApp.StartAsync();
        var registry = app.Get<UnitRegistry>();
        await registry.PutAsync(new DanVan.Domain.Unit("so-moi", "Sở Mới", "Sở, ban, ngành", ["van.thu@so-moi.example.org", "lanh.dao@so-moi.example.org"], null, new DateOnly(2025, 7, 1), null));
        // A row as the registry wrote it before addresses were a list: joined by ';'.
        await app.Store.Table<UnitRegistry>().UpsertEntityAsync(new UnitEntity
        {
            RowKey = "so-cu", Name = "Sở Cũ", Group = "Sở, ban, ngành", Emails = "a@so-cu.example.org; b@so-cu.example.org", ActiveFrom = "2023-05-25",
        });

        var fresh = (await app.Store.Table<UnitRegistry>().GetEntityAsync<UnitEntity>(UnitEntity.Partition, "so-moi")).Value;
        var units = (await registry.ListAsync()).ToDictionary(u => u.Code);

        Assert.Equal("[\"van.thu@so-moi.example.org\",\"lanh.dao@so-moi.example.org\"]", fresh.EmailList);
        Assert.Null(fresh.Emails);
        Assert.Equal(["van.thu@so-moi.example.org", "lanh.dao@so-moi.example.org"], units["so-moi"].Emails);
        Assert.Equal(["a@so-cu.example.org", "b@so-cu.example.org"], units["so-cu"].Emails);
    }

    [Fact]
    public async Task The_sample_registry_imports_every_unit_in_Vietnamese_name_order()
    {
        await using var app = await TestApp.StartAsync();
        var units = app.Get<UnitsFunctions>();
        var records = Samples.Load("units.vinh-phuc-2023.sample.json");

        var import = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/import", TestApp.AdminToken, records), r => units.ImportUnits(r, default));
        var list = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/units", TestApp.AdminToken), r => units.ListUnits(r, default));

        Assert.Equal(200, import.Status);
        Assert.Equal(records.Count, import.Json.GetProperty("imported").GetInt32());
        Assert.Equal(0, import.Json.GetProperty("updated").GetInt32());
        Assert.InRange(records.Count, 29, 40);
        Assert.Equal(9, records.Count(r => r!.Group == "UBND cấp huyện"));
        var names = list.Json.EnumerateArray().Select(u => u.GetProperty("name").GetString()!).ToList();
        Assert.Equal(records.Count, names.Count);
        Assert.Equal(names.Order(DanVan.Domain.VietnamTime.NameComparer), names);
        Assert.Contains("UBND huyện Tam Đảo", names);
    }

    [Fact]
    public async Task A_file_with_bad_rows_imports_nothing_and_names_every_bad_row()
    {
        await using var app = await TestApp.StartAsync();
        var units = app.Get<UnitsFunctions>();
        List<UnitRecord?> records =
        [
            Samples.Unit("so-noi-vu", "Sở Nội vụ"),
            Samples.Unit("So Tu Phap", "Sở Tư pháp"),
            Samples.Unit("so-y-te", "Sở Y tế") with { Emails = ["not-an-email"] },
            Samples.Unit("so-xay-dung", "Sở Xây dựng", activeTo: "2020-01-01"),
            Samples.Unit("so-noi-vu", "Sở Nội vụ (trùng)"),
        ];

        var response = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/import", TestApp.AdminToken, records), r => units.ImportUnits(r, default));

        Assert.Equal(400, response.Status);
        Assert.Equal("validation_failed", response.Code);
        var errors = response.Json.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Contains((1, "code", "invalid_code"), errors);
        Assert.Contains((2, "emails", "invalid_email"), errors);
        Assert.Contains((3, "activeTo", "invalid_range"), errors);
        Assert.Contains((4, "code", "duplicate_code"), errors);
        Assert.Empty(await app.Get<UnitRegistry>().ListAsync());
    }

    [Fact]
    public async Task Reimporting_updates_existing_units_and_put_replaces_one()
    {
        await using var app = await TestApp.StartAsync();
        var units = app.Get<UnitsFunctions>();
        await app.Get<UnitRegistry>().ImportAsync([Samples.Unit("so-noi-vu", "Sở Nội vụ")]);

        var again = await TestHttp.InvokeAsync(
            TestHttp.Request("POST", "/api/units/import", TestApp.AdminToken, new[] { Samples.Unit("so-noi-vu", "Sở Nội vụ tỉnh"), Samples.Unit("so-y-te", "Sở Y tế") }),
            r => units.ImportUnits(r, default));
        var put = await TestHttp.InvokeAsync(
            TestHttp.Request("PUT", "/api/units/so-y-te", TestApp.AdminToken, Samples.Unit("so-y-te", "Sở Y tế tỉnh", activeTo: "2025-06-30")),
            r => units.PutUnit(r, "so-y-te", default));

        Assert.Equal((1, 1), (again.Json.GetProperty("imported").GetInt32(), again.Json.GetProperty("updated").GetInt32()));
        Assert.Equal(200, put.Status);
        var yTe = await app.Get<UnitRegistry>().FindAsync("so-y-te");
        Assert.Equal("Sở Y tế tỉnh", yTe!.Name);
        Assert.Equal(new DateOnly(2025, 6, 30), yTe.ActiveTo);
    }

    [Fact]
    public async Task Malformed_json_is_a_problem_not_a_crash()
    {
        await using var app = await TestApp.StartAsync();
        var units = app.Get<UnitsFunctions>();

        var response = await TestHttp.InvokeAsync(
            TestHttp.Request("POST", "/api/units/import", TestApp.AdminToken, body: "[{\"code\": "u8.ToArray(), contentType: "application/json"),
            r => units.ImportUnits(r, default));

        Assert.Equal(400, response.Status);
        Assert.Equal("invalid_json", response.Code);
        Assert.StartsWith("application/problem+json", response.ContentType);
    }

    [Fact]
    public async Task An_address_with_a_list_separator_in_a_quoted_local_part_is_refused_at_import_and_put()
    {
        await using var app = await TestApp.StartAsync();
        var units = app.Get<UnitsFunctions>();
        List<UnitRecord?> records =
        [
            Samples.Unit("so-noi-vu", "Sở Nội vụ"),
            Samples.Unit("so-y-te", "Sở Y tế") with { Emails = ["vanthu@soyte.example.org", "\"a;b\"@example.org"] },
            Samples.Unit("so-tu-phap", "Sở Tư pháp") with { Emails = ["\"a,b\"@example.org"] },
            Samples.Unit("so-xay-dung", "Sở Xây dựng") with { HeadEmail = "\"giam;doc\"@example.org" },
        ];

        var import = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/import", TestApp.AdminToken, records), r => units.ImportUnits(r, default));
        var put = await TestHttp.InvokeAsync(
            TestHttp.Request("PUT", "/api/units/so-y-te", TestApp.AdminToken, records[1]),
            r => units.PutUnit(r, "so-y-te", default));

        Assert.Equal((400, "validation_failed"), (import.Status, import.Code));
        var errors = import.Json.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Equal([(1, "emails", "unsupported_email"), (2, "emails", "unsupported_email"), (3, "headEmail", "unsupported_email")], errors);
        Assert.Contains("\"a;b\"@example.org", import.Json.GetProperty("errors")[0].GetProperty("detail").GetString());
        Assert.Contains("dấu chấm phẩy", import.Json.GetProperty("errors")[0].GetProperty("detail").GetString());
        Assert.Equal((400, "validation_failed"), (put.Status, put.Code));
        Assert.Equal("unsupported_email", put.Json.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Empty(await app.Get<UnitRegistry>().ListAsync());
    }

    [Fact]
    public async Task Every_accepted_address_reads_back_as_it_was_written()
    {
        await using var app = await TestApp.StartAsync();
        var units = app.Get<UnitsFunctions>();
        string[] emails = ["vanthu@soyte.example.org", "\"van thu\"@example.org", "phong.tc+bao-cao@example.org"];
        var record = Samples.Unit("so-y-te", "Sở Y tế") with { Emails = emails, HeadEmail = "\"giam doc\"@example.org" };

        var put = await TestHttp.InvokeAsync(TestHttp.Request("PUT", "/api/units/so-y-te", TestApp.AdminToken, record), r => units.PutUnit(r, "so-y-te", default));
        var stored = await app.Get<UnitRegistry>().FindAsync("so-y-te");

        Assert.Equal(201, put.Status);
        Assert.Equal(emails, stored!.Emails);
        Assert.Equal("\"giam doc\"@example.org", stored.HeadEmail);
    }
}
