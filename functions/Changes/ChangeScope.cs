using Azure.Data.Tables;

namespace DanVan.Changes;

/// <summary>
/// One change of what a period shows (a report version, a decision, a figures entry): the one way a store writes it. Begun
/// in the period's index before the write (<see cref="PeriodChangeStore.BeginAsync"/>); its ticket is added by the write's
/// own transaction (<see cref="Transaction"/>, the only way to make one), so whether it was stored can always be settled;
/// settled once the write's outcome is known (<see cref="StoredAsync"/>, <see cref="NotStoredAsync"/>). A change never
/// settled stays in flight: nothing is cached for its period meanwhile (counts are read, never stale), and the timer
/// settles it by its ticket (<see cref="PendingChanges"/>).
/// </summary>
public sealed class ChangeScope
{
    private readonly PeriodChangeStore changes;

    internal ChangeScope(PeriodChangeStore changes, ChangeTicket ticket) => (this.changes, Ticket) = (changes, ticket);

    public ChangeTicket Ticket { get; }

    /// <summary>The write's own actions (rows of the change's period partition) and the change's ticket, as one transaction.</summary>
    public List<TableTransactionAction> Transaction(IEnumerable<TableTransactionAction> actions) => [.. actions, ChangeTickets.Add(Ticket)];

    /// <summary>The write is known to be stored: the change counts from now on. Never throws (the timer settles what stays).</summary>
    public Task StoredAsync() => changes.CommittedAsync(Ticket);

    /// <summary>The write is known never to be stored: the change goes. Never throws (the timer settles what stays).</summary>
    public Task NotStoredAsync() => changes.AbandonedAsync(Ticket);
}
