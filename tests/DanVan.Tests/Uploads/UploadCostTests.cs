using DanVan.Domain;
using DanVan.Registry;
using DanVan.Tests.Support;
using Xunit.Abstractions;

namespace DanVan.Tests.Uploads;

/// <summary>
/// What one upload costs storage (issue 29): the calls an upload's request makes, counted at the SDK's transport. A unit
/// with no address uploads, so the receipt email (its own budget) is not in the count; the unit uploaded once before, so
/// the once-an-hour notes (the credential's last use, the period's blob note) are behind it, as in a rush.
/// </summary>
public sealed class UploadCostTests(ITestOutputHelper output)
{
    private const string Silent = "so-khong-thu";

    [Fact]
    public async Task An_upload_with_an_Idempotency_Key_makes_at_most_ten_storage_calls_five_of_them_reads()
    {
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(faults: faults);
        await bed.App.Get<UnitRegistry>().PutAsync(new Unit(Silent, "Sở không thư", "Sở, ban, ngành", [], null, new DateOnly(2020, 1, 1), null));
        var token = (await bed.App.Get<DanVan.Auth.CredentialStore>().IssueAsync(Silent)).Token;
        var warm = await bed.SendAsync(Keyed(UploadBed.Raw(Samples.Pdf(seed: 1), "a.pdf", token, query: null, contentType: "application/pdf"), "k-1"));
        Assert.Equal(201, warm.Status);
        await bed.App.Get<DanVan.Auth.CredentialStore>().LastUsesWrittenAsync();

        var before = Snapshot(faults);
        var response = await bed.SendAsync(Keyed(UploadBed.Raw(Samples.Pdf(seed: 2), "b.pdf", token, query: null, contentType: "application/pdf"), "k-2"));
        var after = Snapshot(faults);

        Assert.Equal(201, response.Status);
        Assert.Equal(2, response.Json.GetProperty("version").GetInt32());
        var calls = after.Select(kv => (kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key))).Where(c => c.Count > 0).ToList();
        output.WriteLine(string.Join(", ", calls.Select(c => $"{c.Key} {c.Count}")) + $"; total {calls.Sum(c => c.Count)}");

        // The blob (one Put Blob) and the version's transaction, plus the reads of who and where (credential, unit,
        // finalization, decisions, the unit's head) and the writes batched with other uploads' (change, audit).
        Assert.Equal(1, calls.Where(c => c.Key == StorageCall.PutBlob).Sum(c => c.Count));
        Assert.True(calls.Sum(c => c.Count) <= 10, $"{calls.Sum(c => c.Count)} storage calls for one upload");
        Assert.True(calls.Where(c => c.Key == StorageCall.TableRead).Sum(c => c.Count) <= 5);
    }

    [Fact]
    public async Task Under_a_rush_the_change_and_audit_writes_of_uploads_at_once_share_transactions()
    {
        const int units = 32;
        var faults = new StorageFaults();
        await using var bed = await UploadBed.StartAsync(faults: faults);
        var tokens = new string[units];
        for (var i = 0; i < units; i++)
        {
            await bed.App.Get<UnitRegistry>().PutAsync(new Unit($"don-vi-{i:D2}", $"Đơn vị {i}", "UBND cấp xã", [], null, new DateOnly(2020, 1, 1), null));
            tokens[i] = (await bed.App.Get<DanVan.Auth.CredentialStore>().IssueAsync($"don-vi-{i:D2}")).Token;
        }

        async Task<int[]> RoundAsync(int round) => await Task.WhenAll(Enumerable.Range(0, units).Select(async i =>
            (await bed.SendAsync(Keyed(UploadBed.Raw(Samples.Pdf(seed: round * 100 + i), "a.pdf", tokens[i], query: null, contentType: "application/pdf"), $"k-{round}-{i}"))).Status));

        Assert.All(await RoundAsync(1), s => Assert.Equal(201, s));
        await bed.App.Get<DanVan.Auth.CredentialStore>().LastUsesWrittenAsync();
        var before = Snapshot(faults);
        Assert.All(await RoundAsync(2), s => Assert.Equal(201, s));
        var after = Snapshot(faults);

        var calls = after.Select(kv => (kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key))).Where(c => c.Count > 0).ToList();
        var perUpload = calls.Sum(c => c.Count) / (double)units;
        output.WriteLine(string.Join(", ", calls.Select(c => $"{c.Key} {c.Count}")) + $"; {perUpload:F2} per upload ({units} at once)");

        // Alone an upload makes 10 calls; at once, its three small writes (change begun, change stored, audit) share
        // transactions, and its read of the period's gate may share a read (PeriodGateReadTests; measured: 6.56 calls per upload).
        Assert.Equal(units, calls.Where(c => c.Key == StorageCall.PutBlob).Sum(c => c.Count));
        Assert.True(perUpload < 10, $"{perUpload:F2} storage calls per upload, {units} at once");
    }

    private static Dictionary<StorageCall, int> Snapshot(StorageFaults faults) =>
        Enum.GetValues<StorageCall>().ToDictionary(c => c, faults.Seen);

    private static Microsoft.AspNetCore.Http.HttpRequest Keyed(Microsoft.AspNetCore.Http.HttpRequest request, string key)
    {
        request.Headers[DanVan.Http.UploadRequestReader.IdempotencyKeyHeader] = key;
        return request;
    }
}
