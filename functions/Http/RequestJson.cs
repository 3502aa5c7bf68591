using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DanVan.Http;

public static class RequestJson
{
    /// <summary>Reads a JSON body of at most <paramref name="maxBytes"/>, or refuses it as a problem.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, long maxBytes = 4 * 1024 * 1024, CancellationToken ct = default)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new ProblemException(413, "body_too_large", "Dữ liệu quá lớn", $"Nội dung yêu cầu vượt quá {maxBytes} byte.");
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json.Options, ct);
            return value ?? throw Problems.InvalidJson("Nội dung yêu cầu trống.");
        }
        catch (JsonException ex)
        {
            throw Problems.InvalidJson($"Không đọc được JSON (dòng {ex.LineNumber + 1}, vị trí {ex.Path ?? "$"}).");
        }
    }
}
