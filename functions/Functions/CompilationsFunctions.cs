using DanVan.Audit;
using DanVan.Auth;
using DanVan.Compilation;
using DanVan.Domain;
using DanVan.Http;
using DanVan.Periods;
using DanVan.Storage;
using DanVan.Uploads;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DanVan.Functions;

/// <summary>The compiled bundle: the nightly timer, compile on demand, list, download, finalize. Admin only.</summary>
public sealed class CompilationsFunctions(
    Authenticator auth,
    PeriodCatalog periods,
    Compiler compiler,
    OrphanSweeper sweeper,
    CompilationStore compilations,
    DanVanStore store,
    AuditLog audit,
    DanVan.Backup.BackupService backups,
    ILogger<CompilationsFunctions> logger)
{
    /// <summary>
    /// Shortly after midnight Vietnam time (COMPILATION_SCHEDULE, UTC): removes report blobs an interrupted
    /// upload left without a version row, then compiles each due period whose submissions changed.
    /// </summary>
    [Function(nameof(CompileDuePeriods))]
    public async Task CompileDuePeriods([TimerTrigger("%COMPILATION_SCHEDULE%")] TimerInfo timer, CancellationToken ct)
    {
        var orphans = await sweeper.SweepAsync(ct);
        var results = await compiler.CompileDueAsync(ct);
        logger.LogInformation("Compilation timer: {Orphans} orphan blobs removed, {Created} new compilations", orphans.Count, results.Count(r => r.Created));
    }

    /// <summary>
    /// Compiles now. An explicit request always makes a new version, even from unchanged inputs (its
    /// bundle is then byte-identical to the previous one); only the timer skips unchanged periods.
    /// </summary>
    [Function(nameof(CreateCompilation))]
    public async Task<IActionResult> CreateCompilation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "periods/{periodId}/compilations")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var (caller, period) = await auth.RequirePeriodAsync(request, periods, periodId, ct);
        var result = await compiler.CompileAsync(period, caller.Actor, ct: ct);
        return ApiResults.Json(CompilationView.From(result.Compilation), result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    [Function(nameof(ListCompilations))]
    public async Task<IActionResult> ListCompilations(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/compilations")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var (_, period) = await auth.RequirePeriodAsync(request, periods, periodId, ct);
        var (limit, continuation) = Paging.Read(request, defaultLimit: 100, CompilationStore.IsContinuation);
        var page = await compilations.PageAsync(period.Id.ToString(), limit, continuation, ct);
        Paging.Answer(request, page.Continuation);
        return ApiResults.Json(page.Items.Select(CompilationView.From));
    }

    [Function(nameof(DownloadLatestCompilation))]
    public async Task<IActionResult> DownloadLatestCompilation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "periods/{periodId}/compilations/latest")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var (caller, period) = await auth.RequirePeriodAsync(request, periods, periodId, ct);
        var latest = await compilations.LatestAsync(period.Id.ToString(), ct) ?? throw CompilationProblems.NoCompilation(period.Id.ToString());
        var blob = store.CompilationBlobs.GetBlobClient(latest.BlobName);
        var content = await blob.OpenReadAsync(new Azure.Storage.Blobs.Models.BlobOpenReadOptions(allowModifications: false), ct);
        await audit.RecordAsync(caller, AuditActions.CompilationDownload, period.Id.ToString(), detail: $"v{latest.Version}", ct: ct);
        return ApiResults.Stream(content, "application/zip", latest.SizeBytes, DownloadName(period, latest));
    }

    /// <summary>Closes the period (no more uploads) and makes its final compilation.</summary>
    [Function(nameof(FinalizePeriod))]
    public async Task<IActionResult> FinalizePeriod(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "periods/{periodId}/finalize")] HttpRequest request,
        string periodId,
        CancellationToken ct)
    {
        var (caller, period) = await auth.RequirePeriodAsync(request, periods, periodId, ct);
        var id = period.Id.ToString();
        await backups.BeforeFinalizationAsync(id, caller.Actor, ct); // a backup that fails stops the finalization (BackupService)
        var newlyFinalized = await periods.MarkFinalizedAsync(id, caller.Actor, ct);
        if (newlyFinalized)
        {
            await audit.RecordAsync(caller, AuditActions.Finalize, id, ct: ct);
        }

        // A repeated finalize only compiles again if something changed (e.g. the first final compile failed).
        var result = newlyFinalized
            ? await compiler.CompileAsync(period, caller.Actor, final: true, ct)
            : await compiler.CompileIfChangedAsync(period, caller.Actor, final: true, ct);
        var finalizedAt = await periods.FinalizedAtAsync(id, ct);
        return ApiResults.Json(new FinalizeAnswer(
            id,
            period.Title,
            finalizedAt is { } at ? VietnamTime.ToVietnam(at) : null,
            !newlyFinalized,
            CompilationView.From(result.Compilation)));
    }

    /// <summary>"Tổng hợp Báo cáo 06 tháng năm 2026 - lần 2.zip".</summary>
    public static string DownloadName(Period period, CompilationRecord compilation) =>
        $"Tổng hợp {period.Title} - lần {compilation.Version}.zip";
}

/// <summary>One compilation as the API shows it (instants in Vietnam time).</summary>
public sealed record CompilationView(
    int Version,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    bool Final,
    long SizeBytes,
    string Sha256,
    int Required,
    int OnTime,
    int Late,
    int Missing,
    IReadOnlyList<SourceVersion> SourceVersions,
    string InputsFingerprint)
{
    public static CompilationView From(CompilationRecord c) => new(
        c.Version,
        VietnamTime.ToVietnam(c.CreatedAt),
        c.CreatedBy,
        c.Final,
        c.SizeBytes,
        c.Sha256,
        c.Required,
        c.OnTime,
        c.Late,
        c.Missing,
        c.SourceVersions,
        c.InputsFingerprint);
}

/// <summary>The answer of finalizing a period: when it was closed, whether it already was, and its final compilation.</summary>
public sealed record FinalizeAnswer(string PeriodId, string Title, DateTimeOffset? FinalizedAt, bool AlreadyFinalized, CompilationView Compilation);
