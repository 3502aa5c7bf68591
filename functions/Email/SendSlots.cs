using Microsoft.Extensions.Options;

namespace DanVan.Email;

/// <summary>
/// The one setting the sender reads from the reminders' section: <c>DanVan__Reminders__MaxParallelism</c>, the SendGrid
/// calls one instance makes at once (the same setting a reminder run sizes its batch messages by; validated there).
/// </summary>
public sealed class SendSlotOptions
{
    public const string Section = "DanVan:Reminders";

    public int MaxParallelism { get; set; } = 16;
}

/// <summary>
/// The SendGrid calls one instance makes at once: <c>DanVan__Reminders__MaxParallelism</c>, however many queue
/// messages the Functions host runs side by side. An email whose row is <c>sending</c> waits for a slot at most
/// <see cref="Wait"/> (counted in <see cref="EmailLedger.AbandonedAfter"/>); one that gets none is recorded as
/// failed, certainly not sent, and its message is tried again.
/// </summary>
public sealed class SendSlots(IOptions<SendSlotOptions> slots, IOptions<EmailOptions> email) : IDisposable
{
    private readonly SemaphoreSlim free = new(Math.Max(1, slots.Value.MaxParallelism), Math.Max(1, slots.Value.MaxParallelism));

    public TimeSpan Wait { get; } = email.Value.SlotWait;

    /// <summary>Takes a slot; false when none came free in <see cref="Wait"/>.</summary>
    public Task<bool> EnterAsync(CancellationToken ct) => free.WaitAsync(Wait, ct);

    public void Leave() => free.Release();

    public void Dispose() => free.Dispose();
}
