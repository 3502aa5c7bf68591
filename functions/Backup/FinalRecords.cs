using Azure.Storage.Blobs.Models;
using DanVan.Compilation;
using DanVan.Periods;
using DanVan.Storage;
using DanVan.Submissions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DanVan.Backup;

/// <summary>
/// Keeps the report versions a final bundle includes at least as long as the bundle: each gets a time-based immutability
/// policy of its own until the bundle's creation plus <see cref="BackupOptions.FinalRecordDays"/> (the bundle itself is
/// write-once by its container's default policy, infra/modules/storage.bicep). A policy, not a legal hold: it ends by
/// itself when the records schedule says, as the bundle's does, where a hold stays until someone clears it. Run nightly
/// for the periods finalized in the last <see cref="Recent"/> (so a night that failed is made up the next one); a policy
/// is only ever set to a later instant, bundles oldest first.
/// </summary>
public sealed class FinalRecords(
    PeriodCatalog periods,
    CompilationStore compilations,
    SubmissionStore submissions,
    DanVanStore store,
    IOptions<BackupOptions> options,
    TimeProvider clock,
    ILogger<FinalRecords> logger)
{
    public static readonly TimeSpan Recent = TimeSpan.FromDays(2);

    /// <summary>Seals the versions in the final bundles of the periods finalized lately; returns how many policies were set.</summary>
    public async Task<int> SealRecentAsync(CancellationToken ct = default)
    {
        if (options.Value.FinalRecordDays == 0)
        {
            return 0;
        }

        var since = clock.GetUtcNow() - Recent;
        var set = 0;
        foreach (var (periodId, finalizedAt) in await periods.FinalizedAsync(ct))
        {
            if (finalizedAt >= since)
            {
                set += await SealAsync(periodId, ct);
            }
        }

        return set;
    }

    /// <summary>Sets the policy of every report version in each final bundle of the period.</summary>
    public async Task<int> SealAsync(string periodId, CancellationToken ct = default)
    {
        var days = options.Value.FinalRecordDays;
        var set = 0;
        foreach (var bundle in (await compilations.ListAsync(periodId, ct)).Where(c => c.Final).OrderBy(c => c.Version))
        {
            var until = bundle.CreatedAt + TimeSpan.FromDays(days);
            var wanted = bundle.SourceVersions.ToDictionary(s => s.UnitCode, s => s.Version, StringComparer.Ordinal);
            foreach (var version in (await submissions.VersionsNamedAsync(periodId, wanted, ct)).Values)
            {
                await store.Reports.GetBlobClient(version.BlobName).SetImmutabilityPolicyAsync(
                    new BlobImmutabilityPolicy { ExpiresOn = until, PolicyMode = BlobImmutabilityPolicyMode.Unlocked }, cancellationToken: ct);
                set++;
            }

            logger.LogInformation("Final bundle {PeriodId} v{Version}: {Count} report versions write-once until {Until}", periodId, bundle.Version, wanted.Count, until);
        }

        return set;
    }
}
