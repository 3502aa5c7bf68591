using System.Text;
using DanVan.Figures;
using DanVan.Tests.Support;

namespace DanVan.Tests.Figures;

/// <summary>Figures input DanVan once took as something it was not (issue 26), against Azurite through the figures routes.</summary>
public sealed class FiguresInputTests
{
    private const string PeriodId = "2026-H1";

    private static Task<TestResponse> EnterJsonAsync(FiguresBed bed, string token, string json) =>
        TestHttp.InvokeAsync(
            TestHttp.Request("POST", $"/api/periods/{PeriodId}/figures", token, body: Encoding.UTF8.GetBytes(json), contentType: "application/json"),
            r => bed.Functions.EnterFigures(r, PeriodId, default));

    private static async Task<int> VersionCountAsync(FiguresBed bed) =>
        (await bed.VersionsAsync(PeriodId, "so-noi-vu")).Json.GetProperty("versions").GetArrayLength();

    [Fact]
    public async Task A_note_with_NUL_or_another_control_character_is_refused_and_tabs_and_line_breaks_are_kept()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var token = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");

        foreach (var note in new[] { "Số liệu\u0000ẩn", "chuông\u0007", "xoá\u007f", "C1\u0085giữa" })
        {
            var refused = await EnterJsonAsync(bed, token, System.Text.Json.JsonSerializer.Serialize(new { values = new { QT_SO_CUOC = 3 }, note }));
            Assert.Equal((400, "validation_failed"), (refused.Status, refused.Code));
            Assert.Equal("control_character", refused.Json.GetProperty("errors")[0].GetProperty("code").GetString());
        }

        Assert.Equal(0, await VersionCountAsync(bed));
        var kept = await EnterJsonAsync(bed, token, System.Text.Json.JsonSerializer.Serialize(new { values = new { QT_SO_CUOC = 3 }, note = "Dòng 1\r\nDòng 2\tcột" }));
        Assert.Equal(201, kept.Status);
        Assert.Equal("Dòng 1\r\nDòng 2\tcột", kept.Json.GetProperty("note").GetString());
    }

    [Fact]
    public async Task An_entry_that_names_an_indicator_twice_is_invalid_json_and_stores_nothing()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var token = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");

        var twice = await EnterJsonAsync(bed, token, """{"values":{"QT_SO_CUOC":3,"QT_SO_CUOC":300}}""");
        var noteTwice = await EnterJsonAsync(bed, token, """{"values":{"QT_SO_CUOC":3},"note":"a","note":"b"}""");

        Assert.Equal((400, "invalid_json"), (twice.Status, twice.Code));
        Assert.Equal((400, "invalid_json"), (noteTwice.Status, noteTwice.Code));
        Assert.Equal(0, await VersionCountAsync(bed));
    }

    [Fact]
    public async Task A_yes_no_indicator_takes_true_or_false_in_json_and_a_number_is_the_wrong_type()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var token = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");

        foreach (var number in new[] { "1", "0", "2" })
        {
            var refused = await EnterJsonAsync(bed, token, "{\"values\":{\"VHCS_KE_HOACH\":" + number + "}}");
            Assert.Equal((400, "validation_failed"), (refused.Status, refused.Code));
            Assert.Equal(("VHCS_KE_HOACH", "wrong_type"), (refused.Json.GetProperty("errors")[0].GetProperty("field").GetString(), refused.Json.GetProperty("errors")[0].GetProperty("code").GetString()));
        }

        var yes = await EnterJsonAsync(bed, token, """{"values":{"VHCS_KE_HOACH":true}}""");
        Assert.Equal(201, yes.Status);
        Assert.Equal(1, await VersionCountAsync(bed));
    }

    [Fact]
    public async Task A_figures_workbook_over_the_limit_is_413_as_the_contract_says()
    {
        var bed = await FiguresBed.StartAsync();
        await using var _ = bed.App;
        var token = await bed.UnitAsync("so-noi-vu", "Sở Nội vụ");
        var oversize = new byte[FigureWorkbookReader.MaxBytes + 1];
        "PK\u0003\u0004"u8.CopyTo(oversize);

        var declared = await bed.EnterWorkbookAsync(PeriodId, token, oversize);
        var chunked = TestHttp.Request("POST", $"/api/periods/{PeriodId}/figures", token, body: oversize, contentType: FiguresBed.Xlsx);
        chunked.ContentLength = null;
        var streamed = await TestHttp.InvokeAsync(chunked, r => bed.Functions.EnterFigures(r, PeriodId, default));

        Assert.Equal((413, "workbook_too_large"), (declared.Status, declared.Code));
        Assert.Equal((413, "workbook_too_large"), (streamed.Status, streamed.Code));
        Assert.Equal(0, await VersionCountAsync(bed));
    }
}
