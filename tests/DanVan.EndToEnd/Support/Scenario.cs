using System.Net;

namespace DanVan.EndToEnd.Support;

/// <summary>Steps many end-to-end tests start with, done through the API like a person would.</summary>
public static class Scenario
{
    public static readonly byte[] SmallPdf = [.. "%PDF-1.7\n"u8, .. new byte[4096], .. "\n%%EOF\n"u8];

    /// <summary>A new unit (admin PUT) and its credential (admin POST …/token).</summary>
    public static async Task<(string Code, string Token)> UnitWithTokenAsync(this DanVanHost danvan, string prefix = "e2e")
    {
        var code = Api.NewUnitCode(prefix);
        using (var put = await danvan.SendAsync(danvan.Admin(HttpMethod.Put, $"api/units/{code}", Api.Json(Api.Unit(code)))))
        {
            await put.ReadJsonAsync(HttpStatusCode.Created);
        }

        using var issued = await danvan.SendAsync(danvan.Admin(HttpMethod.Post, $"api/units/{code}/token"));
        return (code, (await issued.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("token").GetString()!);
    }

    /// <summary>A raw-body PDF upload request for the caller's own unit (or <c>?unit=</c> in <paramref name="query"/>).</summary>
    public static HttpRequestMessage UploadRequest(string? token, string periodId, string query = "", byte[]? pdf = null)
    {
        var content = new ByteArrayContent(pdf ?? SmallPdf);
        content.Headers.ContentType = new("application/pdf");
        var request = DanVanHost.As(token, HttpMethod.Post, $"api/periods/{periodId}/reports{query}", content);
        request.Headers.Add("X-File-Name", Uri.EscapeDataString("Báo cáo.pdf"));
        return request;
    }

    public static async Task UploadAsync(this DanVanHost danvan, string token, string periodId)
    {
        using var uploaded = await danvan.SendAsync(UploadRequest(token, periodId));
        await uploaded.ReadJsonAsync(HttpStatusCode.Created);
    }

    /// <summary>The first email of <paramref name="category"/> to <paramref name="unitCode"/> the SendGrid stub received, waiting up to 30 s.</summary>
    public static async Task<Tests.Email.ReceivedMail> WaitForMailAsync(this DanVanHost danvan, string unitCode, string category)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (danvan.SendGrid.Received.FirstOrDefault(m => m.Arg("unitCode") == unitCode && m.Categories.Contains(category)) is { } mail)
            {
                return mail;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No {category} email for {unitCode} within 30 s. Host log:\n{string.Join("\n", danvan.Logs.TakeLast(80))}");
    }
}
