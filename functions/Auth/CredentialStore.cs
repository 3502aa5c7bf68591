using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using DanVan.Registry;
using DanVan.Storage;
using Microsoft.Extensions.Logging;

namespace DanVan.Auth;

/// <summary>
/// Table <c>credentials</c>: one row per unit (PartitionKey "unit", RowKey = unit code) holding the
/// SHA-256 of its current token and, while a newly emailed link has not been used yet, of the token before it.
/// The admin's "issue a new credential" (<see cref="CredentialStore.IssueAsync"/>) replaces the row, so every earlier
/// token stops working in the same write. An emailed link (<see cref="CredentialStore.IssueBesideAsync"/>) keeps the
/// token the unit had working beside the new one until the new one is first used, or <see cref="CredentialStore.PreviousBound"/>
/// after the newest link was issued, so a link that never arrives cannot lock the unit out.
/// </summary>
public sealed class CredentialEntity : TableRow, ITableEntity
{
    public const string Partition = "unit";

    public CredentialEntity() => PartitionKey = Partition;

    /// <summary>Lowercase hex SHA-256 of the token.</summary>
    public string TokenHash { get; set; } = "";
    public DateTimeOffset IssuedAt { get; set; }

    /// <summary>When the unit's credential (current or previous) was last seen, to the hour (see <see cref="CredentialStore.LastUseResolution"/>); null until first used.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>
    /// Lowercase hex SHA-256 of the token the unit had before the current one was emailed, while the current one has
    /// never been used; null otherwise. Its presence also says the current token has not been used yet.
    /// </summary>
    public string? PreviousHash { get; set; }

    /// <summary>Until when <see cref="PreviousHash"/> works (then it is as if it were gone).</summary>
    public DateTimeOffset? PreviousUntil { get; set; }
}

/// <summary>What the dashboard shows of a unit's credential: when it was issued and (to the hour) last used.</summary>
public sealed record CredentialUse(string UnitCode, DateTimeOffset IssuedAt, DateTimeOffset? LastUsedAt);

public sealed record IssuedToken(string UnitCode, string Token, DateTimeOffset IssuedAt);

/// <summary>
/// Unit tokens look like <c>dv1.{unitCode}.{43 base64url chars}</c>: 256 random bits, with the
/// unit code in clear so a check is one point read. Only the hash is stored.
/// </summary>
public sealed class CredentialStore(DanVanStore store, TimeProvider clock, ILogger<CredentialStore> logger) : IAsyncDisposable, ITableOwner
{
    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.CredentialsTable;

    private const string Prefix = "dv1.";

    /// <summary>
    /// How long the token a unit had keeps working beside a newly emailed one that is not used: counted from the
    /// newest link's issue, so a unit that never opens its new link is not locked out while links keep coming.
    /// </summary>
    public static readonly TimeSpan PreviousBound = TimeSpan.FromDays(30);

    /// <summary>The admin's act: a new token that replaces every earlier one of the unit at once (revocation).</summary>
    public async Task<IssuedToken> IssueAsync(string unitCode, CancellationToken ct = default)
    {
        var (token, hash) = NewToken(unitCode);
        var issuedAt = clock.GetUtcNow();
        await store.Credentials.UpsertEntityAsync(
            new CredentialEntity { RowKey = unitCode, TokenHash = hash, IssuedAt = issuedAt },
            TableUpdateMode.Replace,
            ct);
        return new IssuedToken(unitCode, token, issuedAt);
    }

    /// <summary>
    /// A token for an emailed link, active beside the one the unit has: the current token stays valid as the previous
    /// one until the new token is first used, or <see cref="PreviousBound"/> from now. When the current token itself
    /// was never used (an earlier link still pending), the previous token stays the one kept: it is the one the unit
    /// is known to hold, and the never-used pending token is dropped. ETag-conditional, so two issues at once keep
    /// both rules (the loser reads the row again).
    /// </summary>
    public async Task<IssuedToken> IssueBesideAsync(string unitCode, CancellationToken ct = default)
    {
        var (token, hash) = NewToken(unitCode);
        for (var attempt = 1; ; attempt++)
        {
            var now = clock.GetUtcNow();
            var existing = await store.Credentials.GetEntityIfExistsAsync<CredentialEntity>(CredentialEntity.Partition, unitCode, cancellationToken: ct);
            try
            {
                if (!existing.HasValue || existing.Value is not { } row)
                {
                    await store.Credentials.AddEntityAsync(new CredentialEntity { RowKey = unitCode, TokenHash = hash, IssuedAt = now }, ct);
                    return new IssuedToken(unitCode, token, now);
                }

                if (row.TokenHash == hash)
                {
                    return new IssuedToken(unitCode, token, row.IssuedAt); // our own write, whose reply was lost
                }

                var keep = row.PreviousHash is { } previous && row.PreviousUntil > now ? previous : row.TokenHash;
                var next = new CredentialEntity
                {
                    RowKey = unitCode,
                    TokenHash = hash,
                    IssuedAt = now,
                    LastUsedAt = row.LastUsedAt,
                    PreviousHash = keep,
                    PreviousUntil = now + PreviousBound,
                };
                await store.Credentials.UpdateEntityAsync(next, row.ETag, TableUpdateMode.Replace, ct);
                return new IssuedToken(unitCode, token, now);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
            {
                // Another issue (or a last-use note) changed the row since it was read, or our own write's reply was lost
                // and the SDK's retry met it: read again (our own write is then recognised by its hash).
            }
        }
    }

    private static (string Token, string Hash) NewToken(string unitCode)
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var token = $"{Prefix}{unitCode}.{secret}";
        return (token, Hash(token));
    }

