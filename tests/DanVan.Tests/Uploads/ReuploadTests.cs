using System.Text.Json;
using DanVan.Tests.Support;

namespace DanVan.Tests.Uploads;

/// <summary>A byte-identical re-upload stores nothing new; its answer says which version it copies and what of that version stands.</summary>
public sealed class ReuploadTests
{
    private static string[] Kept(TestResponse response) =>
        response.Json.GetProperty("duplicateOf").GetProperty("kept").EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task An_identical_reupload_with_another_name_or_note_answers_the_old_receipt_and_names_what_was_kept()
    {
        await using var bed = await UploadBed.StartAsync();
        var pdf = Samples.Pdf(10_000);

        var first = await bed.SendAsync(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(pdf, "Báo cáo.pdf"), MultipartPart.Text("note", "Bản đầu")));
        var same = await bed.SendAsync(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(pdf, "Báo cáo.pdf"), MultipartPart.Text("note", "Bản đầu")));
        var renoted = await bed.SendAsync(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(pdf, "Báo cáo.pdf"), MultipartPart.Text("note", "Bản sửa")));
        var renamed = await bed.SendAsync(UploadBed.Multipart(bed.UnitToken, MultipartPart.File(pdf, "Báo cáo (2).pdf"), MultipartPart.Text("note", "Bản đầu")));
        var rawRenamed = await bed.SendAsync(UploadBed.Raw(pdf, "Bản chính.pdf", bed.UnitToken));

        Assert.Equal(201, first.Status);
        Assert.False(first.Json.TryGetProperty("duplicateOf", out _));
        Assert.All(new[] { same, renoted, renamed, rawRenamed }, r =>
        {
            Assert.Equal(200, r.Status);
            Assert.Equal(1, r.Json.GetProperty("version").GetInt32());
            Assert.Equal(1, r.Json.GetProperty("duplicateOf").GetProperty("version").GetInt32());
            Assert.Equal("Báo cáo.pdf", r.Json.GetProperty("fileName").GetString());
            Assert.Equal("Bản đầu", r.Json.GetProperty("note").GetString());
        });
        Assert.Empty(Kept(same));
        Assert.Equal(["note"], Kept(renoted));
        Assert.Equal(["fileName"], Kept(renamed));
        Assert.Equal(["fileName", "note"], Kept(rawRenamed)); // a raw body carries no note: the old one stands

        var versions = (await bed.ListAsync(UploadBed.Unit, bed.UnitToken)).Json.GetProperty("versions");
        Assert.Equal(1, versions.GetArrayLength());
        Assert.Equal("Báo cáo.pdf", versions[0].GetProperty("fileName").GetString());
        var audit = await bed.App.Get<DanVan.Audit.AuditLog>().PageAsync([UploadBed.Period], 50, null);
        Assert.Contains(audit.Items, e => JsonSerializer.Serialize(e).Contains("kept fileName, note of v1", StringComparison.Ordinal));
    }
}
