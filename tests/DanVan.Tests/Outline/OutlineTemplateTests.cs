using DanVan.Auth;
using DanVan.Compilation;
using DanVan.Functions;
using DanVan.Outline;
using DanVan.Periods;
using DanVan.Tests.Support;
using DocumentFormat.OpenXml.Packaging;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.Tests.Outline;

public sealed class OutlineTemplateTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 2, 9, 0, 0, TimeSpan.FromHours(7));

    /// <summary>A unit writes one paragraph under every heading of the template, as it would in Word (the headings untouched but one, retitled).</summary>
    private static (byte[] Docx, List<(string Text, string Place)> Expected) WriteIn(byte[] template)
    {
        var expected = new List<(string, string)>();
        using var stream = new MemoryStream();
        stream.Write(template);
        using (var doc = WordprocessingDocument.Open(stream, true))
        {
            var body = doc.MainDocumentPart!.Document!.Body!;
            foreach (var heading in body.Elements<W.Paragraph>().Where(p => p.Descendants<W.BookmarkStart>().Any(b => b.Name!.Value!.StartsWith(OutlineTemplate.PlacePrefix, StringComparison.Ordinal))).ToList())
            {
                var place = OutlineTemplate.FromPlace(heading.Descendants<W.BookmarkStart>().First().Name!.Value)!.Value;
                var code = place.Content is null ? place.Part : $"{place.Part}/{place.Content}";
                // Words that would mislead a reader of words alone: every paragraph speaks of "tuyên truyền" and "kiến nghị".
                var text = $"Nội dung đơn vị viết cho mục {code}: kết quả tuyên truyền, khó khăn và kiến nghị của đơn vị.";
                heading.InsertAfterSelf(new W.Paragraph(new W.Run(new W.Text(text))));
                expected.Add((text, code));
            }

            // The unit retitled one heading in its own words: its mark still says where it is.
            var four = body.Descendants<W.BookmarkStart>().First(b => b.Name == OutlineTemplate.Place("II", "4")).Parent!;
            four.Descendants<W.Text>().First().Text = "4. Các hoạt động của đơn vị";
        }

        return (stream.ToArray(), expected);
    }

    [Fact]
    public async Task A_report_written_in_the_units_outline_template_is_filed_exactly_by_its_structure()
    {
        await using var app = await TestApp.StartAsync(Now);
        await SubmissionSeeder.AddUnitAsync(app, "so-tai-chinh", "Sở Tài chính");
        var token = (await app.Get<CredentialStore>().IssueAsync("so-tai-chinh")).Token;
        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/outline/template.docx", token),
            r => app.Get<OutlineFunctions>().OutlineTemplateDownload(r, "2026-H1", default));
        Assert.Equal(200, response.Status);
        Assert.Equal(OutlineTemplate.ContentType, response.ContentType);
        Assert.Contains("filename*=UTF-8''", response.Headers["Content-Disposition"].ToString());
        Assert.Empty(DanVan.Tests.Compilation.TestFiles.ValidationErrors(response.Body, isDocx: true));

        var (docx, expected) = WriteIn(response.Body);
        var reading = ReportText.Read(new MemoryStream(docx), "de-cuong.docx");
        Assert.Equal(OutlineTemplate.VersionPrefix + "H1_0", reading.Paragraphs![0].Mark);
        var outline = await app.Get<OutlineService>().ForPeriodAsync(app.Get<PeriodCatalog>().Get("2026-H1"));
        var filed = ReportFiling.File(outline, ReportTree.Read(reading.Paragraphs!, reading.Format));

        var headings = ReportTree.Read(reading.Paragraphs!, reading.Format).Where(l => l.Heading).ToList();
        Assert.Equal(outline.Parts.Count + outline.Parts.Sum(p => p.Contents.Count), headings.Count);
        var placed = expected.Select(e => filed.Single(f => f.Line.Text == e.Text)).Select(f => f.Content is null ? f.Part : $"{f.Part}/{f.Content}").ToList();
        Assert.Equal(expected.Select(e => e.Place), placed);
        Assert.Equal(expected.Count, filed.Count(f => f.Outcome == FilingOutcome.Placed && !f.Line.Heading));
        Assert.DoesNotContain(filed, f => f.Outcome == FilingOutcome.Review);
    }

    [Fact]
    public async Task Another_units_template_or_a_closed_period_is_refused()
    {
        await using var app = await TestApp.StartAsync(Now);
        await SubmissionSeeder.AddUnitAsync(app, "so-tai-chinh", "Sở Tài chính");
        await SubmissionSeeder.AddUnitAsync(app, "so-y-te", "Sở Y tế");
        var token = (await app.Get<CredentialStore>().IssueAsync("so-tai-chinh")).Token;

        var other = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2026-H1/outline/template.docx", token, query: "unit=so-y-te"),
            r => app.Get<OutlineFunctions>().OutlineTemplateDownload(r, "2026-H1", default));
        Assert.Equal(403, other.Status);
        var unknown = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/periods/2099-Q9/outline/template.docx", token),
            r => app.Get<OutlineFunctions>().OutlineTemplateDownload(r, "2099-Q9", default));
        Assert.Equal(404, unknown.Status);
    }
}
