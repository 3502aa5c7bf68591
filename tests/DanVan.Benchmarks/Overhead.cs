using System.Security.Cryptography;
using Azure.Data.Tables;
using DanVan.Tests.Support;
using DanVan.Submissions;

namespace DanVan.Benchmarks;

/// <summary>
/// What one upload costs beyond moving its bytes, piece by piece on this Azurite: a table point read, an
/// insert, a two-entity transaction (an upload waits for four rounds of such calls) and SHA-256 of 20 MB.
/// </summary>
public static class Overhead
{
    public static async Task<IReadOnlyList<Row>> RunAsync()
    {
        await using var app = await TestApp.StartAsync();
        var t = app.Store.Table<SubmissionStore>();
        await t.AddEntityAsync(new TableEntity("p", "r0"));
        var read = await Measure.SingleAsync(async _ => await t.GetEntityIfExistsAsync<TableEntity>("p", "r0"), runs: 30, warmups: 5);
        var n = 0;
        var insert = await Measure.SingleAsync(async _ => await t.AddEntityAsync(new TableEntity("p", $"i{n++}")), runs: 30, warmups: 5);
        var tx = await Measure.SingleAsync(async _ => await t.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("q", $"a{n++}")), new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("q", $"b{n++}"))]), runs: 30, warmups: 5);
        var data = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        var sha = await Measure.SingleAsync(_ => { SHA256.HashData(data); return Task.CompletedTask; }, runs: 15, warmups: 2);
        return [new Row("upload fixed costs (diagnostic)", $"read {read}; insert {insert}; transaction {tx}; SHA-256 of 20 MB {sha}", "—", "—", "—", null, "an upload, one after the other: the credential read; 3 target reads at once; (the body, beside it the head and period-row reads and the change begun); the version transaction; the audit and the change marked committed at once")];
    }
}
