using System.Text.Json;
using DanVan.Auth;
using DanVan.Figures;
using DanVan.Functions;
using DanVan.Tests.Compilation;
using DanVan.Tests.Support;

namespace DanVan.Tests.Figures;

/// <summary>Calls the figures routes the way a client does, with the sample indicators in force.</summary>
public sealed class FiguresBed(TestApp app)
{
    public const string Xlsx = FigureTemplate.ContentType;

    public TestApp App { get; } = app;

    public FiguresFunctions Functions => App.Get<FiguresFunctions>();

    /// <summary>The sample file's body (<c>functions/SampleData/indicators.sample.json</c>), as the admin PUTs it.</summary>
    public static JsonElement SampleBody => JsonDocument.Parse(File.ReadAllText(Samples.SampleFile("indicators.sample.json"))).RootElement;

    public Task<TestResponse> PutIndicatorsAsync(string reportCode, object body, string bearer = TestApp.AdminToken) =>
        TestHttp.InvokeAsync(TestHttp.Request("PUT", $"/api/indicators/{reportCode}", bearer, json: body), r => Functions.PutIndicators(r, reportCode, default));

    public Task<TestResponse> PeriodIndicatorsAsync(string periodId, string bearer = TestApp.AdminToken) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{periodId}/indicators", bearer), r => Functions.GetPeriodIndicators(r, periodId, default));

    public Task<TestResponse> EnterAsync(string periodId, string bearer, object values, string? query = null) =>
        TestHttp.InvokeAsync(TestHttp.Request("POST", $"/api/periods/{periodId}/figures", bearer, json: new { values }, query: query), r => Functions.EnterFigures(r, periodId, default));

    public Task<TestResponse> EnterWorkbookAsync(string periodId, string bearer, byte[] xlsx) =>
        TestHttp.InvokeAsync(TestHttp.Request("POST", $"/api/periods/{periodId}/figures", bearer, body: xlsx, contentType: Xlsx), r => Functions.EnterFigures(r, periodId, default));

    public Task<TestResponse> TemplateAsync(string periodId, string bearer, string? query = null) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{periodId}/figures/template.xlsx", bearer, query: query), r => Functions.FigureTemplateDownload(r, periodId, default));

    public Task<TestResponse> VersionsAsync(string periodId, string unitCode, string bearer = TestApp.AdminToken) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{periodId}/figures/{unitCode}", bearer), r => Functions.ListFigureVersions(r, periodId, unitCode, default));

    public Task<TestResponse> TotalsAsync(string periodId, string bearer = TestApp.AdminToken) =>
        TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{periodId}/figures", bearer), r => Functions.FigureTotalsForPeriod(r, periodId, default));

    /// <summary>A unit in the registry (active since 2023) and its credential.</summary>
    public async Task<string> UnitAsync(string code, string name, string group = "Sở, ban, ngành")
    {
        await SubmissionSeeder.AddUnitAsync(App, code, name, group);
        return (await App.Get<CredentialStore>().IssueAsync(code)).Token;
    }

    /// <summary>Starts with the sample indicators in force for both reports of the plan.</summary>
    public static async Task<FiguresBed> StartAsync(DateTimeOffset? now = null)
    {
        var bed = new FiguresBed(await TestApp.StartAsync(now));
        foreach (var code in new[] { "H1", "Y" })
        {
            var put = await bed.PutIndicatorsAsync(code, SampleBody);
            Assert.Equal(201, put.Status);
        }

        return bed;
    }
}
