using DanVan.Reminders;
using Microsoft.Extensions.Options;

namespace DanVan.Email;

/// <summary>
/// The SendGrid calls one instance makes at once: <c>DanVan__Reminders__MaxParallelism</c>, however many queue
/// messages the Functions host runs side by side. An email whose row is <c>sending</c> waits for a slot at most
/// <see cref="Wait"/> (counted in <see cref="ReminderLedger.AbandonedAfter"/>); one that gets none is recorded as
/// failed, certainly not sent, and its message is tried again.
/// </summary>
public sealed class SendSlots(IOptions<ReminderOptions> reminders, IOptions<EmailOptions> email) : IDisposable
{
    private readonly SemaphoreSlim free = new(reminders.Value.MaxParallelism, reminders.Value.MaxParallelism);

    public TimeSpan Wait { get; } = email.Value.SlotWait;

    /// <summary>Takes a slot; false when none came free in <see cref="Wait"/>.</summary>
    public Task<bool> EnterAsync(CancellationToken ct) => free.WaitAsync(Wait, ct);

    public void Leave() => free.Release();

    public void Dispose() => free.Dispose();
}
