using Azure.Data.Tables;
using DanVan.Changes;
using DanVan.Storage;
using Microsoft.Extensions.Logging;

namespace DanVan.Submissions;

/// <summary>
/// The one owner of the submissions table: the reads that status, reminders and compilation share, and
/// the writes (a version appended, a period closed) with their concurrency rules.
/// </summary>
public sealed class SubmissionStore(DanVanStore store, PeriodChangeStore changes, BlobWriteNotes blobWrites, ILogger<SubmissionStore> logger) : IChangeTickets, ITableOwner, IFencedTable
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.SubmissionsTable;

    public string Source => "submissions";

    public Task<bool> SettleAsync(string periodId, string changeId, CancellationToken ct = default) =>
        ChangeTickets.SettleAsync(store.Submissions, periodId, changeId, ct);

    private readonly VersionAppend append = new(store.Submissions, logger);

    /// <summary>Before a report blob of the period is written: see <see cref="BlobWriteNotes.NoteAsync"/>.</summary>
    public Task NoteBlobWriteAsync(string periodId, CancellationToken ct = default) => blobWrites.NoteAsync(periodId, ct);

    /// <summary>Every unit that has uploaded for the period, keyed by unit code.</summary>
    public async Task<IReadOnlyDictionary<string, SubmissionHead>> HeadsAsync(string periodId, CancellationToken ct = default)
    {
        var heads = new Dictionary<string, SubmissionHead>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {SubmissionKeys.HeadsFrom} and RowKey lt {SubmissionKeys.HeadsTo}");
        await foreach (var e in store.Submissions.QueryAsync<SubmissionHeadEntity>(filter, cancellationToken: ct))
        {
            if (e.LatestVersion > 0)
            {
                heads[e.UnitCode] = e.ToHead();
            }
        }

        return heads;
    }

    /// <summary>Every version a unit uploaded for the period, oldest first.</summary>
    public async Task<IReadOnlyList<SubmissionVersion>> VersionsAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {periodId} and RowKey ge {SubmissionKeys.VersionsFrom(unitCode)} and RowKey lt {SubmissionKeys.VersionsTo(unitCode)}");
        var versions = new List<SubmissionVersion>();
        await foreach (var e in store.Submissions.QueryAsync<SubmissionVersionEntity>(filter, cancellationToken: ct))
        {
            versions.Add(e.ToVersion());
        }

        return versions.OrderBy(v => v.Version).ToList();
    }

    /// <summary>The blob every version of the period points at (what the orphan sweep must keep).</summary>
    public async Task<IReadOnlySet<string>> BlobNamesAsync(string periodId, CancellationToken ct = default)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {SubmissionKeys.AllVersionsFrom} and RowKey lt {SubmissionKeys.AllVersionsTo}");
        await foreach (var row in store.Submissions.QueryAsync<SubmissionVersionEntity>(filter, select: [nameof(SubmissionVersionEntity.BlobName)], cancellationToken: ct))
        {
            names.Add(row.BlobName);
        }

        return names;
    }

    /// <summary>
    /// Each unit's version rows for the period in one range query, keeping the one named by <paramref name="wanted"/>
    /// (unit code → version), instead of a point read per unit.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, SubmissionVersion>> VersionsNamedAsync(string periodId, IReadOnlyDictionary<string, int> wanted, CancellationToken ct = default)
    {
        var found = new Dictionary<string, SubmissionVersion>(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return found;
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {SubmissionKeys.AllVersionsFrom} and RowKey lt {SubmissionKeys.AllVersionsTo}");
        await foreach (var e in store.Submissions.QueryAsync<SubmissionVersionEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
        {
            if (wanted.TryGetValue(e.UnitCode, out var version) && version == e.Version)
            {
                found[e.UnitCode] = e.ToVersion();
            }
        }

        return found;
    }

    public Task<SubmissionVersion?> VersionAsync(string periodId, string unitCode, int version, CancellationToken ct = default) =>
        append.VersionAsync(periodId, unitCode, version, ct);

    /// <summary>The unit's head, or null while it has no version (a fence alone is no head).</summary>
    public async Task<SubmissionHead?> HeadAsync(string periodId, string unitCode, CancellationToken ct = default) =>
        await append.HeadRowAsync(periodId, unitCode, ct) is { LatestVersion: > 0 } head ? head.ToHead() : null;

    /// <summary>
    /// What a version append starts from: the unit's head, read while the change the version will be is begun in the index
    /// (<see cref="PeriodChangeStore.BeginAsync"/>), at once. Stale by the time of the append is fine: the transaction
    /// carries the head's ETag and re-reads on a conflict. The period's gate is the caller's to read first
    /// (<see cref="PeriodGate"/>); a head fenced since shows it closed. A basis that is not appended after all (the upload
    /// was refused) is given up with <see cref="ForgoAsync"/>, so its change does not stay in flight.
    /// </summary>
    public async Task<AppendBasis> AppendBasisAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var head = append.HeadRowAsync(periodId, unitCode, ct);
        var change = changes.BeginAsync(periodId, Source, unitCode, ct);
        try
        {
            await Task.WhenAll(head, change);
        }
        catch when (change.IsCompletedSuccessfully)
        {
            await change.Result.NotStoredAsync(); // nothing will be appended on a basis that could not be read
            throw;
        }

        return new AppendBasis(await head, await change);
    }

    /// <summary>The basis will not be appended (the version was refused before its transaction): its change is dropped. Never throws.</summary>
    public Task ForgoAsync(AppendBasis basis) => basis.Change.NotStoredAsync();

    /// <summary>The version an Idempotency-Key (its SHA-256, hex) produced for this unit, if any.</summary>
    public Task<SubmissionVersion?> VersionForKeyAsync(string periodId, string unitCode, string keyHash, CancellationToken ct = default) =>
        append.VersionForKeyAsync(periodId, unitCode, keyHash, ct);

    /// <summary>
    /// Appends <paramref name="row"/> (its blob already written; its PeriodId, UnitCode, ReceiptId and
    /// file facts set) as the unit's next version: one entity-group transaction moves the head under its
    /// ETag and adds the version row, the idempotency key and the change's ticket, so they appear together or
    /// not at all. It writes the unit's own rows only: uploads of other units never conflict with it. It never
    /// commits after the unit's head was fenced by finalization (the fence changes the head's ETag), and is not
    /// tried once the head shows the period closed.
    /// <para>
    /// Whenever a transaction fails or its answer is lost, what storage holds is read before anything
    /// else: a version row with this receipt id under a number this call tried means it was stored (the
    /// reply was lost; the SDK's retry then met its own write). Only one attempt can ever commit: each
    /// carries the head's ETag of its moment, so an older attempt arriving late fails.
    /// </para>
    /// </summary>
    /// <param name="basis">The unit's head as the caller read it, and the change begun for this version (<see cref="AppendBasisAsync"/>); they serve the first attempt.</param>
    /// <param name="alongside">What follows the stored outcome (the audit, the receipt): it runs while the change is marked settled, and the call returns when both are done; what it throws is thrown.</param>
    /// <returns>The stored version, or the version a concurrent upload with the same Idempotency-Key stored (<see cref="AppendOutcome.KeyTaken"/>).</returns>
    /// <exception cref="PeriodClosedException">The period was closed before this version could be committed.</exception>
    /// <exception cref="AppendFailedException">Not stored as far as storage shows; <see cref="AppendFailedException.OutcomeKnown"/> says whether a late commit is ruled out.</exception>
    public async Task<AppendOutcome> AppendVersionAsync(SubmissionVersion row, string? keyHash, AppendBasis basis, Func<AppendOutcome, Task>? alongside = null, CancellationToken ct = default)
    {
        var change = basis.Change;

        // The change is counted once the version is known to be stored, dropped once it is known never to be;
        // otherwise it stays in flight (the timer settles it by its ticket).
        AppendOutcome outcome;
        try
        {
            outcome = await append.AppendAsync(row, keyHash, basis, ct);
        }
        catch (Exception ex) when (ex is PeriodClosedException or AppendFailedException { OutcomeKnown: true })
        {
            await change.NotStoredAsync();
            throw;
        }

        // Settling never throws, so what the caller does with the outcome goes at the same time; its failure is the caller's.
        var settled = outcome.KeyTaken ? change.NotStoredAsync() : change.StoredAsync();
        try
        {
            if (alongside is not null)
            {
                await alongside(outcome);
            }
        }
        finally
        {
            await settled;
        }

        return outcome;
    }

    /// <summary>
    /// After the gate is shut (<see cref="PeriodGate.CloseAsync"/>): fences the head of every unit in <paramref name="units"/> and of
    /// every unit with a head, marking it closed (a merge, which changes its ETag; a head with version 0 where the unit has
    /// none), a transaction of up to 100 heads at a time. A version transaction that read the head before its fence fails
    /// on its ETag; one that committed before it is in what the final compile reads. Idempotent: a repeated finalize (or
    /// the SDK's retry of a lost reply) fences again, harmlessly.
    /// </summary>
    public Task FenceAsync(string periodId, IEnumerable<string> units, DateTimeOffset closedAt, CancellationToken ct = default) =>
        UnitFences.PutAsync(store.Submissions, periodId, units, SubmissionKeys.HeadsFrom, SubmissionKeys.HeadsTo, SubmissionKeys.Head, closedAt, ct);
}

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Submissions</c> is
/// <see cref="SubmissionStore"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Submissions => store.Table<SubmissionStore>();
    }
}
