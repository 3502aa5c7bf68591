using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;
using DocumentFormat.OpenXml.Packaging;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace DanVan.EndToEnd;

/// <summary>Figures through the real worker: indicators defined, figures entered as JSON and through the XLSX template, totals, the draft report.</summary>
[Collection(DanVanHostCollection.Name)]
public sealed class FiguresRoutesTests(DanVanHost danvan)
{
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The period a unit reports for at the suite's instant.</summary>
    private static readonly PlanPeriod Period = SamplePlan.Current(SuiteClock.Now);

    private async Task SampleIndicatorsAsync()
    {
        var sample = await File.ReadAllTextAsync(Path.Combine(Azurite.RepositoryRoot, "functions", "SampleData", "indicators.sample.json"));
        foreach (var report in new[] { "H1", "Y" })
        {
            using var put = await danvan.SendAsync(danvan.Admin(HttpMethod.Put, $"api/indicators/{report}", Api.JsonContent(sample)));
            await put.ReadJsonAsync(HttpStatusCode.Created);
        }
    }

    private static HttpRequestMessage Enter(string token, object values) =>
        DanVanHost.As(token, HttpMethod.Post, $"api/periods/{Period.Id}/figures", Api.Json(new { values }));

    private static HttpRequestMessage EnterWorkbook(string token, byte[] xlsx)
    {
        var content = new ByteArrayContent(xlsx);
        content.Headers.ContentType = new MediaTypeHeaderValue(Xlsx);
        return DanVanHost.As(token, HttpMethod.Post, $"api/periods/{Period.Id}/figures", content);
    }

    [Fact]
    public async Task A_unit_enters_figures_as_json_and_through_the_template_and_the_totals_reach_the_draft_report()
    {
        await SampleIndicatorsAsync();
        var (code, token) = await danvan.UnitWithTokenAsync("fig");
        var (_, otherToken) = await danvan.UnitWithTokenAsync("fig");

        using (var entered = await danvan.SendAsync(Enter(token, new Dictionary<string, object> { ["QT_SO_CUOC"] = 12, ["QT_LUOT_NGUOI"] = 950, ["VHCS_KE_HOACH"] = true })))
        {
            var receipt = await entered.ReadJsonAsync(HttpStatusCode.Created);
            Assert.Equal((1, "incomplete", "Thiếu số liệu"), (receipt.GetProperty("version").GetInt32(), receipt.GetProperty("status").GetString(), receipt.GetProperty("statusLabel").GetString()));
            Assert.Equal(SuiteClock.Now, receipt.GetProperty("receivedAt").GetDateTimeOffset());
            Assert.Equal(Period.IsOnTimeAt(SuiteClock.Now), receipt.GetProperty("onTime").GetBoolean());
        }

        using (var negative = await danvan.SendAsync(Enter(token, new Dictionary<string, object> { ["QT_SO_CUOC"] = -1 })))
        {
            var problem = await negative.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
            Assert.Equal("negative", problem.GetProperty("errors")[0].GetProperty("code").GetString());
        }

        using var template = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/figures/template.xlsx"));
        Assert.Equal(HttpStatusCode.OK, template.StatusCode);
        Assert.Equal(Xlsx, template.Content.Headers.ContentType?.MediaType);
        var filled = FillIn(await template.Content.ReadAsByteArrayAsync(), new Dictionary<string, string> { ["QT_SO_CUOC"] = "128", ["QT_LUOT_NGUOI"] = "9.450", ["TCD_LUOT"] = "40" });

        using (var byOtherUnit = await danvan.SendAsync(EnterWorkbook(otherToken, filled)))
        {
            await byOtherUnit.ReadProblemAsync(HttpStatusCode.BadRequest, "template_wrong_unit");
        }

        using (var fromTemplate = await danvan.SendAsync(EnterWorkbook(token, filled)))
        {
            var receipt = await fromTemplate.ReadJsonAsync(HttpStatusCode.Created);
            Assert.Equal((2, "xlsx"), (receipt.GetProperty("version").GetInt32(), receipt.GetProperty("source").GetString()));
            Assert.Equal(9450m, receipt.GetProperty("values").GetProperty("QT_LUOT_NGUOI").GetDecimal());
            Assert.Equal(1m, receipt.GetProperty("values").GetProperty("VHCS_KE_HOACH").GetDecimal());
        }

        using var totals = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{Period.Id}/figures"));
        var json = await totals.ReadJsonAsync(HttpStatusCode.OK);
        var mine = json.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("unitCode").GetString() == code);
        Assert.Equal((2, "incomplete"), (mine.GetProperty("version").GetInt32(), mine.GetProperty("figuresStatus").GetString()));
        var conferences = json.GetProperty("indicators").EnumerateArray().Single(i => i.GetProperty("code").GetString() == "QT_SO_CUOC");
        var expected = json.GetProperty("units").EnumerateArray()
            .Where(u => u.TryGetProperty("values", out var v) && v.TryGetProperty("QT_SO_CUOC", out _))
            .Sum(u => u.GetProperty("values").GetProperty("QT_SO_CUOC").GetDecimal());
        Assert.True(expected >= 128);
        Assert.Equal(expected, conferences.GetProperty("total").GetDecimal());

