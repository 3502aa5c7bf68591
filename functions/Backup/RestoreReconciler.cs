using DanVan.Changes;
using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Storage;
using DanVan.Submissions;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace DanVan.Backup;

/// <summary>What reconciling a restored state found and did.</summary>
public sealed record Reconciliation(
    int PeriodsRestamped,
    int VersionsChecked,
    int VersionsWithoutBlob,
    int CompilationsChecked,
    int CompilationsWithoutBlob,
    int ReportBlobsWithoutVersion,
    IReadOnlyList<string> Examples);

/// <summary>
/// Brings a restored state to one the app works from, through the owners of the tables (never their keys):
/// <list type="bullet">
/// <item>Tables were exported one after another, so one exported later can hold a write the earlier ones do not count (an
/// upload stored after the period changes index was exported). The caches kept at a period's count of changes (its status
/// counts, "compiled and current", a unit's own row) could then be taken as current for a state they do not describe; so
/// every period's count is moved on by one committed change, and each cache is worked out again on its next read.</item>
/// <item>Changes in flight in the backup are left to the app's own recovery: the compilation timer settles each one by its
/// ticket (stored or not) once it is an hour old, exactly as after a crash.</item>
/// <item>A version or a compilation whose blob is not in the target's containers is counted and named (blobs are not in
/// the backup: they are kept in place by versioning, soft delete and write-once retention). A report blob no version
/// names is an upload received after the backup: counted and named, since its receipt is not restored and the nightly
/// orphan sweep deletes such a blob (where no write-once retention keeps it).</item>
/// </list>
/// </summary>
public sealed class RestoreReconciler(PeriodCatalog periods, TimeProvider clock, ILoggerFactory loggers)
{
    public const string Source = "restore";

    private const int MaxExamples = 20;

    /// <summary>Reconciles after <paramref name="restored"/> (table names without prefix) were restored: each step only when its tables were.</summary>
    public async Task<Reconciliation> ReconcileAsync(DanVanStore target, string prefix, IReadOnlyList<string> restored, CancellationToken ct = default)
    {
        bool Restored(string table) => restored.Contains(table[prefix.Length..]);
        var changes = new PeriodChangeStore(target, clock, loggers.CreateLogger<PeriodChangeStore>());
        var submissions = new SubmissionStore(target, changes, new BlobWriteNotes(target, changes), loggers.CreateLogger<SubmissionStore>());
        var compilations = new CompilationStore(target);
        var ids = (await changes.ReadAsync(ct)).Keys.Concat(periods.Current().Select(p => p.Id.ToString())).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var restamped = 0;
        if (Restored(target.Names.PeriodChangesTable))
        {
            foreach (var id in ids)
            {
                await (await changes.BeginAsync(id, Source, "", ct)).StoredAsync(); // a change with no write: the stamp moves, caches go
                restamped++;
            }
        }

        var examples = new List<string>();
        var (versions, versionsMissing, bundles, bundlesMissing, unreferenced) = (0, 0, 0, 0, 0);
        foreach (var id in Restored(target.Names.SubmissionsTable) || Restored(target.Names.CompilationsTable) ? ids : [])
        {
            var named = await submissions.BlobNamesAsync(id, ct);
            var stored = await NamesAsync(target.Reports, id, ct);
            versions += named.Count;
            versionsMissing += Note(named.Except(stored), "reports", examples);
            unreferenced += Note(stored.Except(named), "reports (no version)", examples);

            var bundleNames = (await compilations.ListAsync(id, ct)).Select(c => c.BlobName).ToHashSet(StringComparer.Ordinal);
            bundles += bundleNames.Count;
            bundlesMissing += Note(bundleNames.Except(await NamesAsync(target.CompilationBlobs, id, ct)), "compilations", examples);
        }

        return new Reconciliation(restamped, versions, versionsMissing, bundles, bundlesMissing, unreferenced, examples);
    }

    private static int Note(IEnumerable<string> names, string where, List<string> examples)
    {
        var list = names.ToList();
        examples.AddRange(list.Take(Math.Max(0, MaxExamples - examples.Count)).Select(n => $"{where}: {n}"));
        return list.Count;
    }

    private static async Task<HashSet<string>> NamesAsync(BlobContainerClient container, string periodId, CancellationToken ct)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!await container.ExistsAsync(ct))
        {
            return names;
        }

        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, periodId + "/", ct))
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
