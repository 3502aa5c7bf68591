using Azure;
using Azure.Data.Tables;
using DanVan.Storage;
using Microsoft.Extensions.Logging;

namespace DanVan.Changes;

/// <summary>
/// A table whose writes change what a period shows (submissions, decisions, figures): each such write adds, in its own
/// transaction, the change's ticket row (<see cref="ChangeTickets"/>) in the period's partition, so whether it was stored
/// can be settled for good afterwards.
/// </summary>
public interface IChangeTickets
{
    /// <summary>The name a change row gives this table by (<see cref="PeriodChangeEntity.Source"/>).</summary>
    string Source { get; }

    /// <summary>Makes sure the change can no longer be stored, and says whether it was.</summary>
    Task<bool> SettleAsync(string periodId, string changeId, CancellationToken ct = default);
}

public sealed class ChangeTicketEntity : TableRow, ITableEntity
{

    /// <summary><see cref="ChangeTickets.Stored"/> (added by the change's own write) or <see cref="ChangeTickets.Refused"/> (by the timer, first).</summary>
    public string Fate { get; set; } = "";
}

/// <summary>
/// The ticket row <c>t~{changeId}</c>: added by the change's transaction, or first by whoever settles the change. Only one
/// add can succeed, so a write that arrives after the change was settled as not stored fails (409), never lands unseen.
/// </summary>
public static class ChangeTickets
{
    public const string Stored = "stored";
    public const string Refused = "refused";

    public static string RowKey(string changeId) => $"t~{changeId}";

    /// <summary>The action a change's transaction adds (<see cref="ChangeScope.Transaction"/>, the only way to make one).</summary>
    internal static TableTransactionAction Add(ChangeTicket ticket) =>
        new(TableTransactionActionType.Add, new ChangeTicketEntity { PartitionKey = ticket.PeriodId, RowKey = RowKey(ticket.ChangeId), Fate = Stored });

    /// <summary>Adds the ticket as refused unless the change's write added it first; true when it did (the change is stored).</summary>
    public static async Task<bool> SettleAsync(TableClient table, string periodId, string changeId, CancellationToken ct)
    {
        try
        {
            await table.AddEntityAsync(new ChangeTicketEntity { PartitionKey = periodId, RowKey = RowKey(changeId), Fate = Refused }, ct);
            return false;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // The change's write got there first, or this add's own lost reply did (then it says refused).
            var row = await table.GetEntityAsync<ChangeTicketEntity>(periodId, RowKey(changeId), cancellationToken: ct);
            return row.Value.Fate == Stored;
        }
    }
}

/// <summary>
/// Settles the changes still in flight long after they began (their writer stopped, or never learnt its outcome): each
/// one's ticket decides whether it was stored, and its change row is marked or removed, so the period's stamp is known again.
/// </summary>
public sealed class PendingChanges(PeriodChangeStore changes, IEnumerable<IChangeTickets> tables, TimeProvider clock, ILogger<PendingChanges> logger)
{
    /// <summary>Far longer than any request may take: a change this old is not being written any more.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    /// <summary>Settles the stale changes in <paramref name="index"/>; returns how many were settled.</summary>
    public async Task<int> SettleStaleAsync(IReadOnlyDictionary<string, PeriodChanges> index, CancellationToken ct = default)
    {
        var before = clock.GetUtcNow() - StaleAfter;
        var settled = 0;
        foreach (var change in index.Values.SelectMany(p => p.Pending).Where(c => c.StartedAt < before))
        {
            if (tables.FirstOrDefault(t => t.Source == change.Source) is not { } table)
            {
                logger.LogWarning("Change {ChangeId} of {PeriodId} names an unknown table {Source}; left in flight", change.ChangeId, change.PeriodId, change.Source);
                continue;
            }

            var stored = await table.SettleAsync(change.PeriodId, change.ChangeId, ct);
            await changes.SettleAsync(change.PeriodId, change.ChangeId, stored);
            logger.LogInformation("Change {ChangeId} of {PeriodId} ({Source}, {Unit}) settled: {Outcome}", change.ChangeId, change.PeriodId, change.Source, change.UnitCode, stored ? "stored" : "not stored");
            settled++;
        }

        return settled;
    }
}
