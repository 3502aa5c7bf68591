using Azure;
using Azure.Data.Tables;
using DanVan.Changes;
using DanVan.Storage;
using Microsoft.Extensions.Logging;

namespace DanVan.Submissions;

/// <summary>
/// <see cref="SubmissionStore"/>'s version append (<see cref="SubmissionStore.AppendVersionAsync"/>) and the point reads it
/// settles its outcome with: the transaction that moves the unit's head and adds the version, retried on conflicts, with
/// every unanswered attempt found out from what storage holds.
/// </summary>
internal sealed class VersionAppend(TableClient table, ILogger logger)
{
    /// <summary>Version numbers taken by concurrent uploads of the same unit before this one gives up.</summary>
    private const int MaxConflicts = 64;

    /// <summary>Transactions whose outcome storage did not report (after the SDK's own retries), before giving up.</summary>
    private const int MaxUnanswered = 2;

    /// <summary>How long the checks that find out what storage holds may take, whatever the caller's token.</summary>
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The head row as stored, a fence with no version included (what an append is conditional on).</summary>
    public async Task<SubmissionHeadEntity?> HeadRowAsync(string periodId, string unitCode, CancellationToken ct)
    {
        var head = await table.GetEntityIfExistsAsync<SubmissionHeadEntity>(periodId, SubmissionKeys.Head(unitCode), cancellationToken: ct);
        return head.HasValue ? head.Value : null;
    }

    public async Task<SubmissionVersion?> VersionAsync(string periodId, string unitCode, int version, CancellationToken ct)
    {
        var row = await table.GetEntityIfExistsAsync<SubmissionVersionEntity>(periodId, SubmissionKeys.Version(unitCode, version), cancellationToken: ct);
        return row.HasValue ? row.Value!.ToVersion() : null;
    }

    public async Task<SubmissionVersion?> VersionForKeyAsync(string periodId, string unitCode, string keyHash, CancellationToken ct)
    {
        var key = await table.GetEntityIfExistsAsync<IdempotencyKeyEntity>(periodId, SubmissionKeys.IdempotencyKey(unitCode, keyHash), cancellationToken: ct);
        return key.HasValue ? await VersionAsync(periodId, unitCode, key.Value!.Version, ct) : null;
    }

    public async Task<AppendOutcome> AppendAsync(SubmissionVersion row, string? keyHash, AppendBasis basis, CancellationToken ct)
    {
        var pid = row.PeriodId;
        var change = basis.Change;
        var tried = new List<int>();
        var conflicts = 0;
        var unanswered = 0;
        var head = basis.Row;
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
                await table.SubmitTransactionAsync(VersionTransaction(row, version, keyHash, head, change), ct);
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

    private static List<TableTransactionAction> VersionTransaction(SubmissionVersion row, int version, string? keyHash, SubmissionHeadEntity? head, ChangeScope change)
    {
        row.Version = version;
        var newHead = new SubmissionHeadEntity
        {
            PartitionKey = row.PeriodId,
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
            new(TableTransactionActionType.Add, SubmissionVersionEntity.From(row)),
        };
        if (keyHash is not null)
        {
            actions.Add(new(TableTransactionActionType.Add, new IdempotencyKeyEntity
            {
                PartitionKey = row.PeriodId,
                RowKey = SubmissionKeys.IdempotencyKey(row.UnitCode, keyHash),
                Version = version,
            }));
        }

        return change.Transaction(actions);
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
    private async Task<SubmissionVersion?> StoredAsAsync(SubmissionVersion row, IEnumerable<int> tried, CancellationToken ct)
    {
        foreach (var version in tried.Distinct())
        {
            if (await VersionAsync(row.PeriodId, row.UnitCode, version, ct) is { } stored && stored.ReceiptId == row.ReceiptId)
            {
                return stored;
            }
        }

        return null;
    }
}