    /// <summary>The unit a token belongs to, or null if it is not a current unit token.</summary>
    public async Task<string?> FindUnitAsync(string token, CancellationToken ct = default)
    {
        if (UnitCodeOf(token) is not { } unitCode)
        {
            return null;
        }

        var found = await store.Credentials.GetEntityIfExistsAsync<CredentialEntity>(CredentialEntity.Partition, unitCode, cancellationToken: ct);
        if (!found.HasValue || found.Value is not { } row)
        {
            return null;
        }

        // Both comparisons always run, in constant time: how long a check takes says nothing about which matched.
        var hash = Hash(token);
        var current = HashesEqual(row.TokenHash, hash);
        var previous = HashesEqual(row.PreviousHash ?? "", hash) && row.PreviousUntil > clock.GetUtcNow();
        if (!current && !previous)
        {
            return null;
        }

        NoteUse(row, firstUseOfNew: current && row.PreviousHash is not null);
        return unitCode;
    }

    /// <summary>The unit code a token names in clear (not yet checked), or null when it is no unit token.</summary>
    public static string? UnitCodeOf(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 200)
        {
            return null;
        }

        var dot = token.IndexOf('.', Prefix.Length);
        var unitCode = dot < 0 ? "" : token[Prefix.Length..dot];
        return UnitRules.IsValidCode(unitCode) ? unitCode : null;
    }

    /// <summary>Last use is recorded at most once per this long per unit: no write on every request.</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromHours(1);

    /// <summary>How long one last-use write may take before it is given up.</summary>
    private static readonly TimeSpan LastUseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>At most this many last-use writes in flight per instance; beyond them a use is left to a later request.</summary>
    private const int MaxLastUseWrites = 64;

    private readonly ConcurrentDictionary<string, Task> lastUseWrites = new(StringComparer.Ordinal);

    /// <summary>
    /// Records that the credential was used, when the row says it was not used within <see cref="LastUseResolution"/>,
    /// or when this is the first use of a newly emailed token (<paramref name="firstUseOfNew"/>): that write also ends
    /// the previous token (a replace of the row as read, guarded by its ETag; until it lands both keep working).
    /// The write runs beside the request instead of in front of it (it is a note for the dashboard, not part of the
    /// answer): at most one per unit at a time and <see cref="MaxLastUseWrites"/> per instance, each bounded by
    /// <see cref="LastUseTimeout"/>, all awaited by <see cref="LastUsesWrittenAsync"/> (and on shutdown). A merge guarded
    /// by the row's ETag: a token issued meanwhile (a new row) is not marked used by the old one, and of two requests at
    /// once one writes. Best effort: a refused or failed write never fails a request; a later request notes the use.
    /// </summary>
    private void NoteUse(CredentialEntity row, bool firstUseOfNew)
    {
        var now = clock.GetUtcNow();
        if ((!firstUseOfNew && row.LastUsedAt is { } last && now - last < LastUseResolution) || lastUseWrites.Count >= MaxLastUseWrites)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!lastUseWrites.TryAdd(row.RowKey, started.Task))
        {
            return; // this unit's use is being noted already
        }

        _ = WriteAsync();

        async Task WriteAsync()
        {
            try
            {
                await Task.Yield(); // the request goes on at once
                using var timeout = new CancellationTokenSource(LastUseTimeout);
                if (firstUseOfNew)
                {
                    var ended = new CredentialEntity { RowKey = row.RowKey, TokenHash = row.TokenHash, IssuedAt = row.IssuedAt, LastUsedAt = now };
                    await store.Credentials.UpdateEntityAsync(ended, row.ETag, TableUpdateMode.Replace, timeout.Token);
                }
                else
                {
                    var used = new TableEntity(CredentialEntity.Partition, row.RowKey) { [nameof(CredentialEntity.LastUsedAt)] = now };
                    await store.Credentials.UpdateEntityAsync(used, row.ETag, TableUpdateMode.Merge, timeout.Token);
                }
            }
            catch (Exception ex) when (StorageFailures.Is(ex, CancellationToken.None))
            {
                // Changed since it was read (re-issued, or another instance noted the use), or storage refused or
                // did not answer in time: a later request notes the use.
                logger.LogDebug(ex, "Last use of {Unit}'s credential not recorded", row.RowKey);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Last use of {Unit}'s credential not recorded", row.RowKey);
            }
            finally
            {
                lastUseWrites.TryRemove(new KeyValuePair<string, Task>(row.RowKey, started.Task));
                started.TrySetResult();
            }
        }
    }

    /// <summary>Completes when every last-use write started so far has finished (recorded or given up).</summary>
    public Task LastUsesWrittenAsync() => Task.WhenAll(lastUseWrites.Values);

    /// <summary>On shutdown the last-use writes in flight finish (each is bounded in time) before the store goes.</summary>
    public async ValueTask DisposeAsync() => await LastUsesWrittenAsync();

    /// <summary>Every unit's credential: when issued, when last used (to the hour).</summary>
    public async Task<IReadOnlyDictionary<string, CredentialUse>> ListAsync(CancellationToken ct = default)
    {
        var all = new Dictionary<string, CredentialUse>(StringComparer.Ordinal);
        await foreach (var e in store.Credentials.QueryAsync<CredentialEntity>(e => e.PartitionKey == CredentialEntity.Partition, select: ["RowKey", "IssuedAt", "LastUsedAt"], cancellationToken: ct))
        {
            all[e.RowKey] = new CredentialUse(e.RowKey, e.IssuedAt, e.LastUsedAt);
        }

        return all;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Constant-time: how long a comparison takes says nothing about how much matched.</summary>
    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Credentials</c> is
/// <see cref="CredentialStore"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Credentials => store.Table<CredentialStore>();
    }
}
