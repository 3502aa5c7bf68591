using DanVan.Auth;
using DanVan.Functions;
using DanVan.Tests.Compilation;
using DanVan.Tests.Compilation.Corpus;
using DanVan.Tests.Support;

namespace DanVan.Tests.Outline;

public sealed class ReportReadingTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 12, 9, 0, 0, TimeSpan.FromHours(7));

    private static Task<TestResponse> ReadingAsync(TestApp app, string unit, string bearer = TestApp.AdminToken) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/2026-H1/reports/{unit}/reading", bearer),
            r => app.Get<OutlineFunctions>().GetReportReading(r, "2026-H1", unit, default));

    [Fact]
    public async Task The_administrator_sees_how_a_units_latest_report_was_read_and_where_each_line_went()
    {
        await using var app = await TestApp.StartAsync(Now);
        await SubmissionSeeder.AddUnitAsync(app, "ubnd-tam-duong", "UBND huyện Tam Dương", "UBND cấp huyện");
        var seeder = new SubmissionSeeder(app);
        await seeder.SeedAsync("2026-H1", "ubnd-tam-duong", "cu.docx", TestFiles.Docx("1. Kết quả thực hiện", "Bản cũ."), Now.AddDays(-1));
        await seeder.SeedAsync("2026-H1", "ubnd-tam-duong", "Báo cáo.docx", ReportCorpus.ShortShape().Docx(), Now);

        var reading = await ReadingAsync(app, "ubnd-tam-duong");

        Assert.Equal(200, reading.Status);
        Assert.Equal((2, "Báo cáo.docx", 4, 0), (reading.Json.GetProperty("version").GetInt32(), reading.Json.GetProperty("fileName").GetString(),
            reading.Json.GetProperty("placed").GetInt32(), reading.Json.GetProperty("review").GetInt32()));
        var lines = reading.Json.GetProperty("lines").EnumerateArray().ToList();
        var difficulty = lines.Single(l => l.GetProperty("text").GetString()!.StartsWith("Kinh phí cho công tác tuyên truyền"));
        Assert.Equal(("placed", "III.2. Hạn chế, nguyên nhân", "2. Khó khăn, vướng mắc", 1),
            (difficulty.GetProperty("outcome").GetString(), difficulty.GetProperty("place").GetString(), difficulty.GetProperty("from").GetString(), difficulty.GetProperty("depth").GetInt32()));
        Assert.Equal("title", lines.Single(l => l.GetProperty("text").GetString() == "BÁO CÁO").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_unit_without_a_report_is_a_clear_404_and_a_unit_credential_cannot_read_it()
    {
        await using var app = await TestApp.StartAsync(Now);
        await SubmissionSeeder.AddUnitAsync(app, "so-y-te", "Sở Y tế");
        var token = (await app.Get<CredentialStore>().IssueAsync("so-y-te")).Token;

        var none = await ReadingAsync(app, "so-y-te");
        Assert.Equal((404, "no_report"), (none.Status, none.Code));
        Assert.Equal(403, (await ReadingAsync(app, "so-y-te", token)).Status);
    }
}
