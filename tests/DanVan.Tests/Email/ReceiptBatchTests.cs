using DanVan.Email;
using DanVan.Tests.Support;
using DanVan.Tests.Uploads;

namespace DanVan.Tests.Email;

/// <summary>
/// The receipts of uploads at the same moment share their queue message (issue 29): those that arrive while one put is
/// out go together in the next; the sender claims their rows together when it takes the message, and each unit still gets
/// its receipt exactly once, also when a reply of the put or of the claim is lost. The first put is held until every
/// receipt has been handed in, so what gathers is decided by the test, not by the machine's speed.
/// </summary>
public sealed class ReceiptBatchTests : IAsyncLifetime
{
    private const int Receipts = 12;
    private static readonly DateTimeOffset Deadline = new(2026, 5, 14, 17, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ReceivedAt = new(2026, 5, 14, 16, 30, 0, TimeSpan.Zero);

    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    [Fact]
    public async Task Receipts_handed_in_while_a_put_is_out_go_in_one_message_and_each_unit_gets_its_own_once()
    {
        var faults = new StorageFaults { IncludeQueues = true };
        await using var bed = await UploadBed.StartAsync(settings: stub.Settings, faults: faults);

        var (outcomes, puts) = await SendHeldAsync(bed, faults);

        Assert.All(outcomes, o => Assert.Equal(EmailResult.Queued, o.Result));
        // The first put went alone (or with what had gathered before it left); all that came while it was out, in one more.
        Assert.InRange(puts, 1, 2);
        var messages = (await bed.App.Store.EmailQueue.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
        Assert.Equal(puts, messages.Count);
        var drain = await EmailQueueDrain.DrainAsync(bed.App);
        Assert.Equal((puts, 0), (drain.Processed, drain.Failed));
        AssertEachSentOnce();
        var rows = await bed.App.Get<EmailLedger>().ReceiptsAsync(UploadBed.Period);
        Assert.Equal(Receipts, rows.Count);
        Assert.All(rows, r => Assert.Equal((EmailStatus.Sent, ReceiptEmails.Actor), (r.Status, r.Actor)));

        // Delivered again (a copy of each message): nothing more goes.
        foreach (var message in messages)
        {
            await bed.App.Get<DanVan.Functions.EmailFunctions>().SendEmail(message, CancellationToken.None);
        }

        AssertEachSentOnce();
    }

    [Fact]
    public async Task A_lost_reply_of_the_batch_claim_reads_each_row_back_as_its_own_and_sends_each_receipt_once()
    {
        var faults = new StorageFaults { IncludeQueues = true };
        await using var bed = await UploadBed.StartAsync(settings: stub.Settings, faults: faults);
        await SendHeldAsync(bed, faults);

        // Every transaction of the sender (the claim of the rows, then marking them sending) commits and loses its reply.
        faults.Rule(call => call == StorageCall.TableTransaction ? StorageFault.DropReply : StorageFault.None);
        var drain = await EmailQueueDrain.DrainAsync(bed.App);
        faults.Off();

        Assert.Contains(faults.Injected, i => i is (StorageCall.TableTransaction, StorageFault.DropReply));
        Assert.Equal(0, drain.Failed);
        AssertEachSentOnce();
        Assert.All(await bed.App.Get<EmailLedger>().ReceiptsAsync(UploadBed.Period), r => Assert.Equal(EmailStatus.Sent, r.Status));
    }

    [Fact]
    public async Task Puts_that_never_hear_back_record_each_receipt_not_queued_and_the_copies_that_landed_send_each_once()
    {
        var faults = new StorageFaults { IncludeQueues = true };
        await using var bed = await UploadBed.StartAsync(settings: stub.Settings, faults: faults);

        // Every put (the batch's, and the SDK's retries of each) lands on the queue and loses its reply.
        var (outcomes, _) = await SendHeldAsync(bed, faults, replies: StorageFault.DropReply);

        Assert.All(outcomes, o => Assert.Equal(EmailResult.Failed, o.Result));
        Assert.All(outcomes, o => Assert.StartsWith("not queued", o.Reason));
        var rows = await bed.App.Get<EmailLedger>().ReceiptsAsync(UploadBed.Period);
        Assert.Equal(Receipts, rows.Count(r => r.Status == EmailStatus.Failed));

        var drain = await EmailQueueDrain.DrainAsync(bed.App);
        Assert.Equal(0, drain.Failed);
        Assert.True(drain.Processed > 2, $"{drain.Processed} messages: the copies the lost puts left are on the queue");
        AssertEachSentOnce();
        Assert.All(await bed.App.Get<EmailLedger>().ReceiptsAsync(UploadBed.Period), r => Assert.Equal(EmailStatus.Sent, r.Status));
    }

    /// <summary>
    /// Hands in <see cref="Receipts"/> receipts at once, holding the first queue put until all are in; every put meets
    /// <paramref name="replies"/>. Answers the outcomes and how many puts were made (the SDK's retries included).
    /// </summary>
    private static async Task<(EmailOutcome[] Outcomes, int Puts)> SendHeldAsync(UploadBed bed, StorageFaults faults, StorageFault replies = StorageFault.None)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (puts, sent) = (0, 0);
        faults.Rule(call =>
        {
            if (call != StorageCall.QueueWrite)
            {
                return StorageFault.None;
            }

            Interlocked.Increment(ref puts);
            return replies;
        });
        faults.BeforeSend = (call, _) => call == StorageCall.QueueWrite && Interlocked.Increment(ref sent) == 1 ? release.Task : Task.CompletedTask;
        var receipts = bed.App.Get<ReceiptEmails>();
        var sends = Enumerable.Range(1, Receipts).Select(i => receipts.SendAsync(Receipt(i))).ToList();
        release.SetResult();
        var outcomes = await Task.WhenAll(sends);
        faults.Off();
        faults.BeforeSend = null;
        return (outcomes, Volatile.Read(ref puts));
    }

    private void AssertEachSentOnce()
    {
        var mails = stub.Received.Where(m => m.Categories.Contains("receipt")).ToList();
        Assert.Equal(Enumerable.Range(1, Receipts).Select(Address).Order(StringComparer.Ordinal), mails.SelectMany(m => m.To).Order(StringComparer.Ordinal));
    }

    private static ReceiptEmail Receipt(int i) =>
        new($"xa-{i:D2}", $"UBND xã {i}", [Address(i)], UploadBed.Period, "Báo cáo 6 tháng đầu năm 2026", Deadline, 1, "bao-cao.pdf", 262_144, new string('a', 64), ReceivedAt, true);

    private static string Address(int i) => $"xa{i:D2}@donvi.example.gov.vn";
}
