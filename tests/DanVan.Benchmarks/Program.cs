using DanVan.Benchmarks;
using DanVan.Tests.Support;

// DanVan's benchmarks: each scenario against the best a user could do by hand with the Azure SDK,
// in the same run on the same Azurite, so the ratios mean something on a noisy machine.
var only = args.Length > 0 ? args : null;
var rows = new List<Row>();
Console.WriteLine($"Azurite: {Azurite.ConnectionString.Split(';').First(p => p.StartsWith("BlobEndpoint", StringComparison.Ordinal))}");

async Task Run(string name, Func<Task<IReadOnlyList<Row>>> scenario)
{
    if (only is not null && !only.Any(o => name.Contains(o, StringComparison.OrdinalIgnoreCase)))
    {
        return;
    }

    Console.WriteLine($"running: {name}");
    rows.AddRange(await scenario());
}

await Run("overhead", Overhead.RunAsync);
await Run("upload", UploadScenario.RunAsync);
await Run("worker-upload", WorkerUploadScenario.RunAsync);
await Run("signed-upload", SignedUploadScenario.RunAsync);
await Run("compile", CompileScenario.RunAsync);
await Run("compile-scale", CompileScaleScenario.RunAsync);
await Run("history", HistoryScenario.RunAsync);
await Run("status", async () => [await StatusScenario.RunAsync()]);
await Run("counts", CountsScenario.RunAsync);
await Run("reminders", ReminderScenario.RunAsync);
await Run("sign-in", SignInScenario.RunAsync);
await Run("rush", RushScenario.RunAsync);
await Run("backup", BackupScenario.RunAsync);

Console.WriteLine();
Report.Print(rows);
var path = Path.Combine(Azurite.RepositoryRoot, "artifacts", "bench", "results.json");
await Report.WriteJsonAsync(path, rows, new { Environment.ProcessorCount, Os = Environment.OSVersion.ToString(), Runtime = Environment.Version.ToString(), At = DateTimeOffset.UtcNow });
Console.WriteLine($"written: {path}");
Environment.Exit(rows.All(r => r.Met != false) ? 0 : 2);
