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
/// SHA-256 of its current token. Issuing a token replaces the row, so the previous token stops
/// working in the same write.
/// </summary>
public sealed class CredentialEntity : ITableEntity
{
    public const string Partition = "unit";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>Lowercase hex SHA-256 of the token.</summary>
    public string TokenHash { get; set; } = "";
    public DateTimeOffset IssuedAt { get; set; }

    /// <summary>When the token was last seen, to the hour (see <see cref="CredentialStore.LastUseResolution"/>); null until first used.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>What the dashboard shows of a unit's credential: when it was issued and (to the hour) last used.</summary>
public sealed record CredentialUse(string UnitCode, DateTimeOffset IssuedAt, DateTimeOffset? LastUsedAt);

public sealed record IssuedToken(string UnitCode, string Token, DateTimeOffset IssuedAt);

/// <summary>
/// Unit tokens look like <c>dv1.{unitCode}.{43 base64url chars}</c>: 256 random bits, with the
/// unit code in clear so a check is one point read. Only the hash is stored.
/// </summary>
public sealed class CredentialStore(DanVanStore store, TimeProvider clock, ILogger<CredentialStore> logger) : IAsyncDisposable
{
    private const string Prefix = "dv1.";

    public async Task<IssuedToken> IssueAsync(string unitCode, CancellationToken ct = default)
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var token = $"{Prefix}{unitCode}.{secret}";
        var issuedAt = clock.GetUtcNow();
        await store.Credentials.UpsertEntityAsync(
            new CredentialEntity { RowKey = unitCode, TokenHash = Hash(token), IssuedAt = issuedAt },
            TableUpdateMode.Replace,
            ct);
        return new IssuedToken(unitCode, token, issuedAt);
    }

    /// <summary>The unit a token belongs to, or null if it is not a current unit token.</summary>
    public async Task<string?> FindUnitAsync(string token, CancellationToken ct = default)
    {
        if (UnitCodeOf(token) is not { } unitCode)
        {
            return null;
        }

        var row = await store.Credentials.GetEntityIfExistsAsync<CredentialEntity>(CredentialEntity.Partition, unitCode, cancellationToken: ct);
        if (!row.HasValue || !HashesEqual(row.Value!.TokenHash, Hash(token)))
        {
            return null;
        }

        NoteUse(row.Value);
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
    /// Records that the credential was used, when the row says it was not used within <see cref="LastUseResolution"/>.
    /// The write runs beside the request instead of in front of it (it is a note for the dashboard, not part of the
    /// answer): at most one per unit at a time and <see cref="MaxLastUseWrites"/> per instance, each bounded by
    /// <see cref="LastUseTimeout"/>, all awaited by <see cref="LastUsesWrittenAsync"/> (and on shutdown). A merge guarded
    /// by the row's ETag: a token issued meanwhile (a new row) is not marked used by the old one, and of two requests at
    /// once one writes. Best effort: a refused or failed write never fails a request; a later request notes the use.
    /// </summary>
    private void NoteUse(CredentialEntity row)
    {
        var now = clock.GetUtcNow();
        if ((row.LastUsedAt is { } last && now - last < LastUseResolution) || lastUseWrites.Count >= MaxLastUseWrites)
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
                var used = new TableEntity(CredentialEntity.Partition, row.RowKey) { [nameof(CredentialEntity.LastUsedAt)] = now };
                await store.Credentials.UpdateEntityAsync(used, row.ETag, TableUpdateMode.Merge, timeout.Token);
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
