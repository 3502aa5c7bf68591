using DanVan.Email;
using DanVan.Tests.Support;
using DanVan.Tests.Uploads;

namespace DanVan.Tests.Email;

/// <summary>
/// What an upload request does for its receipt email: one storage call (the put of its queue message), whatever else
/// the upload does; the claim, its dedupe and the send happen when the sender takes the message, exactly once.
/// </summary>
public sealed class ReceiptEmailRequestTests : IAsyncLifetime
{
    private SendGridStub stub = null!;

    public async Task InitializeAsync() => stub = await SendGridStub.StartAsync();

    public async Task DisposeAsync() => await stub.DisposeAsync();

    [Fact]
    public async Task An_upload_request_makes_one_storage_call_for_its_receipt_and_a_lost_claim_reply_still_sends_it_once()
    {
        var faults = new StorageFaults { IncludeQueues = true };
        await using var bed = await UploadBed.StartAsync(settings: stub.Settings, faults: faults);
        var names = bed.App.Store.Names;
        bool IsEmail(string path) =>
            path.Contains("/" + names.EmailLedgerTable, StringComparison.Ordinal)
            || path.Contains("/" + names.EmailQueue, StringComparison.Ordinal)
            || path.Contains("/" + names.EmailBodiesContainer + "/", StringComparison.Ordinal);

        var seen = faults.Requests.Count;
        var upload = await bed.SendAsync(UploadBed.Raw(DanVan.Tests.Uploads.Samples.Pdf(), "Báo cáo.pdf", bed.UnitToken));
        var inRequest = faults.Requests.Skip(seen).ToList();

        Assert.Equal(201, upload.Status);
        Assert.Equal(new[] { StorageCall.QueueWrite }, inRequest.Where(r => IsEmail(r.Path)).Select(r => r.Call));
        Assert.Empty(await bed.App.Get<EmailLedger>().ReceiptsAsync(UploadBed.Period));

        // The sender claims the row: that insert's reply is lost, the SDK's retry meets the row and reads it as its own claim.
        faults.Next(StorageCall.TableWrite, StorageFault.DropReply);
        var drain = await EmailQueueDrain.DrainAsync(bed.App);
        faults.Off();

        Assert.Contains(faults.Injected, i => i is (StorageCall.TableWrite, StorageFault.DropReply));
        Assert.Equal((1, 0), (drain.Processed, drain.Failed));
        var mail = Assert.Single(stub.Received);
        Assert.Contains("receipt", mail.Categories);
        var row = Assert.Single(await bed.App.Get<EmailLedger>().ReceiptsAsync(UploadBed.Period));
        Assert.Equal((EmailStatus.Sent, mail.MessageId, ReceiptEmails.Actor), (row.Status, row.MessageId, row.Actor));
    }
}
