using System.IO.Compression;
using System.Text;
using DanVan.Auth;
using DanVan.Functions;
using DanVan.Registry;
using DanVan.Tests.Support;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace DanVan.Tests.Registry;

/// <summary>The registry from a spreadsheet: the template, XLSX and CSV read by header, the preview by cell, apply all or nothing.</summary>
public class UnitImportTests
{
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static readonly string[] Header =
        ["Mã đơn vị (code)", "Tên đơn vị (name)", "Nhóm (group)", "Email liên hệ (emails)", "Email thủ trưởng (headEmail)", "Hiệu lực từ ngày (activeFrom)", "Hoạt động đến hết ngày (activeTo)"];

    [Fact]
    public async Task The_template_has_the_columns_an_example_row_and_a_vietnamese_notes_sheet_and_reads_back_as_one_valid_unit()
    {
        await using var app = await TestApp.StartAsync();
        var access = app.Get<AccessFunctions>();

        var response = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/units/template.xlsx", TestApp.AdminToken), r => access.UnitsTemplate(r, default));

        Assert.Equal(200, response.Status);
        Assert.Equal(Xlsx, response.ContentType);
        Assert.Contains("filename*=UTF-8''M%E1%BA%ABu%20danh%20s%C3%A1ch%20%C4%91%C6%A1n%20v%E1%BB%8B.xlsx", response.Headers.ContentDisposition.ToString());
        using var document = SpreadsheetDocument.Open(new MemoryStream(response.Body), false);
        var sheets = document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Select(s => s.Name!.Value).ToList();
        Assert.Equal(["Đơn vị", "Hướng dẫn"], sheets);
        var notes = (WorksheetPart)document.WorkbookPart.GetPartById(document.WorkbookPart.Workbook.Sheets!.Elements<Sheet>().Last().Id!);
        Assert.Contains("HƯỚNG DẪN ĐIỀN DANH SÁCH ĐƠN VỊ", notes.Worksheet.InnerText);
        Assert.Contains("Không dùng công thức và macro", notes.Worksheet.InnerText);

        var parsed = UnitFileReader.Read(response.Body, Xlsx);
        var row = Assert.Single(parsed.Rows);
        Assert.Equal(("xlsx", 2, "so-noi-vu", "Sở Nội vụ"), (parsed.Format, row.Line, row.Record.Code, row.Record.Name));
        Assert.Equal(["van.thu@so-noi-vu.example.org", "lanh.dao@so-noi-vu.example.org"], row.Record.Emails);
        var errors = new List<DanVan.Domain.Violation>();
        Assert.NotNull(UnitRules.Validate(row.Record, 0, errors));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_filled_workbook_previews_added_changed_ended_and_unchanged_rows_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var registry = app.Get<UnitRegistry>();
        await registry.ImportAsync([Samples.Unit("so-noi-vu", "Sở Nội vụ"), Samples.Unit("so-y-te", "Sở Y tế"), Samples.Unit("ubnd-vinh-yen", "UBND thành phố Vĩnh Yên")]);
        var body = Workbook(
            Header,
            ["so-noi-vu", "Sở Nội vụ", "Sở, ban, ngành", "so-noi-vu@example.org", "thu-truong.so-noi-vu@example.org", "2023-05-25", ""],
            ["so-y-te", "Sở Y tế tỉnh", "Sở, ban, ngành", "so-y-te@example.org; van.thu@so-y-te.example.org", "thu-truong.so-y-te@example.org", "25/05/2023", ""],
            ["ubnd-vinh-yen", "UBND thành phố Vĩnh Yên", "Sở, ban, ngành", "ubnd-vinh-yen@example.org", "thu-truong.ubnd-vinh-yen@example.org", "2023-05-25", "30/06/2025"],
            ["so-moi", "Sở Mới", "Sở, ban, ngành", "so-moi@example.org", "", "2025-07-01", ""]);

        var preview = await InvokeImportAsync(app, body, Xlsx, "dryRun=true");

        Assert.Equal(200, preview.Status);
        var json = preview.Json;
        Assert.Equal((1, 1, 1, 1, 0), (json.GetProperty("added").GetInt32(), json.GetProperty("changed").GetInt32(), json.GetProperty("ended").GetInt32(), json.GetProperty("unchanged").GetInt32(), json.GetProperty("invalid").GetInt32()));
        var rows = json.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("code").GetString()!);
        Assert.Equal(("unchanged", 2), (rows["so-noi-vu"].GetProperty("action").GetString(), rows["so-noi-vu"].GetProperty("line").GetInt32()));
        Assert.Equal("changed", rows["so-y-te"].GetProperty("action").GetString());
        Assert.Equal(["name", "emails"], rows["so-y-te"].GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("field").GetString()));
        Assert.Equal("Sở Y tế tỉnh", rows["so-y-te"].GetProperty("changes")[0].GetProperty("after").GetString());
        Assert.Equal("ended", rows["ubnd-vinh-yen"].GetProperty("action").GetString());
        Assert.Equal("2025-06-30", rows["ubnd-vinh-yen"].GetProperty("changes")[0].GetProperty("after").GetString());
        Assert.Equal("added", rows["so-moi"].GetProperty("action").GetString());
        Assert.Equal("Sở Y tế", (await registry.FindAsync("so-y-te"))!.Name);
        Assert.Null((await registry.FindAsync("so-moi")));
    }

    [Fact]
    public async Task A_bad_row_is_reported_by_cell_in_vietnamese_and_applying_the_file_writes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var body = Workbook(
            Header,
            ["so-noi-vu", "Sở Nội vụ", "Sở, ban, ngành", "so-noi-vu@example.org", "", "2023-05-25", ""],
            ["so-y-te", "Sở Y tế", "Sở, ban, ngành", "khong-phai-email", "", "31/02/2023", ""],
            ["so-noi-vu", "Sở Nội vụ (trùng)", "Sở, ban, ngành", "", "", "2023-05-25", ""]);

        var preview = await InvokeImportAsync(app, body, Xlsx, "dryRun=true");
        var apply = await InvokeImportAsync(app, body, Xlsx, null);

        var rows = preview.Json.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2, preview.Json.GetProperty("invalid").GetInt32());
        var errors = rows[1].GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("cell").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Equal([("D3", "invalid_email"), ("F3", "invalid_date")], errors);
        Assert.Contains("không hợp lệ", rows[1].GetProperty("errors")[0].GetProperty("detail").GetString());
        Assert.Equal(("A4", "duplicate_code"), (rows[2].GetProperty("errors")[0].GetProperty("cell").GetString(), rows[2].GetProperty("errors")[0].GetProperty("code").GetString()));
        Assert.Equal((400, "validation_failed"), (apply.Status, apply.Code));
        Assert.Contains(apply.Json.GetProperty("errors").EnumerateArray(), e => e.GetProperty("detail").GetString()!.StartsWith("Dòng 3, ô D3: ", StringComparison.Ordinal));
        Assert.Empty(await app.Get<UnitRegistry>().ListAsync());
    }

    [Fact]
    public async Task Applying_with_the_preview_id_writes_what_was_previewed_and_is_refused_once_the_registry_changed()
    {
        await using var app = await TestApp.StartAsync();
        var registry = app.Get<UnitRegistry>();
        await registry.ImportAsync([Samples.Unit("so-y-te", "Sở Y tế")]);
        var body = Workbook(Header,
            ["so-y-te", "Sở Y tế tỉnh", "Sở, ban, ngành", "so-y-te@example.org", "", "2023-05-25", ""],
            ["so-moi", "Sở Mới", "Sở, ban, ngành", "so-moi@example.org", "", "2025-07-01", ""]);
        var first = (await InvokeImportAsync(app, body, Xlsx, "dryRun=true")).Json.GetProperty("previewId").GetString();

        await registry.PutAsync(new DanVan.Domain.Unit("so-y-te", "Sở Y tế (sửa tay)", "Sở, ban, ngành", [], null, new DateOnly(2023, 5, 25), null));
        var stale = await InvokeImportAsync(app, body, Xlsx, "previewId=" + first);
        var second = (await InvokeImportAsync(app, body, Xlsx, "dryRun=true")).Json.GetProperty("previewId").GetString();
        var applied = await InvokeImportAsync(app, body, Xlsx, "previewId=" + second);

        Assert.Equal((409, "import_preview_outdated"), (stale.Status, stale.Code));
        Assert.NotEqual(first, second);
        Assert.Equal(200, applied.Status);
        Assert.Equal((1, 1), (applied.Json.GetProperty("imported").GetInt32(), applied.Json.GetProperty("updated").GetInt32()));
        Assert.Equal("Sở Y tế tỉnh", (await registry.FindAsync("so-y-te"))!.Name);
        Assert.NotNull(await registry.FindAsync("so-moi"));
        var trail = await app.Get<DanVan.Audit.AuditLog>().ListAsync(DanVan.Audit.AuditEntity.NoPeriod);
        Assert.Contains(trail, e => e.Action == "unit.import" && e.Detail!.Contains("xlsx: imported=1 updated=1") && e.Detail.Contains(second!));
    }

    [Fact]
    public async Task A_csv_as_excel_writes_it_in_a_vietnamese_locale_with_bom_and_semicolons_reads_like_the_workbook()
    {
        await using var app = await TestApp.StartAsync();
        var semicolons = "\uFEFFMã đơn vị (code);Tên đơn vị (name);Nhóm (group);Email liên hệ (emails);Email thủ trưởng (headEmail);Hiệu lực từ ngày (activeFrom);Hoạt động đến hết ngày (activeTo)\r\n" +
            "so-van-hoa;\"Sở Văn hóa; Thể thao và Du lịch\";Sở, ban, ngành;\"a@svh.example.org; b@svh.example.org\";;01/07/2025;\r\n" +
            "ubnd-tam-dao;\"UBND huyện \"\"Tam Đảo\"\"\";UBND cấp huyện;ubnd@tamdao.example.org;;2023-05-25;2025-06-30\r\n";
        var commas = "code,name,group,emails,headEmail,activeFrom,activeTo\n" +
            "so-van-hoa,\"Sở Văn hóa, Thể thao và Du lịch\",\"Sở, ban, ngành\",a@svh.example.org,,2025-07-01,\n";

        var fromSemicolons = UnitFileReader.Read(Encoding.UTF8.GetBytes(semicolons), "text/csv");
        var fromCommas = UnitFileReader.Read(Encoding.UTF8.GetBytes(commas), "text/csv; charset=utf-8");
        var applied = await InvokeImportAsync(app, Encoding.UTF8.GetBytes(semicolons), "text/csv", null);

        Assert.Equal("csv", fromSemicolons.Format);
        Assert.Equal(2, fromSemicolons.Rows.Count);
        Assert.Equal(new UnitRecord("so-van-hoa", "Sở Văn hóa; Thể thao và Du lịch", "Sở, ban, ngành", ["a@svh.example.org", "b@svh.example.org"], null, "2025-07-01", null),
            fromSemicolons.Rows[0].Record, new RecordComparer());
        Assert.Equal("UBND huyện \"Tam Đảo\"", fromSemicolons.Rows[1].Record.Name);
        Assert.Equal(("2023-05-25", "2025-06-30", "G3"), (fromSemicolons.Rows[1].Record.ActiveFrom, fromSemicolons.Rows[1].Record.ActiveTo, fromSemicolons.Rows[1].CellOf("activeTo")));
        Assert.Equal(("Sở Văn hóa, Thể thao và Du lịch", "Sở, ban, ngành"), (fromCommas.Rows[0].Record.Name, fromCommas.Rows[0].Record.Group));
        Assert.Equal(200, applied.Status);
        Assert.Equal(2, (await app.Get<UnitRegistry>().ListAsync()).Count);
    }

    [Fact]
    public async Task A_csv_that_is_not_utf8_a_formula_cell_and_a_workbook_with_macros_are_refused_in_vietnamese()
    {
        await using var app = await TestApp.StartAsync();
        var latin1 = Encoding.Latin1.GetBytes("code,name,group,activeFrom\nso-y-te,S\u00e0 Y t\u00e9,S\u00e0,2023-05-25\n");
        var withFormula = Workbook(Header, ["so-y-te", "Sở Y tế", "Sở, ban, ngành", "a@example.org", "", "=TODAY()", ""]);
        var withMacros = AddEntry(Workbook(Header, ["so-y-te", "Sở Y tế", "Sở, ban, ngành", "a@example.org", "", "2023-05-25", ""]), "xl/vbaProject.bin");

        var encoding = await InvokeImportAsync(app, latin1, "text/csv", "dryRun=true");
        var formula = await InvokeImportAsync(app, withFormula, Xlsx, "dryRun=true");
        var macros = await InvokeImportAsync(app, withMacros, Xlsx, "dryRun=true");
        var notSpreadsheet = await InvokeImportAsync(app, [0x50, 0x4B, 0x03, 0x04, 1, 2, 3], Xlsx, "dryRun=true");

        Assert.Equal((400, "invalid_encoding"), (encoding.Status, encoding.Code));
        Assert.Contains("UTF-8", encoding.Json.GetProperty("detail").GetString());
        var error = formula.Json.GetProperty("rows")[0].GetProperty("errors")[0];
        Assert.Equal(("F2", "formula_not_allowed"), (error.GetProperty("cell").GetString(), error.GetProperty("code").GetString()));
        Assert.Equal((400, "macros_not_allowed"), (macros.Status, macros.Code));
        Assert.Equal((400, "invalid_xlsx"), (notSpreadsheet.Status, notSpreadsheet.Code));
    }

    [Fact]
    public async Task A_workbook_with_an_excel_4_macro_sheet_and_no_vba_project_is_refused_like_one_with_macros()
    {
        await using var app = await TestApp.StartAsync();
        var plain = Workbook(Header, ["so-y-te", "Sở Y tế", "Sở, ban, ngành", "a@example.org", "", "2023-05-25", ""]);
        var underMacrosheets = AddEntry(plain, "xl/macrosheets/sheet2.xml");
        var declaredElsewhere = WithMacroSheetDeclared(plain, "xl/worksheets/sheet9.xml");

        var named = await InvokeImportAsync(app, underMacrosheets, Xlsx, "dryRun=true");
        var declared = await InvokeImportAsync(app, declaredElsewhere, Xlsx, "dryRun=true");
        var applied = await InvokeImportAsync(app, underMacrosheets, Xlsx, null);

        Assert.Equal((400, "macros_not_allowed"), (named.Status, named.Code));
        Assert.Equal((400, "macros_not_allowed"), (declared.Status, declared.Code));
        Assert.Contains("macro", named.Json.GetProperty("detail").GetString());
        Assert.Equal(400, applied.Status);
        Assert.Empty(await app.Get<UnitRegistry>().ListAsync());
    }

    /// <summary>An Excel 4.0 macro sheet stored under an ordinary worksheet's name, known only by its content type.</summary>
    private static byte[] WithMacroSheetDeclared(byte[] xlsx, string part)
    {
        using var stream = new MemoryStream();
        stream.Write(xlsx);
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            var types = archive.GetEntry("[Content_Types].xml")!;
            string text;
            using (var reader = new StreamReader(types.Open()))
            {
                text = reader.ReadToEnd();
            }

            types.Delete();
            using (var writer = new StreamWriter(archive.CreateEntry("[Content_Types].xml").Open()))
            {
                writer.Write(text.Replace("</Types>", $"<Override PartName=\"/{part}\" ContentType=\"application/vnd.ms-excel.macrosheet+xml\"/></Types>", StringComparison.Ordinal));
            }

            using var entry = new StreamWriter(archive.CreateEntry(part).Open());
            entry.Write("<?xml version=\"1.0\" encoding=\"UTF-8\"?><xm:macrosheet xmlns:xm=\"http://schemas.microsoft.com/office/excel/2006/main\"/>");
        }

        return stream.ToArray();
    }

    [Fact]
    public async Task Dates_excel_stored_as_serial_numbers_and_columns_in_another_order_are_read_by_header()
    {
        var body = Workbook(
            ["Tên đơn vị", "activeFrom", "Mã đơn vị", "Nhóm"],
            ["Sở Y tế", "45839", "so-y-te", "Sở, ban, ngành"]);

        var row = Assert.Single(UnitFileReader.Read(body, Xlsx).Rows);

        Assert.Equal(("so-y-te", "Sở Y tế", "2025-07-01", "B2"), (row.Record.Code, row.Record.Name, row.Record.ActiveFrom, row.CellOf("activeFrom")));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_file_without_the_required_columns_is_refused_naming_them()
    {
        await using var app = await TestApp.StartAsync();

        var response = await InvokeImportAsync(app, Encoding.UTF8.GetBytes("Tên đơn vị;Email\nSở Y tế;a@example.org\n"), "text/csv", "dryRun=true");

        Assert.Equal((400, "missing_columns"), (response.Status, response.Code));
        Assert.Contains("Mã đơn vị (code)", response.Json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_unit_credential_cannot_download_the_template_preview_an_import_or_see_access()
    {
        await using var app = await TestApp.StartAsync();
        await app.Get<UnitRegistry>().ImportAsync([Samples.Unit("so-y-te", "Sở Y tế")]);
        var token = (await app.Get<CredentialStore>().IssueAsync("so-y-te")).Token;
        var access = app.Get<AccessFunctions>();
        var units = app.Get<UnitsFunctions>();

        var template = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/units/template.xlsx", token), r => access.UnitsTemplate(r, default));
        var preview = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/import", token, body: Encoding.UTF8.GetBytes("x"), contentType: "text/csv", query: "dryRun=true"), r => units.ImportUnits(r, default));
        var list = await TestHttp.InvokeAsync(TestHttp.Request("GET", "/api/units/access", token), r => access.ListUnitAccess(r, default));
        var send = await TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/access-links", token, new { withoutAccess = true }), r => access.SendAccessLinks(r, default));

        Assert.All([template, preview, list, send], r => Assert.Equal((403, "forbidden"), (r.Status, r.Code)));
    }

    private static Task<TestResponse> InvokeImportAsync(TestApp app, byte[] body, string contentType, string? query) =>
        TestHttp.InvokeAsync(TestHttp.Request("POST", "/api/units/import", TestApp.AdminToken, body: body, contentType: contentType, query: query), r => app.Get<UnitsFunctions>().ImportUnits(r, default));

    /// <summary>A workbook as Excel saves it: shared strings for text, a number cell for a digits-only value, a formula for "=…".</summary>
    internal static byte[] Workbook(params string[][] rows)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            var strings = workbook.AddNewPart<SharedStringTablePart>();
            strings.SharedStringTable = new SharedStringTable();
            var sheet = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            for (var r = 0; r < rows.Length; r++)
            {
                var row = new Row { RowIndex = (uint)r + 1 };
                for (var c = 0; c < rows[r].Length; c++)
                {
                    var value = rows[r][c];
                    var reference = UnitSheet.Letters(c) + (r + 1);
                    if (value.Length == 0)
                    {
                        continue;
                    }

                    if (value.StartsWith('='))
                    {
                        row.Append(new Cell(new CellFormula(value[1..]), new CellValue("46000")) { CellReference = reference });
                    }
                    else if (value.All(char.IsAsciiDigit))
                    {
                        row.Append(new Cell(new CellValue(value)) { CellReference = reference, DataType = CellValues.Number });
                    }
                    else
                    {
                        strings.SharedStringTable.Append(new SharedStringItem(new Text(value)));
                        row.Append(new Cell(new CellValue((strings.SharedStringTable.Count() - 1).ToString())) { CellReference = reference, DataType = CellValues.SharedString });
                    }
                }

                data.Append(row);
            }

            sheet.Worksheet = new Worksheet(data);
            workbook.Workbook = new Workbook(new Sheets(new Sheet { Name = "Đơn vị", SheetId = 1, Id = workbook.GetIdOfPart(sheet) }));
        }

        return stream.ToArray();
    }

    private static byte[] AddEntry(byte[] zip, string name)
    {
        using var stream = new MemoryStream();
        stream.Write(zip);
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var entry = archive.CreateEntry(name).Open();
            entry.Write([1, 2, 3]);
        }

        return stream.ToArray();
    }

    private sealed class RecordComparer : IEqualityComparer<UnitRecord>
    {
        public bool Equals(UnitRecord? x, UnitRecord? y) =>
            x is not null && y is not null && x with { Emails = null } == y with { Emails = null } && (x.Emails ?? []).SequenceEqual(y.Emails ?? []);

        public int GetHashCode(UnitRecord obj) => obj.Code?.GetHashCode() ?? 0;
    }
}
