using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using DanVan.Registry;
using DanVan.Storage;

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
}

public sealed record IssuedToken(string UnitCode, string Token, DateTimeOffset IssuedAt);

/// <summary>
/// Unit tokens look like <c>dv1.{unitCode}.{43 base64url chars}</c>: 256 random bits, with the
/// unit code in clear so a check is one point read. Only the hash is stored.
/// </summary>
public sealed class CredentialStore(DanVanStore store, TimeProvider clock)
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
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 200)
        {
            return null;
        }

        var dot = token.IndexOf('.', Prefix.Length);
        var unitCode = dot < 0 ? "" : token[Prefix.Length..dot];
        if (!UnitRules.IsValidCode(unitCode))
        {
            return null;
        }

        var row = await store.Credentials.GetEntityIfExistsAsync<CredentialEntity>(CredentialEntity.Partition, unitCode, cancellationToken: ct);
        return row.HasValue && HashesEqual(row.Value!.TokenHash, Hash(token)) ? unitCode : null;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Constant-time: how long a comparison takes says nothing about how much matched.</summary>
    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
