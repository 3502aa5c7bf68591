using DanVan.Compilation;
using DanVan.Decisions;
using DanVan.Figures;
using DanVan.Functions;
using DanVan.Periods;
using DanVan.Submissions;
using DanVan.Tests.Figures;
using DanVan.Tests.Support;
using Xunit.Abstractions;

namespace DanVan.Tests.Uploads;

/// <summary>
/// Finalization against the writes of a period that race it: no write of a period writes a shared row, so finalization
/// shuts the period's gate and then fences every unit's own rows (submissions head, decisions row, figures head). Whatever
/// interleaving and whatever storage loses, every upload, decision and figures entry is either in what the final compile
/// read or refused with <c>period_finalized</c>; nothing is stored after it.
/// </summary>
public sealed class FinalizationFenceTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset AfterDeadline = new(2026, 5, 20, 9, 0, 0, TimeSpan.FromHours(7));

    [Theory]
    [InlineData("decision")]
    [InlineData("figures")]
    public async Task A_decision_or_a_figures_entry_in_flight_when_the_period_is_finalized_is_refused_and_leaves_nothing(string kind)
    {
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(AfterDeadline, faults: faults);
        var figures = new FiguresBed(bed.App);
        Assert.Equal(201, (await figures.PutIndicatorsAsync("H1", FiguresBed.SampleBody)).Status);
        Assert.Equal(201, (await bed.SendAsync(UploadBed.Raw(Samples.Pdf(5_000, seed: 31), "a.pdf", bed.OtherToken))).Status);
        var catalog = bed.App.Get<PeriodCatalog>();

        // Each write checked the period when it began; Sở Nội vụ finalizes just before its transaction is sent.
        async Task<TestResponse> FinalizedBeforeItsTransactionAsync(Func<Task<TestResponse>> write)
        {
            var finalized = 0;
            faults.BeforeSend = async (call, _) =>
            {
                if (call == StorageCall.TableTransaction && Interlocked.Exchange(ref finalized, 1) == 0)
                {
                    await catalog.MarkFinalizedAsync(UploadBed.Period, "admin");
                }
            };
            var answer = await write();
            faults.BeforeSend = null;
            Assert.True(finalized == 1, $"no transaction was sent: {answer.Status} {answer.Text}");
            return answer;
        }

        var answer = await FinalizedBeforeItsTransactionAsync(() => kind == "decision"
            ? DecideAsync(bed, UploadBed.Unit, "exemption", new { reason = "Sáp nhập." })
            : figures.EnterAsync(UploadBed.Period, bed.UnitToken, SampleValues(1)));

        Assert.Equal((409, "period_finalized"), (answer.Status, answer.Code));
        Assert.Empty(await bed.App.Get<DecisionStore>().ForPeriodAsync(UploadBed.Period));
        Assert.Null(await bed.App.Get<DecisionStore>().GetAsync(UploadBed.Period, UploadBed.Unit));
        Assert.Empty(await bed.App.Get<FigureStore>().LatestAsync(UploadBed.Period));
        Assert.Empty(await bed.App.Get<FigureStore>().VersionsAsync(UploadBed.Period, UploadBed.Unit));
        // The fences are no submission, decision or entry: the unit that sent nothing is still missing.
        var status = await bed.App.Get<StatusService>().ForAsync(bed.App.Get<PeriodCatalog>().Get(UploadBed.Period));
        Assert.Equal(DanVan.Domain.SubmissionStatus.Missing, status.Rows.Single(r => r.UnitCode == UploadBed.Unit).Status);
    }

    /// <summary>
    /// 96 writes from eight units (uploads, decisions, figures entries), 32 at once, a fifth of storage replies lost, and
    /// the period finalized while they run. Failed writes are sent again with faults off. Then: every receipt is exactly one
    /// version; every write is stored or refused with <c>period_finalized</c> (or, for two decisions about one unit at once,
    /// <c>decision_conflict</c>); and nothing changed after the final compile
    /// (compiling again only if something changed makes nothing). Seed: DANVAN_FAULT_SEED.
    /// </summary>
    [Fact]
    public async Task Writes_racing_finalization_with_a_fifth_of_replies_lost_are_each_in_the_final_bundle_or_refused()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("DANVAN_FAULT_SEED"), out var s) ? s : 20261206;
        var random = new Random(seed);
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(AfterDeadline, faults: faults);
        var figures = new FiguresBed(bed.App);
        Assert.Equal(201, (await figures.PutIndicatorsAsync("H1", FiguresBed.SampleBody)).Status);
        var tokens = new Dictionary<string, string> { [UploadBed.Unit] = bed.UnitToken, [UploadBed.OtherUnit] = bed.OtherToken };
        for (var i = 1; i <= 6; i++)
        {
            tokens[$"xa-{i}"] = await figures.UnitAsync($"xa-{i}", $"UBND xã {i}", "UBND cấp xã");
        }

        var units = tokens.Keys.ToArray();
        var writes = Enumerable.Range(0, 96).Select(i => new Write(i, units[random.Next(units.Length)], random.Next(10) switch { < 6 => "upload", < 8 => "figures", _ => "decision" })).ToList();
        var catalog = bed.App.Get<PeriodCatalog>();
        var dice = new Random(seed + 1);
        faults.Rule(_ =>
        {
            lock (dice)
            {
                return dice.NextDouble() < 0.2 ? StorageFault.DropReply : StorageFault.None;
            }
        });

        var started = 0;
        var finalize = Task.Run(async () =>
        {
            while (Volatile.Read(ref started) < 40)
            {
                await Task.Delay(5);
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await catalog.MarkFinalizedAsync(UploadBed.Period, "admin");
                }
                catch (Exception ex) when (attempt < 20)
                {
                    output.WriteLine($"finalize attempt {attempt}: {ex.GetType().Name}");
                }
            }
        });
        var first = new TestResponse[writes.Count];
        await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (w, _) =>
        {
            Interlocked.Increment(ref started);
            first[w.Index] = await SendAsync(bed, figures, tokens, w);
        });
        await finalize;
        var injected = faults.Injected.Count;
        faults.Off();
        var final = (TestResponse[])first.Clone();
        foreach (var w in writes.Where(w => first[w.Index].Status == 503))
        {
            final[w.Index] = await SendAsync(bed, figures, tokens, w);
        }

        var compiled = await bed.App.Get<Compiler>().CompileAsync(catalog.Get(UploadBed.Period), "admin", final: true);
        var again = await bed.App.Get<Compiler>().CompileIfChangedAsync(catalog.Get(UploadBed.Period), "admin", final: true);

        var summary = writes.GroupBy(w => $"{w.Kind} {final[w.Index].Status} {final[w.Index].Code}").OrderBy(g => g.Key).Select(g => $"{g.Count()} × {g.Key}");
        output.WriteLine($"seed {seed}: {injected} replies dropped; first answers 503: {first.Count(r => r.Status == 503)}; final: {string.Join(", ", summary)}");
        // Two decisions about one unit at once: one is stored, the other refused as a conflict (never both); that is no fault.
        Assert.All(writes, w => Assert.True(
            final[w.Index].Status is 200 or 201 || (final[w.Index].Status, final[w.Index].Code) == (409, "period_finalized")
                || (w.Kind, final[w.Index].Code) == ("decision", "decision_conflict"),
            $"seed {seed}: {w} answered {final[w.Index].Status} {final[w.Index].Text}"));
        Assert.Contains(writes, w => final[w.Index].Code == "period_finalized");
        Assert.False(again.Created, $"seed {seed}: something was stored after the final compile");

        // Every upload receipt is exactly one version, and the bundle holds each unit's latest one.
        var store = bed.App.Get<SubmissionStore>();
        foreach (var unit in units)
        {
            var versions = await store.VersionsAsync(UploadBed.Period, unit);
            Assert.True(versions.Select(v => v.Version).SequenceEqual(Enumerable.Range(1, versions.Count)), $"seed {seed}: {unit} versions are 1..n");
            foreach (var w in writes.Where(w => w.Unit == unit && w.Kind == "upload" && final[w.Index].Status is 200 or 201))
            {
                Assert.Single(versions, v => v.ReceiptId == final[w.Index].Json.GetProperty("receiptId").GetString());
            }

            var inBundle = compiled.Compilation.SourceVersions.SingleOrDefault(v => v.UnitCode == unit)?.Version ?? 0;
            Assert.Equal(versions.Count, inBundle);
        }
    }

    private sealed record Write(int Index, string Unit, string Kind);

    private static Task<TestResponse> SendAsync(UploadBed bed, FiguresBed figures, Dictionary<string, string> tokens, Write w)
    {
        switch (w.Kind)
        {
            case "upload":
                var request = UploadBed.Raw(Samples.Pdf(2_000 + w.Index, seed: 5000 + w.Index), "b.pdf", tokens[w.Unit], contentType: "application/pdf");
                request.Headers[DanVan.Http.UploadRequestReader.IdempotencyKeyHeader] = $"fence-{w.Index}";
                return bed.SendAsync(request);
            case "figures":
                return figures.EnterAsync(UploadBed.Period, tokens[w.Unit], SampleValues(w.Index));
            default:
                return DecideAsync(bed, w.Unit, "extension", new { deadline = "2026-05-29", reason = $"Lần {w.Index}." });
        }
    }

    private static Task<TestResponse> DecideAsync(UploadBed bed, string unit, string action, object body)
    {
        var f = bed.App.Get<DecisionsFunctions>();
        var request = TestHttp.Request("PUT", $"/api/periods/{UploadBed.Period}/decisions/{unit}/{action}", TestApp.AdminToken, json: body);
        return TestHttp.InvokeAsync(request, r => action == "extension"
            ? f.ExtendDeadline(r, UploadBed.Period, unit, CancellationToken.None)
            : f.ExemptUnit(r, UploadBed.Period, unit, CancellationToken.None));
    }

    /// <summary>One figure of the sample indicators (an entry may leave the others out).</summary>
    private static Dictionary<string, object?> SampleValues(int n) => new() { ["QT_SO_CUOC"] = n % 7 + 1 };
}
