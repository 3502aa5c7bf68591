using System.Net;
using System.Text.Json;
using DanVan.EndToEnd.Support;
using DanVan.Tests.Support;

namespace DanVan.EndToEnd;

/// <summary>Official acts done by signed-in people carry their name and subject: audit, decision history, the unit's email.</summary>
[Collection(DanVanHostCollection.Name)]
public sealed class StaffActsTests(DanVanHost danvan)
{
    private const string Binh = "Nguyễn Thị Bình, chuyên viên <dev-nguyen-thi-binh>";
    private const string Cuong = "Trần Văn Cường, lãnh đạo <dev-tran-van-cuong>";
    private static readonly PlanPeriod Period = SamplePlan.Current(SuiteClock.Now);

    [Fact]
    public async Task An_officer_returns_a_report_a_leader_extends_and_each_act_names_the_person()
    {
        var (code, unitToken) = await danvan.UnitWithTokenAsync("act");
        await danvan.UploadAsync(unitToken, Period.Id);
        var officer = await danvan.Identity.AccessTokenAsync(StaffSignInTests.Officer);
        var leader = await danvan.Identity.AccessTokenAsync(StaffSignInTests.Leader);
        var viewer = await danvan.Identity.AccessTokenAsync(StaffSignInTests.Viewer);
        var decisions = $"api/periods/{Period.Id}/decisions/{code}";
        const string reason = "Thiếu biểu số liệu mục II.1; đề nghị bổ sung.";
        var extended = Period.Deadline.AddDays(10).ToOffset(SuiteClock.VietnamOffset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        using (var byViewer = await danvan.SendAsync(DanVanHost.As(viewer, HttpMethod.Post, $"{decisions}/review", Api.Json(new { version = 1, decision = "returned", reason }))))
        {
            var problem = await byViewer.ReadProblemAsync(HttpStatusCode.Forbidden, "role_required");
            Assert.Equal("Officer", problem.GetProperty("role").GetString());
            Assert.Contains("Chuyên viên", problem.GetProperty("detail").GetString());
        }

        using (var returned = await danvan.SendAsync(DanVanHost.As(officer, HttpMethod.Post, $"{decisions}/review", Api.Json(new { version = 1, decision = "returned", reason }))))
        {
            Assert.Equal(Binh, (await returned.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("lastReview").GetProperty("by").GetString());
        }

        using (var byOfficer = await danvan.SendAsync(DanVanHost.As(officer, HttpMethod.Put, $"{decisions}/extension", Api.Json(new { deadline = extended, reason = "Lũ lụt." }))))
        {
            Assert.Equal("Leader", (await byOfficer.ReadProblemAsync(HttpStatusCode.Forbidden, "role_required")).GetProperty("role").GetString());
        }

        using (var extension = await danvan.SendAsync(DanVanHost.As(leader, HttpMethod.Put, $"{decisions}/extension", Api.Json(new { deadline = extended, reason = "Lũ lụt." }))))
        {
            Assert.Equal(Cuong, (await extension.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("extension").GetProperty("by").GetString());
        }

        using (var download = await danvan.SendAsync(DanVanHost.As(officer, HttpMethod.Get, $"api/periods/{Period.Id}/reports/{code}/versions/1")))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        }

        using (var history = await danvan.SendAsync(DanVanHost.As(viewer, HttpMethod.Get, decisions)))
        {
            var actors = (await history.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("history").EnumerateArray()
                .Select(h => (h.GetProperty("action").GetString(), h.GetProperty("actor").GetString())).ToList();
            Assert.Contains(("decision.return", Binh), actors);
            Assert.Contains(("decision.extend", Cuong), actors);
        }

        var mail = await danvan.WaitForMailAsync(code, "decision-returned");
        Assert.Contains("Trả lại bởi: Nguyễn Thị Bình, chuyên viên", mail.Text);
        Assert.Contains("Nguyễn Thị Bình, chuyên viên", mail.Html);
        Assert.DoesNotContain("dev-nguyen-thi-binh", mail.Text); // the unit reads the name; the subject id is for the records

        var mine = await AuditAsync(officer, $"api/audit?periodId={Period.Id}&actor=dev-nguyen-thi-binh", code);
        Assert.Equal(["decision.return", "report.download"], mine.Select(e => e.GetProperty("action").GetString()).Order());
        Assert.All(mine, e => Assert.Equal(Binh, e.GetProperty("actor").GetString()));
        var his = await AuditAsync(officer, $"api/audit?periodId={Period.Id}&actor=dev-tran-van-cuong", code);
        Assert.Equal(Cuong, Assert.Single(his).GetProperty("actor").GetString());
    }

    [Fact]
    public async Task The_break_glass_token_acts_and_is_recorded_as_break_glass_never_as_admin()
    {
        var (code, unitToken) = await danvan.UnitWithTokenAsync("bgl");
        await danvan.UploadAsync(unitToken, Period.Id);

        using (var accepted = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/periods/{Period.Id}/decisions/{code}/review", Api.Json(new { version = 1, decision = "accepted" }))))
        {
            Assert.Equal("break-glass", (await accepted.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("lastReview").GetProperty("by").GetString());
        }

        var officer = await danvan.Identity.AccessTokenAsync(StaffSignInTests.Officer);
        var trail = await AuditAsync(officer, $"api/audit?periodId={Period.Id}&actor=break-glass", code);
        Assert.Equal("decision.accept", Assert.Single(trail).GetProperty("action").GetString());
        var all = await AuditAsync(officer, $"api/audit?periodId={Period.Id}", code);
        Assert.DoesNotContain(all, e => e.GetProperty("actor").GetString() == "admin");
    }

    private async Task<List<JsonElement>> AuditAsync(string token, string path, string code)
    {
        using var response = await danvan.SendAsync(DanVanHost.As(token, HttpMethod.Get, path));
        return (await response.ReadJsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Where(e => e.TryGetProperty("unitCode", out var unit) && unit.GetString() == code).ToList();
    }
}
