using DanVan.Auth;
using DanVan.Compilation;
using DanVan.Functions;
using DanVan.Reminders;
using DanVan.Telemetry;
using DanVan.Tests.Email;
using DanVan.Tests.Reminders;
using DanVan.Tests.Support;
using DanVan.Tests.Uploads;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static DanVan.Telemetry.DanVanTelemetry;

namespace DanVan.Tests.Telemetry;

/// <summary>
/// DanVan's own events and its dependencies, as the worker's OpenTelemetry pipeline exports them (captured in
/// memory where Application Insights would receive them): stable names, the dimensions an operator filters on.
/// </summary>
public sealed class TelemetryEventsTests : IAsyncLifetime
{
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);
    private readonly TelemetryCapture capture = new();
    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    private async Task<TestApp> StartAsync(DateTimeOffset now)
    {
        var app = await TestApp.StartAsync(now, stub.Settings, services: capture.AddTo);
        TelemetryCapture.Start(app);
        return app;
    }

    [Fact]
    public void The_upload_function_telemetry_names_is_the_upload_function()
    {
        Assert.Equal(nameof(ReportsFunctions.UploadReport), DanVanTelemetry.UploadFunction);
    }

    [Fact]
    public async Task An_accepted_upload_is_an_UploadAccepted_event_with_period_unit_version_and_size_and_its_Table_and_Blob_calls_are_dependencies()
    {
        await using var app = await StartAsync(new DateTimeOffset(2026, 5, 10, 9, 0, 0, Vn));
        await ReminderTestKit.SeedAsync(app, ReminderTestKit.Unit("so-noi-vu"));
        var token = (await app.Get<CredentialStore>().IssueAsync("so-noi-vu")).Token;
        var pdf = "%PDF-1.7 báo cáo 6 tháng"u8.ToArray();

        var response = await TestHttp.InvokeAsync(UploadBed.Raw(pdf, "Báo cáo.pdf", token, contentType: "application/pdf"),
            r => app.Get<ReportsFunctions>().UploadReport(r, "2026-H1", CancellationToken.None));
        var replay = await TestHttp.InvokeAsync(UploadBed.Raw(pdf, "Báo cáo.pdf", token, contentType: "application/pdf"),
            r => app.Get<ReportsFunctions>().UploadReport(r, "2026-H1", CancellationToken.None));

        Assert.Equal((201, 200), (response.Status, replay.Status));
        var accepted = capture.Named(Events.UploadAccepted).ToList();
        Assert.Equal(2, accepted.Count);
        Assert.All(accepted, e => Assert.Equal(("2026-H1", "so-noi-vu", "1", pdf.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "true"),
            (e["periodId"], e["unitCode"], e["version"], e["sizeBytes"], e["onTime"])));
        Assert.Equal(["true", "false"], accepted.Select(e => e["created"]));
        // Alone in its period and unit, the upload met no conflict and sent one transaction.
        Assert.All(accepted, e => Assert.Equal(("0", "0"), (e["conflicts"], e["retries"])));
        Assert.Contains(capture.Spans, s => s.Source.Name.StartsWith("Azure.Data.Tables", StringComparison.Ordinal));
        Assert.Contains(capture.Spans, s => s.Source.Name.StartsWith("Azure.Storage.Blobs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reminder_sent_is_an_EmailSent_event_with_kind_and_stage_its_queue_and_SendGrid_calls_are_dependencies_and_a_refused_one_is_EmailFailed()
    {
        await using var app = await StartAsync(ReminderTestKit.Vn(5, 1)); // 14 days before 15/5: stage before-14
        await ReminderTestKit.SeedAsync(app, ReminderTestKit.Unit("so-tai-chinh"), ReminderTestKit.Unit("so-xay-dung"));

        stub.FailNext(1, 400); // a 400 is not retried: one of the two reminders fails on its first delivery
        await app.Get<ReminderService>().RunOpenPeriodsAsync("timer");
        await EmailQueueDrain.DrainAsync(app, maxParallelism: 1);

        var reminders = capture.Events.Where(e => e["kind"] == "reminder").ToList();
        var failed = Assert.Single(reminders, e => e.Name == Events.EmailFailed);
        var sent = reminders.Where(e => e.Name == Events.EmailSent).ToList();
        Assert.Equal(["so-tai-chinh", "so-xay-dung"], sent.Select(e => e["unitCode"]).Order());
        Assert.All(reminders, e => Assert.Equal(("2026-H1", "before-14"), (e["periodId"], e["stage"])));
        Assert.Contains(failed["unitCode"], new[] { "so-tai-chinh", "so-xay-dung" });
        Assert.Contains(capture.Spans, s => s.Source.Name.StartsWith("Azure.Storage.Queues", StringComparison.Ordinal));
        var sendGridHost = new Uri(stub.Host).Authority;
        Assert.Contains(capture.Spans, s => s.Kind == System.Diagnostics.ActivityKind.Client
            && (s.GetTagItem("url.full") as string)?.Contains(sendGridHost + "/v3/mail/send", StringComparison.Ordinal) == true);
        // A call the Azure SDK makes is its own span, not also an HttpClient one.
        Assert.DoesNotContain(capture.Spans, s => s.Source.Name == "System.Net.Http" && s.Parent?.Source.Name.StartsWith("Azure.", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task The_compilation_timer_makes_a_compilation_then_skips_it_while_nothing_changed_each_an_event()
    {
        await using var app = await StartAsync(new DateTimeOffset(2026, 5, 16, 0, 15, 0, Vn));
        await SubmissionSeeder.AddUnitAsync(app, "so-noi-vu", "Sở Nội vụ");
        await new SubmissionSeeder(app).SeedAsync("2026-H1", "so-noi-vu", "bao-cao.pdf", "%PDF-1.7 x"u8.ToArray(), new DateTimeOffset(2026, 5, 12, 8, 0, 0, Vn));

        await app.Get<Compiler>().CompileDueAsync();
        await app.Get<Compiler>().CompileDueAsync();

        var made = Assert.Single(capture.Named(Events.CompilationMade));
        var skipped = Assert.Single(capture.Named(Events.CompilationSkipped));
        Assert.Equal(("2026-H1", "1", Compiler.TimerActor), (made["periodId"], made["version"], made["actor"]));
        Assert.Equal(("2026-H1", "1"), (skipped["periodId"], skipped["version"]));
    }

    [Fact]
    public async Task The_hourly_count_of_the_poison_queue_is_an_EmailsPoisoned_event_even_when_it_is_zero()
    {
        await using var app = await StartAsync(new DateTimeOffset(2026, 5, 10, 9, 0, 0, Vn));
        var functions = app.Get<EmailFunctions>();

        await functions.CountPoisonedEmails(new TimerInfo(), CancellationToken.None);
        await app.Store.EmailPoisonQueue.SendMessageAsync("{}");
        await app.Store.EmailPoisonQueue.SendMessageAsync("{}");
        await functions.CountPoisonedEmails(new TimerInfo(), CancellationToken.None);

        Assert.Equal(["0", "2"], capture.Named(Events.EmailsPoisoned).Select(e => e["count"]));
    }

    [Fact]
    public void Without_a_connection_string_nothing_is_exported_and_with_one_the_Azure_Monitor_exporter_is()
    {
        static bool Exports(string? connectionString)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = connectionString,
            }).Build();
            var services = new ServiceCollection().AddDanVanTelemetry(configuration);
            return services.Any(d => (d.ImplementationType ?? d.ImplementationInstance?.GetType())?.Assembly.GetName().Name == "Azure.Monitor.OpenTelemetry.Exporter"
                || d.ImplementationFactory?.Method.DeclaringType?.Assembly.GetName().Name == "Azure.Monitor.OpenTelemetry.Exporter");
        }

        Assert.False(Exports(null));
        Assert.False(Exports(""));
        Assert.True(Exports("InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/"));
    }
}
