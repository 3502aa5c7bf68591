using System.Text.Json;

namespace DanVan.Benchmarks;

/// <summary>One line of the results table.</summary>
public sealed record Row(string Scenario, string DanVan, string Baseline, string Ratio, string Target, bool? Met, string Notes);

public static class Report
{
    public static void Print(IReadOnlyList<Row> rows)
    {
        string[] headers = ["scenario", "DanVan", "baseline", "ratio", "target", "met", "notes"];
        var cells = rows.Select(r => new[] { r.Scenario, r.DanVan, r.Baseline, r.Ratio, r.Target, r.Met is null ? "—" : r.Met.Value ? "yes" : "NO", r.Notes }).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, cells.Select(c => c[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        string Line(IReadOnlyList<string> c) => "| " + string.Join(" | ", c.Select((x, i) => x.PadRight(widths[i]))) + " |";
        Console.WriteLine(Line(headers));
        Console.WriteLine("| " + string.Join(" | ", widths.Select(w => new string('-', w))) + " |");
        foreach (var c in cells)
        {
            Console.WriteLine(Line(c));
        }
    }

    public static async Task WriteJsonAsync(string path, IReadOnlyList<Row> rows, object environment)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, new { environment, rows }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
    }
}
