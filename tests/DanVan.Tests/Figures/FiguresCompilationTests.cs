using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Tests.Compilation;
using DanVan.Tests.Support;
using DocumentFormat.OpenXml.Packaging;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace DanVan.Tests.Figures;

public sealed class FiguresCompilationTests
{
    private const string PeriodId = "2026-H1";
    private static readonly DateTimeOffset AfterDeadline = new(2026, 5, 16, 0, 15, 0, TimeSpan.FromHours(7));

    /// <summary>Three units in two groups enter figures; the fourth sends nothing.</summary>
    private static async Task<FiguresBed> ScenarioAsync()
    {
        var bed = await FiguresBed.StartAsync(AfterDeadline);
        var noiVu = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");
        var yTe = await bed.UnitAsync("so-y-te", "Sở Y tế");
        var tamDao = await bed.UnitAsync("ubnd-tam-dao", "UBND huyện Tam Đảo", "UBND cấp huyện");
        await bed.UnitAsync("ubnd-vinh-yen", "UBND thành phố Vĩnh Yên", "UBND cấp huyện");
        await bed.EnterAsync(PeriodId, noiVu, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 80, ["QT_LUOT_NGUOI"] = 6000, ["TCD_LUOT"] = 40, ["VHCS_KE_HOACH"] = true });
        await bed.EnterAsync(PeriodId, yTe, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 20, ["QT_LUOT_NGUOI"] = 1450, ["TCD_LUOT"] = 12, ["VHCS_KE_HOACH"] = false });
        await bed.EnterAsync(PeriodId, tamDao, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 28, ["QT_LUOT_NGUOI"] = 2000, ["TCD_LUOT"] = 300, ["VHCS_KE_HOACH"] = true });
        return bed;
    }

    [Fact]
    public async Task The_nightly_compilation_compiles_a_period_that_has_figures_and_no_file()
    {
        var bed = await ScenarioAsync();
        await using var _ = bed.App;

        var compiled = await bed.App.Get<Compiler>().CompileDueAsync();

        var result = Assert.Single(compiled, r => r.Compilation.PeriodId == PeriodId);
        Assert.True(result.Created);
        var bundle = await Bundle.DownloadLatestAsync(bed.App, PeriodId);
        Assert.Contains(TestFiles.DocxParagraphs(bundle[BundleWriter.DraftEntry]), p => p.StartsWith("Các cơ quan, đơn vị đã tổ chức 128 cuộc hội nghị", StringComparison.Ordinal));
        Assert.DoesNotContain(await bed.App.Get<Compiler>().CompileDueAsync(), r => r.Compilation.PeriodId == PeriodId && r.Created);
    }

    [Fact]
    public async Task The_draft_report_states_the_totals_as_sentences_under_their_sections()
    {
        var bed = await ScenarioAsync();
        await using var _ = bed.App;
        var period = bed.App.Get<PeriodCatalog>().Get(PeriodId);

        await bed.App.Get<Compiler>().CompileAsync(period, "admin");
        var bundle = await Bundle.DownloadLatestAsync(bed.App, PeriodId);

        var paragraphs = TestFiles.DocxParagraphs(bundle[BundleWriter.DraftEntry]);
        int Heading(int n) => paragraphs.FindIndex(p => p.StartsWith($"{n}. ", StringComparison.Ordinal));
        int Line(string start) => paragraphs.FindIndex(p => p.StartsWith(start, StringComparison.Ordinal));

        var conferences = Line("Các cơ quan, đơn vị đã tổ chức 128 cuộc hội nghị");
        Assert.True(conferences > Heading(1) && conferences < Heading(2), string.Join("\n", paragraphs));
        Assert.Contains("với 9.450 lượt người tham dự (trong đó Sở, ban, ngành: 100; UBND cấp huyện: 28).", paragraphs[conferences]);
        Assert.Equal("Số liệu tổng hợp từ 3/4 cơ quan, đơn vị đã nhập số liệu:", paragraphs[Heading(1) + 1]);
        Assert.DoesNotContain(paragraphs, p => p.StartsWith("Số lượt người tham dự phổ biến", StringComparison.Ordinal));

        var yes = Line("2/3 cơ quan, đơn vị có kế hoạch thực hiện phong trào thi đua");
        Assert.True(yes > Heading(3) && yes < Heading(4));
        var citizens = Line("Các cơ quan, đơn vị đã tiếp 352 lượt công dân");
        Assert.True(citizens > Heading(8) && citizens < Heading(9));
        // A section whose figures nobody entered says nothing about them.
        Assert.Equal(-1, Line("Các cơ quan, đơn vị đã đăng tải"));
    }

    [Fact]
    public async Task TongHop_has_a_sheet_per_section_with_every_units_figures_and_totals_as_formulas()
    {
        var bed = await ScenarioAsync();
        await using var _ = bed.App;
        var period = bed.App.Get<PeriodCatalog>().Get(PeriodId);

        var first = await bed.App.Get<Compiler>().CompileAsync(period, "admin");
        var bundle = await Bundle.DownloadLatestAsync(bed.App, PeriodId);

        using var doc = SpreadsheetDocument.Open(new MemoryStream(bundle[BundleWriter.SummaryEntry]), false);
        var names = doc.WorkbookPart!.Workbook!.Descendants<S.Sheet>().Select(s => s.Name!.Value).ToList();
        Assert.Equal(["Tổng hợp", .. Enumerable.Range(1, 9).Select(FiguresWorkbook.SheetNameOf)], names);
        var id = doc.WorkbookPart.Workbook.Descendants<S.Sheet>().Single(s => s.Name == "Số liệu mục 1").Id!.Value!;
        var sheet = ((WorksheetPart)doc.WorkbookPart.GetPartById(id)).Worksheet!;
        var cells = sheet.Descendants<S.Cell>().ToDictionary(c => c.CellReference!.Value!);
        string Text(string r) => cells[r].InlineString?.InnerText ?? cells[r].CellValue?.Text ?? "";

        Assert.Equal(["QT_SO_CUOC", "QT_LUOT_NGUOI"], [Text("E5"), Text("F5")]);
        // Units in Vietnamese name order: Sở Nội vụ, Sở Y tế, UBND huyện Tam Đảo, UBND thành phố Vĩnh Yên (rows 6–9).
        Assert.Equal(["Sở Nội vụ", "80", "6000"], [Text("B6"), Text("E6"), Text("F6")]);
        Assert.Equal("Chưa nhập số liệu", Text("D9"));
        Assert.False(cells.ContainsKey("E9"));
        Assert.Equal("Tổng cộng toàn tỉnh", Text("B11"));
        Assert.Equal(("SUM(E6:E9)", "128"), (cells["E11"].CellFormula!.Text, cells["E11"].CellValue!.Text));
        Assert.Equal(("SUM(F6:F9)", "9450"), (cells["F11"].CellFormula!.Text, cells["F11"].CellValue!.Text));
        Assert.Equal("Nhóm: UBND cấp huyện", Text("B13"));
        Assert.Equal(("SUMIF($C$6:$C$9,\"UBND cấp huyện\",E6:E9)", "28"), (cells["E13"].CellFormula!.Text, cells["E13"].CellValue!.Text));
        Assert.True(doc.WorkbookPart.Workbook.CalculationProperties!.FullCalculationOnLoad!.Value);

        var yesId = doc.WorkbookPart.Workbook.Descendants<S.Sheet>().Single(s => s.Name == "Số liệu mục 3").Id!.Value!;
        var yesCells = ((WorksheetPart)doc.WorkbookPart.GetPartById(yesId)).Worksheet!.Descendants<S.Cell>().ToDictionary(c => c.CellReference!.Value!);
        Assert.Equal(("COUNTIF(F6:F9,\"Có\")", "2"), (yesCells["F11"].CellFormula!.Text, yesCells["F11"].CellValue!.Text));
        Assert.Empty(TestFiles.ValidationErrors(bundle[BundleWriter.SummaryEntry], isDocx: false));

        // A new entry changes the inputs: the timer's "only if changed" compiles again.
        await bed.EnterAsync(PeriodId, await bed.UnitAsync("ubnd-phuc-yen", "UBND thành phố Phúc Yên", "UBND cấp huyện"), new Dictionary<string, object?> { ["QT_SO_CUOC"] = 1 });
        var again = await bed.App.Get<Compiler>().CompileIfChangedAsync(period, "timer");
        Assert.True(again.Created);
        Assert.Equal(first.Compilation.Version + 1, again.Compilation.Version);
    }
}
