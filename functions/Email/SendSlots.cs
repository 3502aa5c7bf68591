using DanVan.Reminders;
using Microsoft.Extensions.Options;

namespace DanVan.Email;

/// <summary>
/// The SendGrid calls one instance makes at once: <c>DanVan__Reminders__MaxParallelism</c>, however many queue
/// messages the Functions host runs side by side. A message reserves a slot for each email it is about to send
/// before any of its ledger rows becomes <c>sending</c>, so a row marked sending never waits for a slot (the
/// abandoned-after rule counts from that mark), and a slot is given back as soon as its email's call ends.
/// Reservations are taken one message at a time, so two messages never each hold part of what they wait for.
/// </summary>
public sealed class SendSlots(IOptions<ReminderOptions> options) : IDisposable
{
    private readonly SemaphoreSlim free = new(options.Value.MaxParallelism, options.Value.MaxParallelism);
    private readonly SemaphoreSlim turn = new(1, 1);

    public int Capacity { get; } = options.Value.MaxParallelism;

    /// <summary>Waits for <paramref name="count"/> slots (at most <see cref="Capacity"/>).</summary>
    public async Task<SendReservation> ReserveAsync(int count, CancellationToken ct)
    {
        count = Math.Clamp(count, 1, Capacity);
        await turn.WaitAsync(ct);
        var taken = 0;
        try
        {
            for (; taken < count; taken++)
            {
                await free.WaitAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
            if (taken > 0)
            {
                free.Release(taken);
            }

            throw;
        }
        finally
        {
            turn.Release();
        }

        return new SendReservation(free, count);
    }

    public void Dispose()
    {
        free.Dispose();
        turn.Dispose();
    }
}

/// <summary>Slots held by one message: each email gives its own back when its call ends, the rest go back on dispose.</summary>
public sealed class SendReservation(SemaphoreSlim free, int count) : IDisposable
{
    private int held = count;

    public void ReleaseOne()
    {
        if (Interlocked.Decrement(ref held) >= 0)
        {
            free.Release();
        }
        else
        {
            Interlocked.Increment(ref held);
        }
    }

    public void Dispose()
    {
        var rest = Interlocked.Exchange(ref held, 0);
        if (rest > 0)
        {
            free.Release(rest);
        }
    }
}
