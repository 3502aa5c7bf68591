using System.IO.Compression;
using System.Text.Json;
using DanVan.Audit;
using DanVan.Figures;
using DanVan.Tests.Support;
using DocumentFormat.OpenXml.Packaging;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace DanVan.Tests.Figures;

public sealed class FiguresTests
{
    private const string PeriodId = "2026-H1";

    private static Dictionary<string, JsonElement> ErrorsByField(TestResponse response) =>
        response.Json.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("field").GetString()!, e => e);

    private static Dictionary<string, decimal> Values(JsonElement receipt) =>
        receipt.GetProperty("values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDecimal());

    [Fact]
    public async Task The_sample_indicators_cover_the_nine_sections_of_the_plan_and_are_marked_as_a_sample()
    {
        var body = FiguresBed.SampleBody;
        Assert.StartsWith("MẪU", body.GetProperty("sample").GetString());
        var records = body.GetProperty("indicators").Deserialize<List<IndicatorRecord?>>(DanVan.Domain.Json.Options)!;

        var indicators = IndicatorRules.Validate(records);

        Assert.Equal(Enumerable.Range(1, 9), indicators.Select(i => i.Section).Distinct().Order());
        Assert.Contains(indicators, i => i.Type == IndicatorType.YesNo && i.Totaling == Totaling.CountYes);
        Assert.All(indicators.Where(i => i.Type == IndicatorType.Percent), i => Assert.Equal(Totaling.None, i.Totaling));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Definitions_are_versioned_and_a_period_keeps_the_set_it_was_first_used_with()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var token = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");

        // 2026-H1 is used (an entry pins it to version 1) before the indicators change.
        Assert.Equal(201, (await bed.EnterAsync(PeriodId, token, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 3 })).Status);
        var replaced = await bed.PutIndicatorsAsync("H1", new
        {
            indicators = new object[]
            {
                new { code = "QT_SO_CUOC_MOI", label = "Số cuộc quán triệt (danh mục mới)", section = 1, unit = "cuộc", type = "integer", required = true, totaling = "sum" },
            },
        });
        Assert.Equal((201, 2), (replaced.Status, replaced.Json.GetProperty("version").GetInt32()));

        var used = await bed.PeriodIndicatorsAsync(PeriodId, token);
        var next = await bed.PeriodIndicatorsAsync("2027-H1", token);
        Assert.Equal(1, used.Json.GetProperty("definitions").GetProperty("version").GetInt32());
        Assert.Contains(used.Json.GetProperty("definitions").GetProperty("indicators").EnumerateArray(), i => i.GetProperty("code").GetString() == "QT_SO_CUOC");
        Assert.Equal(2, next.Json.GetProperty("definitions").GetProperty("version").GetInt32());

        // The period still takes and totals its own indicators; the new code is unknown to it.
        Assert.Equal(201, (await bed.EnterAsync(PeriodId, token, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 5 })).Status);
        var refused = await bed.EnterAsync(PeriodId, token, new Dictionary<string, object?> { ["QT_SO_CUOC_MOI"] = 5 });
        Assert.Equal((400, "validation_failed"), (refused.Status, refused.Code));
        Assert.Equal("unknown_indicator", ErrorsByField(refused)["QT_SO_CUOC_MOI"].GetProperty("code").GetString());
        var totals = await bed.TotalsAsync(PeriodId);
        Assert.Equal(1, totals.Json.GetProperty("definitionsVersion").GetInt32());
        Assert.Equal(5m, totals.Json.GetProperty("indicators").EnumerateArray().Single(i => i.GetProperty("code").GetString() == "QT_SO_CUOC").GetProperty("total").GetDecimal());

        var current = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/indicators/H1", TestApp.AdminToken), r => bed.Functions.GetIndicators(r, "H1", default));
        Assert.Equal(2, current.Json.GetProperty("version").GetInt32());
        Assert.Contains((await bed.App.Get<AuditLog>().ListAsync(AuditEntity.NoPeriod)), e => e.Action == AuditActions.IndicatorsPut && e.Detail!.StartsWith("H1 v2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_admin_replaces_definitions_and_a_bad_list_is_refused_row_by_row()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var token = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");

        var byUnit = await bed.PutIndicatorsAsync("H1", FiguresBed.SampleBody, token);
        var unknownReport = await bed.PutIndicatorsAsync("Q3", FiguresBed.SampleBody);
        var bad = await bed.PutIndicatorsAsync("H1", new
        {
            indicators = new object[]
            {
                new { code = "ok_lowercase", label = "Mã sai", section = 1, type = "integer" },
                new { code = "TY_LE", label = "Tỷ lệ cộng dồn", section = 10, type = "percent", totaling = "sum" },
                new { code = "CAU", label = "Câu sai", section = 2, type = "integer", sentence = "Tổng {KHONG_CO}" },
            },
        });

        Assert.Equal((403, "forbidden"), (byUnit.Status, byUnit.Code));
        Assert.Equal((404, "unknown_report"), (unknownReport.Status, unknownReport.Code));
        Assert.Equal((400, "validation_failed"), (bad.Status, bad.Code));
        var codes = bad.Json.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToList();
        Assert.Equal(["invalid_code", "invalid_section", "totaling_mismatch", "invalid_sentence"], codes);
        var current = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/indicators/H1", TestApp.AdminToken), r => bed.Functions.GetIndicators(r, "H1", default));
        Assert.Equal(1, current.Json.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_unit_enters_figures_as_json_each_entry_a_new_version_with_a_receipt_and_missing_required_figures_are_thieu_so_lieu()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var token = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");

        var first = await bed.EnterAsync(PeriodId, token, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 12, ["QT_LUOT_NGUOI"] = 950, ["VHCS_KE_HOACH"] = true, ["ASXH_KINH_PHI"] = 12.5m, ["KNTC_TY_LE_GIAI_QUYET"] = 87.5m, ["TT_TIN_BAI"] = null });
        Assert.Equal(201, first.Status);
        var receipt = first.Json;
        Assert.Equal((1, "so-noi-vu", PeriodId, "json"), (receipt.GetProperty("version").GetInt32(), receipt.GetProperty("unitCode").GetString(), receipt.GetProperty("periodId").GetString(), receipt.GetProperty("source").GetString()));
        Assert.StartsWith("fig-", receipt.GetProperty("receiptId").GetString());
        Assert.Equal("2026-05-01T09:00:00+07:00", receipt.GetProperty("receivedAt").GetString());
        Assert.True(receipt.GetProperty("onTime").GetBoolean());
        Assert.Equal(("incomplete", "Thiếu số liệu"), (receipt.GetProperty("status").GetString(), receipt.GetProperty("statusLabel").GetString()));
        Assert.Contains("TCD_LUOT", receipt.GetProperty("missingRequired").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(new Dictionary<string, decimal> { ["ASXH_KINH_PHI"] = 12.5m, ["KNTC_TY_LE_GIAI_QUYET"] = 87.5m, ["QT_LUOT_NGUOI"] = 950, ["QT_SO_CUOC"] = 12, ["VHCS_KE_HOACH"] = 1 }, Values(receipt));

        var all = FiguresBed.SampleBody.GetProperty("indicators").EnumerateArray()
            .Where(i => i.GetProperty("required").GetBoolean())
            .ToDictionary(i => i.GetProperty("code").GetString()!, i => (object?)(i.GetProperty("type").GetString() == "yesno" ? false : 1));
        bed.App.Clock.Advance(TimeSpan.FromHours(1));
        var second = await bed.EnterAsync(PeriodId, token, all);
        Assert.Equal((201, 2, "complete"), (second.Status, second.Json.GetProperty("version").GetInt32(), second.Json.GetProperty("status").GetString()));
        Assert.Empty(second.Json.GetProperty("missingRequired").EnumerateArray());

        var versions = await bed.VersionsAsync(PeriodId, "so-noi-vu", token);
        Assert.Equal([1, 2], versions.Json.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        var units = (await bed.TotalsAsync(PeriodId)).Json.GetProperty("units").EnumerateArray().Single();
        Assert.Equal(("complete", 2), (units.GetProperty("figuresStatus").GetString(), units.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task Figures_of_the_wrong_type_negative_out_of_range_or_unknown_are_refused_and_nothing_is_stored()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var token = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");

        var bad = await bed.EnterAsync(PeriodId, token, new Dictionary<string, object?>
        {
            ["QT_SO_CUOC"] = "mười hai",
            ["QT_LUOT_NGUOI"] = -5,
            ["DVK_MO_HINH"] = 2.5m,
            ["KNTC_TY_LE_GIAI_QUYET"] = 150,
            ["VHCS_KE_HOACH"] = 3,
            ["TCD_LUOT"] = true,
            ["KHONG_CO_MA_NAY"] = 1,
            ["TT_TIN_BAI"] = 10,
        });
        var otherUnit = await bed.EnterAsync(PeriodId, token, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 1 }, query: "unit=so-y-te");
        var unknownPeriod = await bed.EnterAsync("2026-Q3", token, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 1 });
        var notJson = await TestHttp.InvokeAsync(TestHttp.Request("POST", $"/api/periods/{PeriodId}/figures", token, body: "QT_SO_CUOC=1"u8.ToArray(), contentType: "text/plain"), r => bed.Functions.EnterFigures(r, PeriodId, default));

        Assert.Equal((400, "validation_failed"), (bad.Status, bad.Code));
        var errors = ErrorsByField(bad);
        Assert.Equal("wrong_type", errors["QT_SO_CUOC"].GetProperty("code").GetString());
        Assert.Equal("negative", errors["QT_LUOT_NGUOI"].GetProperty("code").GetString());
        Assert.Equal("not_integer", errors["DVK_MO_HINH"].GetProperty("code").GetString());
        Assert.Equal("out_of_range", errors["KNTC_TY_LE_GIAI_QUYET"].GetProperty("code").GetString());
        Assert.Equal("wrong_type", errors["VHCS_KE_HOACH"].GetProperty("code").GetString());
        Assert.Equal("wrong_type", errors["TCD_LUOT"].GetProperty("code").GetString());
        Assert.Equal("unknown_indicator", errors["KHONG_CO_MA_NAY"].GetProperty("code").GetString());
        Assert.False(errors.ContainsKey("TT_TIN_BAI"));
        Assert.Contains("không được là số âm", errors["QT_LUOT_NGUOI"].GetProperty("detail").GetString());
        Assert.Equal((403, "forbidden"), (otherUnit.Status, otherUnit.Code));
        Assert.Equal((404, "unknown_period"), (unknownPeriod.Status, unknownPeriod.Code));
        Assert.Equal((415, "unsupported_media_type"), (notJson.Status, notJson.Code));

        Assert.Empty((await bed.VersionsAsync(PeriodId, "so-noi-vu")).Json.GetProperty("versions").EnumerateArray());
        Assert.Empty(await bed.App.Get<FigureStore>().LatestAsync(PeriodId));
    }

    [Fact]
    public async Task Vietnamese_number_writing_is_read_as_Vietnamese_readers_mean_it()
    {
        Assert.Equal(9450m, FigureRules.ParseNumber("9.450"));
        Assert.Equal(1234567.5m, FigureRules.ParseNumber("1.234.567,5"));
        Assert.Equal(12.5m, FigureRules.ParseNumber("12,5"));
        Assert.Equal(12.5m, FigureRules.ParseNumber("12.5"));
        Assert.Equal(-3m, FigureRules.ParseNumber("-3"));
        Assert.Null(FigureRules.ParseNumber("12,5,1"));
        Assert.Null(FigureRules.ParseNumber("mười"));
        Assert.Equal("9.450", IndicatorText.Format(9450m));
        Assert.Equal("12,5", IndicatorText.Format(12.5m));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task The_xlsx_template_is_generated_filled_in_with_OpenXml_uploaded_and_read_back()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var token = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");
        Assert.Equal(201, (await bed.EnterAsync(PeriodId, token, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 7 })).Status);

        var template = await bed.TemplateAsync(PeriodId, token);

        Assert.Equal((200, FiguresBed.Xlsx), (template.Status, template.ContentType));
        Assert.Contains("filename*=UTF-8''S%E1%BB%91%20li%E1%BB%87u%202026-H1", template.Headers.ContentDisposition.ToString());
        var filled = FillIn(template.Body, (doc, sheet) =>
        {
            Assert.Equal("Sở Nội vụ", CellText(doc, sheet, "B2"));
            Assert.Contains(PeriodId, CellText(doc, sheet, "B3"));
            Assert.Equal("7", CellText(doc, sheet, ValueCell(doc, sheet, "QT_SO_CUOC")));
            SetNumber(sheet, ValueCell(doc, sheet, "QT_SO_CUOC"), 128);
            SetSharedString(doc, sheet, ValueCell(doc, sheet, "QT_LUOT_NGUOI"), "9.450");
            SetSharedString(doc, sheet, ValueCell(doc, sheet, "VHCS_KE_HOACH"), "Có");
            SetSharedString(doc, sheet, ValueCell(doc, sheet, "ASXH_KINH_PHI"), "1.250,75");
            var hidden = doc.WorkbookPart!.Workbook!.Descendants<S.Sheet>().Single(s => s.Name == FigureTemplate.IdentitySheetName);
            Assert.Equal(S.SheetStateValues.VeryHidden, hidden.State!.Value);
        });

        var entered = await bed.EnterWorkbookAsync(PeriodId, token, filled);

        Assert.Equal((201, "xlsx", 2), (entered.Status, entered.Json.GetProperty("source").GetString(), entered.Json.GetProperty("version").GetInt32()));
        Assert.Equal(new Dictionary<string, decimal> { ["ASXH_KINH_PHI"] = 1250.75m, ["QT_LUOT_NGUOI"] = 9450, ["QT_SO_CUOC"] = 128, ["VHCS_KE_HOACH"] = 1 }, Values(entered.Json));
        var versions = await bed.VersionsAsync(PeriodId, "so-noi-vu", token);
        Assert.Equal(128m, versions.Json.GetProperty("versions")[1].GetProperty("values").GetProperty("QT_SO_CUOC").GetDecimal());
    }

    [Fact]
    public async Task A_template_of_another_unit_or_period_and_a_workbook_with_formulas_or_macros_are_refused_and_nothing_is_stored()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var token = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");
        var otherToken = await bed.UnitAsync("so-y-te", "Sở Y tế");
        var mine = (await bed.TemplateAsync(PeriodId, token)).Body;
        var others = (await bed.TemplateAsync(PeriodId, otherToken)).Body;
        var lastYear = (await bed.TemplateAsync("2025-Y", token)).Body;

        var otherUnit = await bed.EnterWorkbookAsync(PeriodId, token, others);
        var otherPeriod = await bed.EnterWorkbookAsync(PeriodId, token, lastYear);
        var formula = await bed.EnterWorkbookAsync(PeriodId, token, FillIn(mine, (doc, sheet) =>
            Cell(sheet, ValueCell(doc, sheet, "QT_SO_CUOC")).CellFormula = new S.CellFormula("SUM(100,28)")));
        var macroSheet = await bed.EnterWorkbookAsync(PeriodId, token, WithEntry(mine, "xl/macrosheets/sheet3.xml", "<xm:macrosheet xmlns:xm=\"http://schemas.microsoft.com/office/excel/2006/main\"/>"u8.ToArray()));
        var macros = await bed.EnterWorkbookAsync(PeriodId, token, WithEntry(mine, "xl/vbaProject.bin", [0xD0, 0xCF, 0x11, 0xE0]));
        var altered = await bed.EnterWorkbookAsync(PeriodId, token, FillIn(mine, (doc, sheet) =>
            SetSharedString(doc, sheet, "B" + RowOf(doc, sheet, "QT_SO_CUOC"), "MA_KHAC")));
        var badValue = await bed.EnterWorkbookAsync(PeriodId, token, FillIn(mine, (doc, sheet) => SetNumber(sheet, ValueCell(doc, sheet, "QT_LUOT_NGUOI"), -1)));
        var notAWorkbook = await bed.EnterWorkbookAsync(PeriodId, token, "%PDF-1.7 not a workbook"u8.ToArray());
        var someWorkbook = await bed.EnterWorkbookAsync(PeriodId, token, DanVan.Tests.Compilation.TestFiles.Xlsx("Một bảng tính bất kỳ"));

        Assert.Equal((400, "template_wrong_unit"), (otherUnit.Status, otherUnit.Code));
        Assert.Contains("Sở Nội vụ", otherUnit.Json.GetProperty("detail").GetString());
        Assert.Equal((400, "template_wrong_period"), (otherPeriod.Status, otherPeriod.Code));
        Assert.Equal((400, "workbook_formulas"), (formula.Status, formula.Code));
        Assert.Equal((400, "workbook_macros"), (macroSheet.Status, macroSheet.Code));
        Assert.Equal((400, "workbook_macros"), (macros.Status, macros.Code));
        Assert.Equal((400, "template_altered"), (altered.Status, altered.Code));
        Assert.Equal((400, "validation_failed"), (badValue.Status, badValue.Code));
        Assert.Equal((400, "invalid_workbook"), (notAWorkbook.Status, notAWorkbook.Code));
        Assert.Equal((400, "not_a_template"), (someWorkbook.Status, someWorkbook.Code));
        Assert.Empty(await bed.App.Get<FigureStore>().LatestAsync(PeriodId));
    }

    [Fact]
    public async Task Totals_add_up_for_the_province_and_by_unit_group()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var noiVu = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");
        var yTe = await bed.UnitAsync("so-y-te", "Sở Y tế");
        var tamDao = await bed.UnitAsync("ubnd-tam-dao", "UBND huyện Tam Đảo", "UBND cấp huyện");
        await bed.UnitAsync("ubnd-vinh-yen", "UBND thành phố Vĩnh Yên", "UBND cấp huyện");

        await bed.EnterAsync(PeriodId, noiVu, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 80, ["QT_LUOT_NGUOI"] = 6000, ["VHCS_KE_HOACH"] = true, ["KNTC_TY_LE_GIAI_QUYET"] = 90 });
        await bed.EnterAsync(PeriodId, yTe, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 20, ["QT_LUOT_NGUOI"] = 1450, ["VHCS_KE_HOACH"] = false });
        await bed.EnterAsync(PeriodId, tamDao, new Dictionary<string, object?> { ["QT_SO_CUOC"] = 28, ["QT_LUOT_NGUOI"] = 2000, ["VHCS_KE_HOACH"] = true });

        var response = await bed.TotalsAsync(PeriodId);

        var json = response.Json;
        Assert.Equal(["Sở, ban, ngành", "UBND cấp huyện"], json.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        var indicators = json.GetProperty("indicators").EnumerateArray().ToDictionary(i => i.GetProperty("code").GetString()!, i => i);
        Assert.Equal((128m, 3), (indicators["QT_SO_CUOC"].GetProperty("total").GetDecimal(), indicators["QT_SO_CUOC"].GetProperty("answered").GetInt32()));
        Assert.Equal(9450m, indicators["QT_LUOT_NGUOI"].GetProperty("total").GetDecimal());
        Assert.Equal(2m, indicators["VHCS_KE_HOACH"].GetProperty("total").GetDecimal());
        Assert.False(indicators["KNTC_TY_LE_GIAI_QUYET"].TryGetProperty("total", out var absent));
        var byGroup = indicators["QT_SO_CUOC"].GetProperty("byGroup").EnumerateArray().ToDictionary(g => g.GetProperty("group").GetString()!, g => g.GetProperty("total").GetDecimal());
        Assert.Equal(new Dictionary<string, decimal> { ["Sở, ban, ngành"] = 100, ["UBND cấp huyện"] = 28 }, byGroup);
        var yesByGroup = indicators["VHCS_KE_HOACH"].GetProperty("byGroup").EnumerateArray().ToDictionary(g => g.GetProperty("group").GetString()!, g => g.GetProperty("total").GetDecimal());
        Assert.Equal(new Dictionary<string, decimal> { ["Sở, ban, ngành"] = 1, ["UBND cấp huyện"] = 1 }, yesByGroup);
        var statuses = json.GetProperty("units").EnumerateArray().ToDictionary(u => u.GetProperty("unitCode").GetString()!, u => u.GetProperty("figuresStatus").GetString());
        Assert.Equal("incomplete", statuses["so-noi-vu"]);
        Assert.Equal("none", statuses["ubnd-vinh-yen"]);

        var byUnit = await bed.TotalsAsync(PeriodId, noiVu);
        Assert.Equal((403, "forbidden"), (byUnit.Status, byUnit.Code));

        // The status route says the same beside each unit's report status: thiếu số liệu, not missing.
        var periods = bed.App.Get<DanVan.Functions.PeriodsFunctions>();
        var status = await TestHttp.InvokeAsync(TestHttp.Request("GET", $"/api/periods/{PeriodId}/status", TestApp.AdminToken), r => periods.PeriodStatus(r, PeriodId, default));
        var rows = status.Json.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("unitCode").GetString()!, r => r);
        Assert.Equal(("missing", "incomplete"), (rows["so-noi-vu"].GetProperty("status").GetString(), rows["so-noi-vu"].GetProperty("figuresStatus").GetString()));
        Assert.Equal("none", rows["ubnd-vinh-yen"].GetProperty("figuresStatus").GetString());
    }

    internal static byte[] FillIn(byte[] template, Action<SpreadsheetDocument, S.Worksheet> edit)
    {
        using var stream = new MemoryStream();
        stream.Write(template);
        using (var doc = SpreadsheetDocument.Open(stream, true))
        {
            var sheet = SheetNamed(doc, FigureTemplate.SheetName);
            edit(doc, sheet);
            sheet.Save();
        }

        return stream.ToArray();
    }

    private static S.Worksheet SheetNamed(SpreadsheetDocument doc, string name)
    {
        var id = doc.WorkbookPart!.Workbook!.Descendants<S.Sheet>().Single(s => s.Name == name).Id!.Value!;
        return ((WorksheetPart)doc.WorkbookPart.GetPartById(id)).Worksheet!;
    }

    internal static string RowOf(SpreadsheetDocument doc, S.Worksheet sheet, string code) =>
        sheet.Descendants<S.Cell>().Single(c => c.CellReference!.Value!.StartsWith('B') && CellText(doc, sheet, c.CellReference!.Value!) == code).CellReference!.Value![1..];

    /// <summary>The cell the template wants the indicator's figure in: column F of the row its code is on.</summary>
    internal static string ValueCell(SpreadsheetDocument doc, S.Worksheet sheet, string code) => "F" + RowOf(doc, sheet, code);

    internal static S.Cell Cell(S.Worksheet sheet, string reference)
    {
        var rowIndex = uint.Parse(reference[1..], System.Globalization.CultureInfo.InvariantCulture);
        var row = sheet.Descendants<S.Row>().Single(r => r.RowIndex!.Value == rowIndex);
        var cell = row.Elements<S.Cell>().SingleOrDefault(c => c.CellReference!.Value == reference);
        if (cell is null)
        {
            cell = new S.Cell { CellReference = reference };
            row.Append(cell);
        }

        return cell;
    }

    internal static string CellText(SpreadsheetDocument doc, S.Worksheet sheet, string reference)
    {
        var cell = sheet.Descendants<S.Cell>().SingleOrDefault(c => c.CellReference!.Value == reference);
        if (cell is null)
        {
            return "";
        }

        return cell.DataType?.Value == S.CellValues.SharedString
            ? doc.WorkbookPart!.SharedStringTablePart!.SharedStringTable!.Elements<S.SharedStringItem>().ElementAt(int.Parse(cell.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)).InnerText
            : cell.InlineString?.InnerText ?? cell.CellValue?.Text ?? "";
    }

    internal static void SetNumber(S.Worksheet sheet, string reference, decimal value)
    {
        var cell = Cell(sheet, reference);
        cell.RemoveAllChildren();
        cell.DataType = S.CellValues.Number;
        cell.Append(new S.CellValue(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Text the way Excel saves what a person typed: in the shared strings table.</summary>
    internal static void SetSharedString(SpreadsheetDocument doc, S.Worksheet sheet, string reference, string text)
    {
        var part = doc.WorkbookPart!.SharedStringTablePart ?? doc.WorkbookPart.AddNewPart<SharedStringTablePart>();
        part.SharedStringTable ??= new S.SharedStringTable();
        part.SharedStringTable.Append(new S.SharedStringItem(new S.Text(text)));
        var index = part.SharedStringTable.Elements<S.SharedStringItem>().Count() - 1;
        var cell = Cell(sheet, reference);
        cell.RemoveAllChildren();
        cell.DataType = S.CellValues.SharedString;
        cell.Append(new S.CellValue(index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static byte[] WithEntry(byte[] xlsx, string name, byte[] content)
    {
        using var stream = new MemoryStream();
        stream.Write(xlsx);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var entry = zip.CreateEntry(name).Open();
            entry.Write(content);
        }

        return stream.ToArray();
    }
}
