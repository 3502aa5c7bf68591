using Azure;
using Azure.Data.Tables;
using DanVan.Changes;
using DanVan.Storage;
using Microsoft.Extensions.Logging;

namespace DanVan.Submissions;

/// <summary>
/// Table <c>submissions</c>. PartitionKey = the period id, so one period's uploads share a partition:
/// the status of every unit is one range query, and an upload commits its rows in one entity-group
/// transaction. RowKeys, by kind (unit codes are [a-z0-9-], so '~' never occurs inside one):
/// <list type="bullet">
/// <item><c>h~{unit}</c> — the unit's head: latest version, when it arrived, its hash. Its ETag is the
/// optimistic-concurrency token that allocates version numbers, and the fence finalization puts up
/// (<see cref="SubmissionHeadEntity.ClosedAt"/>; a unit with no version gets a head with version 0, which no reader lists).</item>
/// <item><c>v~{unit}~{000001}</c> — one immutable version (the receipt), pointing at its blob.</item>
/// <item><c>k~{unit}~{sha256(Idempotency-Key)}</c> — an idempotency key and the version it produced.</item>
/// <item><c>p~state</c> — written by earlier designs (the period's gate, a count of versions); nothing reads it now:
/// a period's one finalization record is <see cref="PeriodGate"/>'s. Finalization shuts that gate first, then fences
/// every unit's head here (<see cref="SubmissionStore.FenceAsync"/>; its neighbours in the decisions and figures
/// tables), so a version is either committed before its unit's fence (and in the final bundle) or refused.</item>
/// <item><c>t~{changeId}</c> — the ticket of the change a version is (<see cref="ChangeTickets"/>), added with it.</item>
/// </list>
/// Report blobs live in container <c>reports</c> at <c>{periodId}/{unit}/{receiptId}</c>: the path comes
/// from period, unit and a fresh id, never from the file name.
/// </summary>
public static class SubmissionKeys
{
    public static string Head(string unitCode) => $"h~{unitCode}";

    public static string Version(string unitCode, int version) => $"v~{unitCode}~{version:D6}";

    public static string VersionsFrom(string unitCode) => $"v~{unitCode}~";

    public static string VersionsTo(string unitCode) => $"v~{unitCode}~~";

    public static string IdempotencyKey(string unitCode, string keyHash) => $"k~{unitCode}~{keyHash}";

    public const string PeriodState = "p~state";

    public const string HeadsFrom = "h~";
    public const string HeadsTo = "h~~";

    public const string AllVersionsFrom = "v~";
    public const string AllVersionsTo = "v~~";

    public static string BlobName(string periodId, string unitCode, string receiptId) => $"{periodId}/{unitCode}/{receiptId}";
}

public sealed class SubmissionHeadEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string UnitCode { get; set; } = "";
    public int LatestVersion { get; set; }
    public DateTimeOffset LatestReceivedAt { get; set; }
    public string LatestSha256 { get; set; } = "";
    public string LatestReceiptId { get; set; } = "";

    /// <summary>The latest version's <see cref="SubmissionVersionEntity.Signatures"/>, so status rows need no version reads.</summary>
    public string? LatestSignatures { get; set; }

    /// <summary>When finalization fenced the unit's head: no version is appended to it any more.</summary>
    public DateTimeOffset? ClosedAt { get; set; }

    public SubmissionHead ToHead() => new(UnitCode, LatestVersion, LatestReceivedAt, LatestSha256, LatestReceiptId, LatestSignatures);
}

public sealed class SubmissionVersionEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ReceiptId { get; set; } = "";
    public string UnitCode { get; set; } = "";
    public int Version { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long SizeBytes { get; set; }
    public string Sha256 { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public string? Note { get; set; }
    public string BlobName { get; set; } = "";

    /// <summary>"unit:{code}" or "admin" (an upload on the unit's behalf).</summary>
    public string UploadedBy { get; set; } = "";

    /// <summary>A PDF's signatures as checked when it was accepted (<c>Signatures.SignatureReport</c> as JSON); null for other files.</summary>
    public string? Signatures { get; set; }
}

public sealed class IdempotencyKeyEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Version { get; set; }
}

/// <summary>The latest state of one unit for one period.</summary>
public sealed record SubmissionHead(string UnitCode, int LatestVersion, DateTimeOffset LatestReceivedAt, string LatestSha256, string LatestReceiptId, string? LatestSignatures = null);

