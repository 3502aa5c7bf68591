using System.Net;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;

namespace DanVan.EndToEnd;

/// <summary>Sở Nội vụ's decisions through the real worker: return → email → resubmission → accept.</summary>
[Collection(DanVanHostCollection.Name)]
public sealed class DecisionsRoutesTests(DanVanHost danvan)
{
    /// <summary>The period a unit reports for at the suite's instant.</summary>
    private static readonly PlanPeriod Period = SamplePlan.Current(SuiteClock.Now);

    [Fact]
    public async Task A_returned_report_is_emailed_with_its_reason_resubmitted_and_then_accepted()
    {
        var (code, token) = await danvan.UnitWithTokenAsync("dec");
        await danvan.UploadAsync(token, Period.Id);
        const string reason = "Thiếu phụ lục số liệu mục II.2; đề nghị bổ sung và gửi lại.";

        using (var asUnit = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Post, $"api/periods/{Period.Id}/decisions/{code}/review", Api.Json(new { version = 1, decision = "accepted" }))))
        {
            await asUnit.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        using (var returned = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/periods/{Period.Id}/decisions/{code}/review", Api.Json(new { version = 1, decision = "returned", reason }))))
        {
            var body = await returned.ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("returned", body.GetProperty("review").GetString());
            Assert.Equal("queued", body.GetProperty("email").GetString());
            Assert.NotNull(returned.Headers.ETag);
        }

        var mail = await danvan.WaitForMailAsync(code, "decision-returned");
        Assert.Equal([$"{code}@example.org"], mail.To);
        Assert.Contains(reason, mail.Text);
        Assert.Contains("/api/upload", mail.Text);
        Assert.Contains(reason, mail.Html);

        // The unit sees the return and its reason beside the period.
        var mine = await UnitPeriodAsync(token);
        Assert.Equal("returned", mine.GetProperty("myReview").GetString());
        Assert.Equal(reason, mine.GetProperty("myReturnReason").GetString());

        byte[] corrected = [.. Scenario.SmallPdf[..^7], .. "\n% sửa\n%%EOF\n"u8];
        using (var resubmitted = await danvan.SendAsync(Scenario.UploadRequest(token, Period.Id, pdf: corrected)))
        {
            Assert.Equal(2, (await resubmitted.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("version").GetInt32());
        }

        var row = await StatusRowAsync(code);
        Assert.Equal("pending", row.GetProperty("review").GetString());
        Assert.Equal(2, row.GetProperty("latestVersion").GetInt32());

        using (var stale = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/periods/{Period.Id}/decisions/{code}/review", Api.Json(new { version = 1, decision = "accepted" }))))
        {
            await stale.ReadProblemAsync(HttpStatusCode.Conflict, "version_not_latest");
        }

        using (var accepted = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/periods/{Period.Id}/decisions/{code}/review", Api.Json(new { version = 2, decision = "accepted" }))))
        {
            Assert.Equal("accepted", (await accepted.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("review").GetString());
        }

        Assert.Equal("accepted", (await StatusRowAsync(code)).GetProperty("review").GetString());
        Assert.Equal("accepted", (await UnitPeriodAsync(token)).GetProperty("myReview").GetString());

        using var trail = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/audit?periodId={Period.Id}"));
        var actions = (await trail.ReadJsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Where(e => e.TryGetProperty("unitCode", out var unit) && unit.GetString() == code)
            .Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("decision.return", actions);
        Assert.Contains("decision.accept", actions);
    }

    private async Task<System.Text.Json.JsonElement> UnitPeriodAsync(string token)
    {
        using var listed = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, "api/periods"));
        return (await listed.ReadJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single(p => p.GetProperty("id").GetString() == Period.Id);
    }

    private async Task<System.Text.Json.JsonElement> StatusRowAsync(string code)
    {
        using var status = await danvan.SendAsync(danvan.Admin(HttpMethod.Get, $"api/periods/{Period.Id}/status"));
        return (await status.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("unitCode").GetString() == code);
    }
}
