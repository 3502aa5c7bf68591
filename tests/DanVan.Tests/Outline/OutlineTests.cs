using System.Text.Json;
using DanVan.Auth;
using DanVan.Functions;
using DanVan.Outline;
using DanVan.Periods;
using DanVan.Tests.Support;

namespace DanVan.Tests.Outline;

public sealed class OutlineTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 2, 9, 0, 0, TimeSpan.FromHours(7));

    /// <summary>The sample file's body (<c>functions/SampleData/outline.sample.json</c>), as the admin PUTs it.</summary>
    private static JsonElement SampleBody => JsonDocument.Parse(File.ReadAllText(Samples.SampleFile("outline.sample.json"))).RootElement;

    private static Task<TestResponse> GetAsync(TestApp app, string code, string bearer = TestApp.AdminToken) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/outlines/{code}", bearer), r => app.Get<OutlineFunctions>().GetOutline(r, code, default));

    private static Task<TestResponse> PutAsync(TestApp app, string code, object body, string bearer = TestApp.AdminToken) =>
        TestHttp.InvokeAsync(TestHttp.Request("PUT", $"/api/outlines/{code}", bearer, json: body), r => app.Get<OutlineFunctions>().PutOutline(r, code, default));

    private static List<string> PartKeys(TestResponse r) => r.Json.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("key").GetString()!).ToList();

    [Fact]
    public void The_sample_outline_reproduces_the_reports_parts_and_the_plans_nine_contents_under_II()
    {
        var outline = OutlineService.Sample("H1");

        Assert.Equal(["I", "II", "III", "IV", "V"], outline.Parts.Select(p => p.Key));
        Assert.Equal(["Công tác lãnh đạo, chỉ đạo", "Kết quả thực hiện", "Đánh giá chung", "Phương hướng, nhiệm vụ", "Kiến nghị, đề xuất"], outline.Parts.Select(p => p.Heading));
        Assert.Equal(Enumerable.Range(1, 9).Select(n => (int?)n), outline.Find("II")!.Contents.Select(c => c.Section));
        Assert.Equal(DanVan.Domain.PlanSections.All.Select(s => s.Heading), outline.Find("II")!.Contents.Select(c => c.Heading));
        Assert.Equal(["uu-diem", "han-che"], outline.Find("III")!.Contents.Select(c => c.Key));
        Assert.True(outline.Find("V")!.ContentsByText);
        Assert.All(outline.Parts.SelectMany(p => p.Contents), c => Assert.NotEmpty(c.Words));
    }

    [Fact]
    public async Task A_new_outline_is_a_new_version_and_a_period_keeps_the_version_it_started_with()
    {
        await using var app = await TestApp.StartAsync(Now);
        var sample = await GetAsync(app, "H1");
        Assert.Equal((200, 0), (sample.Status, sample.Json.GetProperty("version").GetInt32()));
        Assert.Equal(["I", "II", "III", "IV", "V"], PartKeys(sample));

        var first = await PutAsync(app, "H1", SampleBody);
        Assert.Equal((201, 1), (first.Status, first.Json.GetProperty("version").GetInt32()));
        var outlines = app.Get<OutlineService>();
        var periods = app.Get<PeriodCatalog>();
        Assert.Equal(1, (await outlines.ForPeriodAsync(periods.Get("2026-H1"))).Version);

        var shorter = await PutAsync(app, "H1", new
        {
            parts = new object[]
            {
                new { key = "I", heading = "Kết quả", words = new[] { "kết quả" } },
                new { key = "II", heading = "Kiến nghị", words = new[] { "kiến nghị" } },
            },
        });
        Assert.Equal((201, 2), (shorter.Status, shorter.Json.GetProperty("version").GetInt32()));
        Assert.Equal(["I", "II"], PartKeys(await GetAsync(app, "H1")));
        Assert.Equal(1, (await outlines.ForPeriodAsync(periods.Get("2026-H1"))).Version);
        Assert.Equal(2, (await outlines.ForPeriodAsync(periods.Get("2027-H1"))).Version);
        Assert.Equal(0, (await outlines.ForPeriodAsync(periods.Get("2026-Y"))).Version);

        var audit = await app.Get<DanVan.Audit.AuditLog>().ListAsync(DanVan.Audit.AuditEntity.NoPeriod);
        Assert.Contains(audit, e => e.Action == DanVan.Audit.AuditActions.OutlinePut && e.Detail == "H1 v2 (2 phần)");
    }

    [Fact]
    public async Task A_bad_outline_is_refused_with_every_problem_and_nothing_is_stored()
    {
        await using var app = await TestApp.StartAsync(Now);
        var refused = await PutAsync(app, "H1", new
        {
            parts = new object?[]
            {
                new { key = "I", heading = "", words = new[] { "x" } },
                new { key = "I", heading = "Trùng mã", contentsBy = "somewhere", contents = new object?[] { null } },
            },
        });

        Assert.Equal((400, "validation_failed"), (refused.Status, refused.Code));
        var codes = refused.Json.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "invalid_heading", "invalid_words", "duplicate_key", "invalid_contents_by", "required" }, codes);
        Assert.Equal(0, (await GetAsync(app, "H1")).Json.GetProperty("version").GetInt32());
        Assert.Equal((404, "unknown_report"), ((await PutAsync(app, "Q3", SampleBody)).Status, (await PutAsync(app, "Q3", SampleBody)).Code));
    }

    [Fact]
    public async Task Only_the_administrator_reads_or_replaces_the_outline()
    {
        await using var app = await TestApp.StartAsync(Now);
        await SubmissionSeeder.AddUnitAsync(app, "so-tai-chinh", "Sở Tài chính");
        var token = (await app.Get<CredentialStore>().IssueAsync("so-tai-chinh")).Token;

        Assert.Equal(403, (await GetAsync(app, "H1", token)).Status);
        Assert.Equal(403, (await PutAsync(app, "H1", SampleBody, token)).Status);
        Assert.Equal(0, (await GetAsync(app, "H1")).Json.GetProperty("version").GetInt32());
    }
}
