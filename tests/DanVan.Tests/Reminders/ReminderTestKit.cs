using DanVan.Registry;
using DanVan.Submissions;
using DanVan.Tests.Email;
using DanVan.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DanVan.Tests.Reminders;

/// <summary>Shared set-up for reminder tests: period 2026-H1, due before 15/5/2026 (Vietnam time).</summary>
internal static class ReminderTestKit
{
    public const string PeriodId = "2026-H1";

    /// <summary>A Vietnam wall-clock instant in 2026 (08:00 by default, when the timer runs).</summary>
    public static DateTimeOffset Vn(int month, int day, int hour = 8, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(7));

    public static Task<TestApp> StartAsync(SendGridStub? stub, DateTimeOffset now, IDictionary<string, string?>? settings = null, StorageFaults? faults = null)
    {
        var values = new Dictionary<string, string?>(stub?.Settings ?? new Dictionary<string, string?>());
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            values[k] = v;
        }

        return TestApp.StartAsync(now, values, faults: faults);
    }

    public static UnitRecord Unit(string code, string? name = null, string? head = null) =>
        new(code, name ?? $"Đơn vị {code}", "Sở, ban, ngành", [$"{code}@example.org"], head, "2020-01-01", null);

    public static Task SeedAsync(TestApp app, params UnitRecord[] units) => app.Get<UnitRegistry>().ImportAsync(units);

    /// <summary>The unit has submitted for the period (received at <paramref name="at"/>, default now): a version, through the store.</summary>
    public static Task MarkSubmittedAsync(TestApp app, string unitCode, DateTimeOffset? at = null) =>
        new SubmissionSeeder(app).SeedAsync(PeriodId, unitCode, "Báo cáo.pdf", "%PDF-1.7 báo cáo"u8.ToArray(), at ?? app.Clock.GetUtcNow());

    /// <summary>Runs <paramref name="task"/> while moving the fake clock one second per 20 ms, so retry waits elapse.</summary>
    public static async Task<T> AdvancingAsync<T>(FakeTimeProvider clock, Task<T> task)
    {
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(20));
            if (!task.IsCompleted)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        return await task;
    }
}
