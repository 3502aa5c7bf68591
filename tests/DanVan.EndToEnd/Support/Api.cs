using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DanVan.EndToEnd.Support;

/// <summary>Small helpers to read what came back through the host.</summary>
public static class Api
{
    public static StringContent Json(object value) => JsonContent(JsonSerializer.Serialize(value, JsonSerializerOptions.Web));

    public static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts an application/problem+json answer with this status and code; returns the problem.</summary>
    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    public static string NewUnitCode(string prefix = "e2e") => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    public static object Unit(string code, string name = "Sở Thử nghiệm đầu cuối") => new
    {
        code,
        name,
        group = "Sở, ban, ngành",
        emails = new[] { $"{code}@example.org" },
        headEmail = $"thu-truong.{code}@example.org",
        activeFrom = Tests.Support.WorkerSettings.ActiveFrom,
    };

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object value) => client.PostAsJsonAsync(path, value);
}