        using (var unitReadsTotals = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, $"api/periods/{Period.Id}/figures")))
        {
            await unitReadsTotals.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        using (var compiled = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/periods/{Period.Id}/compilations")))
        {
            await compiled.ReadJsonAsync(HttpStatusCode.Created);
        }

        using var latest = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{Period.Id}/compilations/latest"));
        var paragraphs = DraftParagraphs(await latest.Content.ReadAsByteArrayAsync());
        var sentence = $"Các cơ quan, đơn vị đã tổ chức {expected.ToString("#,0.##", CultureInfo.GetCultureInfo("vi-VN"))} cuộc hội nghị";
        var at = paragraphs.FindIndex(p => p.StartsWith(sentence, StringComparison.Ordinal));
        var section1 = paragraphs.FindIndex(p => p.StartsWith("1. ", StringComparison.Ordinal));
        var section2 = paragraphs.FindIndex(p => p.StartsWith("2. ", StringComparison.Ordinal));
        Assert.True(at > section1 && at < section2, $"'{sentence}' not under section 1:\n{string.Join("\n", paragraphs)}");
    }

    /// <summary>Types figures into column F of the rows whose code (column B) is given, as a person would in Excel.</summary>
    private static byte[] FillIn(byte[] template, IReadOnlyDictionary<string, string> figures)
    {
        using var stream = new MemoryStream();
        stream.Write(template);
        using (var doc = SpreadsheetDocument.Open(stream, true))
        {
            var id = doc.WorkbookPart!.Workbook!.Descendants<S.Sheet>().Single(s => s.Name == "Số liệu").Id!.Value!;
            var sheet = ((WorksheetPart)doc.WorkbookPart.GetPartById(id)).Worksheet!;
            foreach (var row in sheet.Descendants<S.Row>())
            {
                var codeCell = row.Elements<S.Cell>().FirstOrDefault(c => c.CellReference!.Value!.StartsWith('B'));
                if (codeCell?.InlineString?.InnerText is { } code && figures.TryGetValue(code, out var text))
                {
                    var reference = "F" + row.RowIndex!.Value.ToString(CultureInfo.InvariantCulture);
                    row.Elements<S.Cell>().FirstOrDefault(c => c.CellReference!.Value == reference)?.Remove();
                    row.Append(new S.Cell(new S.InlineString(new S.Text(text))) { CellReference = reference, DataType = S.CellValues.InlineString });
                }
            }

            sheet.Save();
        }

        return stream.ToArray();
    }

    private static List<string> DraftParagraphs(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var draft = new MemoryStream();
        using (var entry = archive.GetEntry("DuThao-BaoCao.docx")!.Open())
        {
            entry.CopyTo(draft);
        }

        draft.Position = 0;
        using var doc = WordprocessingDocument.Open(draft, false);
        return doc.MainDocumentPart!.Document!.Body!.Descendants<W.Paragraph>().Select(p => string.Concat(p.Descendants<W.Text>().Select(t => t.Text))).ToList();
    }
}
