using DanVan.Audit;
using DanVan.Auth;
using DanVan.Backup;
using DanVan.Http;
using DanVan.Configuration;
using DanVan.Domain;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DanVan.Functions;

/// <summary>Backups of every table: the nightly timer, a backup now, the list, and a restore. Admin only.</summary>
public sealed class BackupFunctions(Authenticator auth, BackupService backups, RestoreService restores, FinalRecords finalRecords, AuditLog audit, IOptions<DanVanOptions> options, ILogger<BackupFunctions> logger)
{
    public const string BackupAction = "backup.create";
    public const string RestoreAction = "backup.restore";

    /// <summary>
    /// At a quiet hour (BACKUP_SCHEDULE, UTC; 03:00 Vietnam time by default): a backup, backups past their retention deleted,
    /// then the report versions of lately finalized periods made write-once (<see cref="FinalRecords"/>).
    /// </summary>
    [Function(nameof(BackupNightly))]
    public async Task BackupNightly([TimerTrigger("%" + BackupOptions.ScheduleSetting + "%")] TimerInfo timer, CancellationToken ct)
    {
        var manifest = await backups.RunAsync(BackupService.Nightly, "timer", ct);
        var deleted = await backups.DeleteExpiredAsync(ct);
        var sealedVersions = await finalRecords.SealRecentAsync(ct);
        logger.LogInformation("Backup timer: {BackupId} made, {Sealed} final report versions write-once, {Deleted} expired backups deleted", manifest.Id, sealedVersions, deleted.Count);
    }

    [Function(nameof(CreateBackup))]
    public async Task<IActionResult> CreateBackup(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "backups")] HttpRequest request,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var manifest = await backups.RunAsync(BackupService.Manual, caller.Actor, ct);
        await audit.RecordAsync(caller, BackupAction, detail: $"{manifest.Id} {manifest.Rows} rows", ct: ct);
        return ApiResults.Json(View(manifest), StatusCodes.Status201Created);
    }

    [Function(nameof(ListBackups))]
    public async Task<IActionResult> ListBackups(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "backups")] HttpRequest request,
        CancellationToken ct)
    {
        await auth.RequireAsync(request, ct);
        return ApiResults.Json((await backups.ListAsync(ct)).Select(View));
    }

    /// <summary>
    /// Restores a backup's tables (all, or those named) into empty tables under <c>targetPrefix</c> (default: the app's own
    /// prefix, whose tables must then be empty), verifies them against the manifest and reconciles (<see cref="RestoreReconciler"/>).
    /// </summary>
    [Function(nameof(RestoreBackup))]
    public async Task<IActionResult> RestoreBackup(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "backups/{backupId}/restore")] HttpRequest request,
        string backupId,
        CancellationToken ct)
    {
        var caller = await auth.RequireAsync(request, ct);
        var body = request.ContentLength is null or 0 && string.IsNullOrEmpty(request.ContentType)
            ? new RestoreRequest(null, null)
            : await RequestJson.ReadAsync<RestoreRequest>(request, ct: ct);
        var report = await restores.RestoreAsync(backupId, body.TargetPrefix ?? options.Value.StoragePrefix, body.Tables, ct);
        await audit.RecordAsync(caller, RestoreAction, detail: $"{report.BackupId} -> '{report.TargetPrefix}' {string.Join(',', report.Tables.Select(t => t.Name))} verified={report.Verified}", ct: ct);
        return ApiResults.Json(report);
    }

    /// <summary>A manifest as the API shows it: instants in Vietnam time.</summary>
    private static BackupManifest View(BackupManifest m) => m with
    {
        StartedAt = VietnamTime.ToVietnam(m.StartedAt),
        FinishedAt = VietnamTime.ToVietnam(m.FinishedAt),
        Tables = m.Tables.Select(t => t with { StartedAt = VietnamTime.ToVietnam(t.StartedAt), FinishedAt = VietnamTime.ToVietnam(t.FinishedAt) }).ToList(),
    };
}

/// <summary>The body of a restore: where to (a storage prefix) and which tables (default all).</summary>
public sealed record RestoreRequest(string? TargetPrefix, IReadOnlyList<string>? Tables);