/// <summary>
/// The one owner of the submissions table: the reads that status, reminders and compilation share, and
/// the writes (a version appended, a period closed) with their concurrency rules.
/// </summary>
public sealed class SubmissionStore(DanVanStore store, PeriodChangeStore changes, ILogger<SubmissionStore> logger) : IChangeTickets
{
    public string Source => "submissions";

    public Task<bool> SettleAsync(string periodId, string changeId, CancellationToken ct = default) =>
        ChangeTickets.SettleAsync(store.Submissions, periodId, changeId, ct);

    /// <summary>Version numbers taken by concurrent uploads of the same unit before this one gives up.</summary>
    private const int MaxConflicts = 64;

    /// <summary>Transactions whose outcome storage did not report (after the SDK's own retries), before giving up.</summary>
    private const int MaxUnanswered = 2;

    /// <summary>How long the checks that find out what storage holds may take, whatever the caller's token.</summary>
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Before a report blob of the period is written: see <see cref="PeriodChangeStore.NoteBlobWriteAsync"/>.</summary>
    public Task NoteBlobWriteAsync(string periodId, CancellationToken ct = default) => changes.NoteBlobWriteAsync(periodId, ct);

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
    public async Task<IReadOnlyList<SubmissionVersionEntity>> VersionsAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {periodId} and RowKey ge {SubmissionKeys.VersionsFrom(unitCode)} and RowKey lt {SubmissionKeys.VersionsTo(unitCode)}");
        var versions = new List<SubmissionVersionEntity>();
        await foreach (var e in store.Submissions.QueryAsync<SubmissionVersionEntity>(filter, cancellationToken: ct))
        {
            versions.Add(e);
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
    public async Task<IReadOnlyDictionary<string, SubmissionVersionEntity>> VersionsNamedAsync(string periodId, IReadOnlyDictionary<string, int> wanted, CancellationToken ct = default)
    {
        var found = new Dictionary<string, SubmissionVersionEntity>(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return found;
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {periodId} and RowKey ge {SubmissionKeys.AllVersionsFrom} and RowKey lt {SubmissionKeys.AllVersionsTo}");
        await foreach (var e in store.Submissions.QueryAsync<SubmissionVersionEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
        {
            if (wanted.TryGetValue(e.UnitCode, out var version) && version == e.Version)
            {
                found[e.UnitCode] = e;
            }
        }

        return found;
    }

    public async Task<SubmissionVersionEntity?> VersionAsync(string periodId, string unitCode, int version, CancellationToken ct = default)
    {
        var row = await store.Submissions.GetEntityIfExistsAsync<SubmissionVersionEntity>(periodId, SubmissionKeys.Version(unitCode, version), cancellationToken: ct);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>The unit's head, or null while it has no version (a fence alone is no head).</summary>
    public async Task<SubmissionHeadEntity?> HeadAsync(string periodId, string unitCode, CancellationToken ct = default) =>
        await HeadRowAsync(periodId, unitCode, ct) is { LatestVersion: > 0 } head ? head : null;

    /// <summary>The head row as stored, a fence with no version included (what an append is conditional on).</summary>
    private async Task<SubmissionHeadEntity?> HeadRowAsync(string periodId, string unitCode, CancellationToken ct)
    {
        var head = await store.Submissions.GetEntityIfExistsAsync<SubmissionHeadEntity>(periodId, SubmissionKeys.Head(unitCode), cancellationToken: ct);
        return head.HasValue ? head.Value : null;
    }

    /// <summary>
    /// What a version append starts from: the unit's head, read while the change the version will be is begun in the index
    /// (<see cref="PeriodChangeStore.BeginAsync"/>), at once. Stale by the time of the append is fine: the transaction
    /// carries the head's ETag and re-reads on a conflict. The period's gate is the caller's to read first
    /// (<see cref="PeriodGate"/>); a head fenced since shows it closed. A basis that is not appended after all (the upload
    /// was refused) is given up with <see cref="ForgoAsync"/>, so its change does not stay in flight.
    /// </summary>
    public async Task<AppendBasis> AppendBasisAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var head = HeadRowAsync(periodId, unitCode, ct);
        var ticket = changes.BeginAsync(periodId, Source, unitCode, ct);
        try
        {
            await Task.WhenAll(head, ticket);
        }
        catch when (ticket.IsCompletedSuccessfully)
        {
            await changes.AbandonedAsync(ticket.Result); // nothing will be appended on a basis that could not be read
            throw;
        }

        return new AppendBasis(await head, await ticket);
    }

    /// <summary>The basis will not be appended (the version was refused before its transaction): its change is dropped. Never throws.</summary>
    public Task ForgoAsync(AppendBasis basis) => changes.AbandonedAsync(basis.Ticket);

    /// <summary>The version an Idempotency-Key (its SHA-256, hex) produced for this unit, if any.</summary>
    public async Task<SubmissionVersionEntity?> VersionForKeyAsync(string periodId, string unitCode, string keyHash, CancellationToken ct = default)
    {
        var key = await store.Submissions.GetEntityIfExistsAsync<IdempotencyKeyEntity>(periodId, SubmissionKeys.IdempotencyKey(unitCode, keyHash), cancellationToken: ct);
        return key.HasValue ? await VersionAsync(periodId, unitCode, key.Value!.Version, ct) : null;
    }

    /// <summary>
    /// Appends <paramref name="row"/> (its blob already written; its PartitionKey, UnitCode, ReceiptId and
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
    public async Task<AppendOutcome> AppendVersionAsync(SubmissionVersionEntity row, string? keyHash, AppendBasis basis, Func<AppendOutcome, Task>? alongside = null, CancellationToken ct = default)
    {
        var ticket = basis.Ticket;

        // The change is counted once the version is known to be stored, dropped once it is known never to be;
        // otherwise it stays in flight (the timer settles it by its ticket).
        AppendOutcome outcome;
        try
        {
            outcome = await AppendAsync(row, keyHash, basis, ticket, ct);
        }
        catch (Exception ex) when (ex is PeriodClosedException or AppendFailedException { OutcomeKnown: true })
        {
            await changes.AbandonedAsync(ticket);
            throw;
        }

        // Settling never throws, so what the caller does with the outcome goes at the same time; its failure is the caller's.
        var settled = outcome.KeyTaken ? changes.AbandonedAsync(ticket) : changes.CommittedAsync(ticket);
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

    private async Task<AppendOutcome> AppendAsync(SubmissionVersionEntity row, string? keyHash, AppendBasis basis, ChangeTicket ticket, CancellationToken ct)
    {
        var pid = row.PartitionKey;
        var tried = new List<int>();
        var conflicts = 0;
        var unanswered = 0;
        var head = basis.Head;
        while (true)
        {
            if (head?.ClosedAt is { } closedAt)
            {
                // The head is fenced: no attempt can commit any more (each carried an older ETag). Read after the fence,
                // so an earlier attempt of this upload whose reply was lost shows now if it committed before it.
                if (tried.Count > 0 && await ResolveAsync(t => StoredAsAsync(row, tried, t)) is { } before)
                {
                    return new AppendOutcome(before, KeyTaken: false, conflicts, tried.Count - 1);
                }

                throw new PeriodClosedException(pid, closedAt);
            }

            var version = (head?.LatestVersion ?? 0) + 1;
            tried.Add(version);
            Exception failure;
            try
            {
                await store.Submissions.SubmitTransactionAsync(VersionTransaction(row, version, keyHash, head, ticket), ct);
                return new AppendOutcome(row, KeyTaken: false, conflicts, tried.Count - 1);
            }
            catch (Exception ex) when (StorageFailures.Is(ex, ct))
            {
                failure = ex;
            }

            // 409/412 are storage's own answer: this attempt was not applied (an earlier one may have been).
            var conflict = failure is RequestFailedException { Status: 409 or 412 };
            unanswered += conflict ? 0 : 1;
            conflicts += conflict ? 1 : 0;
            logger.LogInformation("Version {Version} of {Unit} in {Period} not confirmed ({Reason}); reading what storage holds",
                version, row.UnitCode, pid, conflict ? "conflict" : failure.GetType().Name);
            if (await ResolveAsync(t => StoredAsAsync(row, tried, t)) is { } mine)
            {
                return new AppendOutcome(mine, KeyTaken: false, conflicts, tried.Count - 1);
            }

            if (keyHash is not null && await ResolveAsync(t => VersionForKeyAsync(pid, row.UnitCode, keyHash, t)) is { } taken)
            {
                return new AppendOutcome(taken, KeyTaken: true, conflicts, tried.Count - 1);
            }

            if ((conflict && conflicts >= MaxConflicts) || unanswered >= MaxUnanswered)
            {
                throw new AppendFailedException(outcomeKnown: unanswered == 0, failure);
            }

            // A real pause, not the injected clock's: it only spreads retries apart and measures nothing.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + Math.Min(conflicts + unanswered, 10) * 10)), CancellationToken.None);
            head = await ResolveAsync(t => HeadRowAsync(pid, row.UnitCode, t));
        }
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

    private static List<TableTransactionAction> VersionTransaction(SubmissionVersionEntity row, int version, string? keyHash, SubmissionHeadEntity? head, ChangeTicket ticket)
    {
        row.Version = version;
        row.RowKey = SubmissionKeys.Version(row.UnitCode, version);
        var newHead = new SubmissionHeadEntity
        {
            PartitionKey = row.PartitionKey,
            RowKey = SubmissionKeys.Head(row.UnitCode),
            UnitCode = row.UnitCode,
            LatestVersion = version,
            LatestReceivedAt = row.ReceivedAt,
            LatestSha256 = row.Sha256,
            LatestReceiptId = row.ReceiptId,
            LatestSignatures = row.Signatures,
        };
        var actions = new List<TableTransactionAction>
        {
            head is null ? new(TableTransactionActionType.Add, newHead) : new(TableTransactionActionType.UpdateReplace, newHead, head.ETag),
            new(TableTransactionActionType.Add, row),
            ChangeTickets.Add(ticket),
        };
        if (keyHash is not null)
        {
            actions.Add(new(TableTransactionActionType.Add, new IdempotencyKeyEntity
            {
                PartitionKey = row.PartitionKey,
                RowKey = SubmissionKeys.IdempotencyKey(row.UnitCode, keyHash),
                Version = version,
            }));
        }

        return actions;
    }

    /// <summary>
    /// A read that finds out what storage holds: bounded by its own timeout and not by the caller's token (a
    /// client that went away must not leave an outcome unexamined); its failure leaves the outcome unknown.
    /// </summary>
    private static async Task<T> ResolveAsync<T>(Func<CancellationToken, Task<T>> read)
    {
        using var timeout = new CancellationTokenSource(ResolveTimeout);
        try
        {
            return await read(timeout.Token);
        }
        catch (Exception ex) when (StorageFailures.Is(ex, CancellationToken.None))
        {
            throw new AppendFailedException(outcomeKnown: false, ex);
        }
    }

    /// <summary>The version row this receipt was stored as, under one of the numbers tried, if any.</summary>
    private async Task<SubmissionVersionEntity?> StoredAsAsync(SubmissionVersionEntity row, IEnumerable<int> tried, CancellationToken ct)
    {
        foreach (var version in tried.Distinct())
        {
            if (await VersionAsync(row.PartitionKey, row.UnitCode, version, ct) is { } stored && stored.ReceiptId == row.ReceiptId)
            {
                return stored;
            }
        }

        return null;
    }
}

/// <summary>The unit's head row an append starts from (null: none yet; version 0: a fence only), and the change begun for it.</summary>
public sealed record AppendBasis(SubmissionHeadEntity? Head, ChangeTicket Ticket);

/// <summary>
/// What <see cref="SubmissionStore.AppendVersionAsync"/> stored: this upload's version, or (KeyTaken) the one a concurrent
/// upload with the same Idempotency-Key stored; with how many of its transactions storage refused as conflicts (409/412)
/// and how many it tried again after the first (the app's own contention counters, reported with the receipt's event).
/// </summary>
public sealed record AppendOutcome(SubmissionVersionEntity Version, bool KeyTaken, int Conflicts = 0, int Retries = 0);

/// <summary>The period was closed (finalized) before the version could be committed; no attempt of it can commit any more.</summary>
public sealed class PeriodClosedException(string periodId, DateTimeOffset closedAt)
    : Exception($"Period {periodId} was closed at {closedAt:O}.")
{
    public DateTimeOffset ClosedAt { get; } = closedAt;
}

/// <summary>
/// The version was not stored, as far as storage shows. <see cref="OutcomeKnown"/>: every attempt was refused
/// by storage itself, so none can commit later (its blob may be deleted); otherwise an attempt's fate was
/// not reported and the blob is left to the orphan sweep, which deletes it only if no row ever points at it.
/// </summary>
public sealed class AppendFailedException(bool outcomeKnown, Exception inner)
    : Exception(outcomeKnown ? "The version was refused by storage." : "Storage did not report whether the version was stored.", inner)
{
    public bool OutcomeKnown { get; } = outcomeKnown;
}
