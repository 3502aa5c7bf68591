using System.Text;
using DanVan.Functions;
using DanVan.Registry;
using DanVan.Submissions;
using DanVan.Tests.Support;

namespace DanVan.Tests.Integration;

public class StatusTests
{
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);

    /// <summary><paramref name="version"/> versions of the unit's report, the last received at <paramref name="receivedAt"/>.</summary>
    private static async Task SeedHeadAsync(TestApp app, string periodId, string unit, DateTimeOffset receivedAt, int version = 1)
    {
        var seeder = new SubmissionSeeder(app);
        for (var v = 1; v <= version; v++)
        {
            await seeder.SeedAsync(periodId, unit, $"Báo cáo {v}.pdf", Encoding.UTF8.GetBytes($"%PDF-1.7 v{v}"), receivedAt.AddMinutes(v - version));
        }
    }

    [Fact]
    public async Task Status_and_period_counts_reflect_on_time_late_missing_and_merged_units()
    {
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 20, 9, 0, 0, Vn));
        await app.Get<UnitRegistry>().ImportAsync(
        [
            Samples.Unit("so-noi-vu", "Sở Nội vụ"),
            Samples.Unit("so-y-te", "Sở Y tế"),
            Samples.Unit("ubnd-tam-dao", "UBND huyện Tam Đảo", group: "UBND cấp huyện"),
            Samples.Unit("so-cu", "Sở cũ", activeTo: "2025-02-28"),
        ]);
        await SeedHeadAsync(app, "2026-H1", "so-noi-vu", new DateTimeOffset(2026, 5, 14, 23, 59, 59, Vn));
        await SeedHeadAsync(app, "2026-H1", "so-y-te", new DateTimeOffset(2026, 5, 15, 0, 0, 0, Vn), version: 3);
        var periods = app.Get<PeriodsFunctions>();

        var status = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/status", TestApp.AdminToken), r => periods.PeriodStatus(r, "2026-H1", default));
        var list = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods", TestApp.AdminToken), r => periods.ListPeriods(r, default));

        var rows = status.Json.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("unitCode").GetString()!, r => r);
        Assert.Equal("on_time", rows["so-noi-vu"].GetProperty("status").GetString());
        Assert.Equal("late", rows["so-y-te"].GetProperty("status").GetString());
        Assert.Equal(3, rows["so-y-te"].GetProperty("versionCount").GetInt32());
        Assert.Equal("2026-05-15T00:00:00+07:00", rows["so-y-te"].GetProperty("receivedAt").GetString());
        Assert.Equal("missing", rows["ubnd-tam-dao"].GetProperty("status").GetString());
        Assert.False(rows.ContainsKey("so-cu"));
        Assert.Equal("2026-05-15T00:00:00+07:00", status.Json.GetProperty("deadline").GetString());

        var h1 = list.Json.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "2026-H1");
        Assert.Equal((3, 2, 1, 1, 1), (h1.GetProperty("required").GetInt32(), h1.GetProperty("submitted").GetInt32(), h1.GetProperty("onTime").GetInt32(), h1.GetProperty("late").GetInt32(), h1.GetProperty("missing").GetInt32()));
        Assert.Equal("Báo cáo 06 tháng năm 2026", h1.GetProperty("title").GetString());
        Assert.Contains(list.Json.EnumerateArray(), p => p.GetProperty("id").GetString() == "2024-H1");
        Assert.DoesNotContain(list.Json.EnumerateArray(), p => p.GetProperty("id").GetString() == "2027-H1");
    }

    [Fact]
    public async Task A_unit_caller_gets_its_own_row_as_the_admin_sees_it_from_point_reads_without_querying_the_period()
    {
        var faults = new StorageFaults();
        await using var app = await TestApp.StartAsync(new DateTimeOffset(2026, 5, 20, 9, 0, 0, Vn), faults: faults);
        await app.Get<UnitRegistry>().ImportAsync([.. Enumerable.Range(1, 30).Select(i => Samples.Unit($"don-vi-{i:D2}", $"Đơn vị {i:D2}"))]);
        await SeedHeadAsync(app, "2026-H1", "don-vi-07", new DateTimeOffset(2026, 5, 15, 0, 0, 0, Vn), version: 2);
        await SeedHeadAsync(app, "2026-H1", "don-vi-08", new DateTimeOffset(2026, 5, 10, 8, 0, 0, Vn));
        var token = (await app.Get<DanVan.Auth.CredentialStore>().IssueAsync("don-vi-07")).Token;
        var periods = app.Get<PeriodsFunctions>();

        var admin = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/status", TestApp.AdminToken), r => periods.PeriodStatus(r, "2026-H1", default));
        var queries = faults.TableQueries.Count;
        var unit = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/status", token), r => periods.PeriodStatus(r, "2026-H1", default));

        Assert.Equal(200, unit.Status);
        Assert.DoesNotContain(faults.TableQueries.Skip(queries), q => q.Contains("'2026-H1'", StringComparison.Ordinal));
        var own = Assert.Single(unit.Json.GetProperty("rows").EnumerateArray());
        var asAdminSees = admin.Json.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("unitCode").GetString() == "don-vi-07");
        Assert.Equal(asAdminSees.GetRawText(), own.GetRawText());
        Assert.Equal("late", own.GetProperty("status").GetString());
        Assert.Equal(2, own.GetProperty("versionCount").GetInt32());
    }

    [Fact]
    public async Task The_csv_export_keeps_Vietnamese_letters_for_Excel()
    {
        await using var app = await TestApp.StartAsync();
        await app.Get<UnitRegistry>().ImportAsync([Samples.Unit("ubnd-tam-dao", "UBND huyện Tam Đảo, tỉnh \"Vĩnh Phúc\"", group: "UBND cấp huyện")]);
        var periods = app.Get<PeriodsFunctions>();

        var csv = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/status", TestApp.AdminToken, query: "format=csv"), r => periods.PeriodStatus(r, "2026-H1", default));

        Assert.Equal(200, csv.Status);
        Assert.StartsWith("text/csv", csv.ContentType);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, csv.Body[..3]);
        var text = Encoding.UTF8.GetString(csv.Body[3..]);
        Assert.StartsWith("STT,Mã đơn vị,Tên đơn vị,Nhóm,Trạng thái", text);
        Assert.Contains("1,ubnd-tam-dao,\"UBND huyện Tam Đảo, tỉnh \"\"Vĩnh Phúc\"\"\",UBND cấp huyện,Chưa nộp,missing", text);
        Assert.Contains("filename*=UTF-8''T%C3%ACnh", csv.Headers.ContentDisposition.ToString());
    }

    [Fact]
    public async Task An_unknown_period_is_404_for_an_authenticated_caller()
    {
        await using var app = await TestApp.StartAsync();
        var periods = app.Get<PeriodsFunctions>();

        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-Q3/status", TestApp.AdminToken), r => periods.PeriodStatus(r, "2026-Q3", default));

        Assert.Equal((404, "unknown_period"), (response.Status, response.Code));
    }
}
