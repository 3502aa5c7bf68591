using System.Globalization;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DanVan.Audit;
using DanVan.Changes;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Figures;
using DanVan.Periods;
using DanVan.Registry;
using DanVan.Storage;
using DanVan.Submissions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DanVan.Compilation;

/// <summary>The outcome of a compile request: the compilation now current, and whether this call made it.</summary>
public sealed record CompileResult(CompilationRecord Compilation, bool Created);

/// <summary>
/// Assembles a period's bundle and records it as a new immutable version. One compiler serves the
/// timer, the admin route and finalize. The bundle is written under a fresh blob name (if-none-match)
/// and only then recorded; the version is allocated by adding its row, so two compilers racing
/// either both get their own version or, when they built the same inputs, the loser deletes its blob
/// and answers the winner's compilation. A reader only ever sees recorded, complete bundles, and a
/// compile that fails removes the blob it started (its own fresh name, nothing else).
/// </summary>
public sealed class Compiler(
    PeriodCatalog periods,
    StatusService status,
    SubmissionStore submissions,
    CompilationStore compilations,
    UnitRegistry registry,
    DanVanStore store,
    AuditLog audit,
    IOptions<CompilationOptions> options,
    TimeProvider clock,
    ILogger<Compiler> logger,
    FiguresService figures,
    PeriodChangeStore changes,
    BlobWriteNotes blobWrites,
    PendingChanges pending,
    DanVan.Telemetry.DanVanTelemetry telemetry,
    Outline.OutlineService outlines)
{
    public const string TimerActor = "timer";

    private const int MaxAttempts = 5;


    /// <summary>Compiles now, even when nothing changed since the last compilation (an explicit request).</summary>
    public Task<CompileResult> CompileAsync(Period period, string actor, bool final = false, CancellationToken ct = default) =>
        telemetry.CompilationAsync(CompileCoreAsync(period, actor, final, onlyIfChanged: false, first: null, ct), actor);

    /// <summary>Compiles only when the inputs differ from the latest compilation's (or there is none).</summary>
    public Task<CompileResult> CompileIfChangedAsync(Period period, string actor, bool final = false, CancellationToken ct = default) =>
        telemetry.CompilationAsync(CompileCoreAsync(period, actor, final, onlyIfChanged: true, first: null, ct), actor);

    /// <summary>
    /// The timer's work: every current period whose deadline has passed and that is not finalized is
    /// compiled when its submissions changed since its last compilation. A period nobody has submitted
    /// to and that was never compiled is left alone (nothing to assemble). Whether a period changed is
    /// asked of the period changes index first (one query for every period, <see cref="PeriodChangeStore"/>): a period
    /// whose marker is the one its latest compilation was found current at is skipped without a read of its own, so
    /// years of unchanged history cost next to nothing; only a period whose marker moved is gathered. Changes left in
    /// flight long ago (a writer that stopped) are settled first, so their periods' stamps are known again.
    /// </summary>
    public async Task<IReadOnlyList<CompileResult>> CompileDueAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var finalizedTask = periods.FinalizedAsync(ct);
        var unitsTask = registry.ListAsync(ct);
        var indexTask = changes.ReadAsync(ct);
        var (finalized, units, index) = (await finalizedTask, await unitsTask, await indexTask);
        if (await pending.SettleStaleAsync(index, ct) > 0)
        {
            index = await changes.ReadAsync(ct);
        }

        var registryMark = CompilationMarker.OfRegistry(units);
        var due = periods.Current().Where(p => p.Deadline <= now && !finalized.ContainsKey(p.Id.ToString())).ToList();
        var changed = new List<(Period Period, PeriodChanges Read, string? Marker)>();
        foreach (var period in due)
        {
            var read = index.GetValueOrDefault(period.Id.ToString()) ?? PeriodChanges.None(period.Id.ToString());
            var marker = CompilationMarker.Of(period, options.Value.ProvinceName, registryMark, read.Stamp);
            if (marker is not null && read.CompiledMarker == marker)
            {
                if (read.CompiledVersion is { } version)
                {
                    telemetry.Compilation(period.Id.ToString(), made: false, version, TimerActor);
                }
            }
            else
            {
                changed.Add((period, read, marker));
            }
        }

        var results = new List<CompileResult>();
        var failures = new List<Exception>();
        foreach (var (period, read, marker) in changed)
        {
            try
            {
                if (await CompileDueAsync(period, read, marker, ct) is { } result)
                {
                    results.Add(result);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One period's failure must not keep the others from being compiled; the run still fails at the end.
                logger.LogError(ex, "Compilation of {PeriodId} failed", period.Id);
                failures.Add(ex);
            }
        }

        logger.LogInformation("Compilation timer: {Due} due periods, {Changed} changed, {Created} compiled", due.Count, changed.Count, results.Count(r => r.Created));
        return failures.Count == 0 ? results : throw new AggregateException("Some periods could not be compiled.", failures);
    }

    /// <summary>
    /// A period whose marker moved (or is not known): gathered once, and compiled only if its inputs really changed. What
    /// was found is recorded at the marker read before the gather, so the next run skips the period while it holds.
    /// </summary>
    private async Task<CompileResult?> CompileDueAsync(Period period, PeriodChanges read, string? marker, CancellationToken ct)
    {
        var periodId = period.Id.ToString();
        var latestTask = compilations.LatestAsync(periodId, ct);
        var finalized = await periods.FinalizedAtAsync(periodId, ct);
        var latest = await latestTask;
        if (finalized is not null)
        {
            return null;
        }

        if (latest is null && read.Stamp == 0)
        {
            // No upload, decision or figures entry was ever stored (the index's stamp, no row of its own) and nothing was
            // compiled: nothing to assemble.
            await NoteCurrentAsync(read, marker, null, null, ct);
            return null;
        }

        var inputs = await GatherAsync(period, ct);
        if (latest is null && !inputs.HasAnythingStored)
        {
            await NoteCurrentAsync(read, marker, null, null, ct);
            return null;
        }

        if (latest is not null && latest.InputsFingerprint == inputs.Fingerprint)
        {
            // Same inputs under a new marker (a registry change the bundle does not show, or a change that changed nothing).
            await NoteCurrentAsync(read, marker, latest.Version, inputs.Counts, ct);
            logger.LogInformation("Compilation of {PeriodId} is current (v{Version}); skipped", period.Id, latest.Version);
            telemetry.Compilation(latest.PeriodId, made: false, latest.Version, TimerActor);
            return null;
        }

        return await telemetry.CompilationAsync(CompileCoreAsync(period, TimerActor, final: false, onlyIfChanged: true, first: (latest, inputs, read, marker), ct), TimerActor);
    }

    /// <summary>Records, at the marker read before the inputs were, that the latest compilation is current (best effort: a miss only means a gather).</summary>
    private async Task NoteCurrentAsync(PeriodChanges read, string? marker, int? version, StatusCounts? counts, CancellationToken ct)
    {
        if (marker is not null)
        {
            await changes.RecordCompiledAsync(read, marker, version, counts is null ? null : CompilationRecord.FormatCounts(counts), ct);
        }
    }

    /// <summary>Gathers the status and each required unit's latest version (one range query for the period's versions).</summary>
    public async Task<CompilationInputs> GatherAsync(Period period, CancellationToken ct = default)
    {
        var report = await status.ForAsync(period, ct);
        var periodId = period.Id.ToString();
        var wanted = report.Rows
            .Where(r => r.Status != SubmissionStatus.NotRequired && r.LatestVersion is not null)
            .ToDictionary(r => r.UnitCode, r => r.LatestVersion!.Value, StringComparer.Ordinal);
        var outlineTask = outlines.ForPeriodAsync(period, ct);
        var latest = await submissions.VersionsNamedAsync(periodId, wanted, ct);
        return CompilationInputs.From(report, latest, options.Value.ProvinceName, await figures.TotalsAsync(report, ct), await outlineTask);
    }

    /// <summary>
    /// The period's changes and marker as they are now. Read before the inputs are gathered, so a change stored in
    /// between makes the marker older than the bundle (the next run gathers again), never newer.
    /// </summary>
    private async Task<(PeriodChanges Read, string? Marker)> MarkerAsync(Period period, CancellationToken ct)
    {
        var readTask = changes.ReadAsync(period.Id.ToString(), ct);
        var registryMark = CompilationMarker.OfRegistry(await registry.ListAsync(ct));
        var read = await readTask;
        return (read, CompilationMarker.Of(period, options.Value.ProvinceName, registryMark, read.Stamp));
    }

    private async Task<CompileResult> CompileCoreAsync(
        Period period, string actor, bool final, bool onlyIfChanged, (CompilationRecord? Latest, CompilationInputs Inputs, PeriodChanges Read, string? Marker)? first, CancellationToken ct)
    {
        var periodId = period.Id.ToString();
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            CompilationRecord? latest;
            CompilationInputs inputs;
            PeriodChanges read;
            string? marker;
            if (attempt == 1 && first is { } known)
            {
                (latest, inputs, read, marker) = known;
            }
            else
            {
                var latestTask = compilations.LatestAsync(periodId, ct);
                (read, marker) = await MarkerAsync(period, ct);
                inputs = await GatherAsync(period, ct);
                latest = await latestTask;
            }

            if (onlyIfChanged && latest is not null && latest.InputsFingerprint == inputs.Fingerprint)
            {
                await NoteCurrentAsync(read, marker, latest.Version, inputs.Counts, ct);
                return new CompileResult(latest, false);
            }

            var version = (latest?.Version ?? 0) + 1;
            var blobName = $"{periodId}/{version.ToString("D4", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..12]}.zip";
            var started = clock.GetTimestamp();
            await blobWrites.NoteAsync(periodId, ct);
            var (size, sha) = await WriteBundleAsync(blobName, inputs, ct);
            var entity = CompilationEntity.Of(periodId, version, clock.GetUtcNow(), actor, final, blobName, size, sha, inputs);
            if (await RecordAsync(entity, ct))
            {
                await NoteCurrentAsync(read, marker, version, inputs.Counts, ct);
                logger.LogInformation(
                    "Compiled {PeriodId} v{Version}: {SizeBytes} bytes, {Files} files, in {ElapsedMs} ms",
                    periodId, version, size, inputs.SourceVersions.Count, (long)clock.GetElapsedTime(started).TotalMilliseconds);
                await audit.RecordAsync(actor, AuditActions.Compilation, periodId, detail: $"v{version} {sha} {(final ? "final" : "")}".TrimEnd(), ct: ct);
                return new CompileResult(CompilationRecord.From(entity), true);
            }

            // Another compiler recorded this version first: our blob is referenced by nothing.
            await DiscardAsync(blobName);
            var winner = await compilations.LatestAsync(periodId, ct);
            if (winner is not null && winner.InputsFingerprint == inputs.Fingerprint)
            {
                logger.LogInformation("Compilation of {PeriodId} v{Version} was made concurrently from the same inputs; using it", periodId, winner.Version);
                return new CompileResult(winner, false);
            }

            logger.LogInformation("Compilation version {Version} of {PeriodId} was taken by another compiler; retrying", version, periodId);
        }

        throw new InvalidOperationException($"Could not record a compilation of {periodId} after {MaxAttempts} attempts.");
    }

    /// <summary>
    /// Adds the compilation's row; false when another compiler took the version. When the add fails
    /// outright, the row is looked up: ours (the reply was lost) is success; none means the bundle is
    /// referenced by nothing and is deleted; when even the lookup fails the bundle is kept, since a row
    /// may point at it.
    /// </summary>
    private async Task<bool> RecordAsync(CompilationEntity entity, CancellationToken ct)
    {
        try
        {
            return await compilations.TryAddAsync(entity, ct);
        }
        catch (Exception ex)
        {
            var (known, recorded) = await LookUpAsync(entity);
            if (!known)
            {
                logger.LogWarning(ex, "Could not tell whether {PeriodId} v{Version} was recorded; its bundle {BlobName} is kept", entity.PartitionKey, entity.Version, entity.BlobName);
                throw;
            }

            if (recorded?.BlobName == entity.BlobName)
            {
                return true;
            }

            await DiscardAsync(entity.BlobName);
            throw;
        }
    }

    /// <summary>The row at the entity's version, if any; Known = false when storage could not answer.</summary>
    private async Task<(bool Known, CompilationRecord? Recorded)> LookUpAsync(CompilationEntity entity)
    {
        try
        {
            return (true, await compilations.GetAsync(entity.PartitionKey, entity.Version, CancellationToken.None));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Looking up {PeriodId} v{Version} failed", entity.PartitionKey, entity.Version);
            return (false, null);
        }
    }

    /// <summary>
    /// Streams the ZIP into a new blob (staged blocks, committed at the end if none exists at the name),
    /// hashing as it goes. A failure before the commit leaves nothing visible; one at the commit removes
    /// whatever the commit may have made.
    /// </summary>
    private async Task<(long Size, string Sha256)> WriteBundleAsync(string blobName, CompilationInputs inputs, CancellationToken ct)
    {
        await using var blobStream = new StagedBlobWriteStream(store.CompilationBlobs.GetBlockBlobClient(blobName), "application/zip");
        await using var hashing = new HashingWriteStream(blobStream);
        await BundleWriter.WriteAsync(hashing, inputs, OpenSourceAsync, ct);
        try
        {
            await blobStream.CommitAsync(ct);
        }
        catch
        {
            await DiscardAsync(blobName);
            throw;
        }

        return (hashing.BytesWritten, hashing.Sha256Hex());
    }

    /// <summary>
    /// Deletes this compiler's own blob, which no recorded compilation references; never throws over the
    /// failure that led here, and runs to its end even when the compile was cancelled.
    /// </summary>
    private Task DiscardAsync(string blobName) =>
        StorageFailures.DeleteUnreferencedAsync(store.CompilationBlobs.GetBlockBlobClient(blobName), logger);

    /// <summary>One streamed Get Blob (a report's blob is written once and never changed, so no properties read or ETag check is needed first).</summary>
    private async Task<Stream> OpenSourceAsync(SubmissionVersion version, CancellationToken ct) =>
        (await store.Reports.GetBlobClient(version.BlobName).DownloadStreamingAsync(cancellationToken: ct)).Value.Content;
}
