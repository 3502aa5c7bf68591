using System.Security.Cryptography;

namespace DanVan.Reading;

/// <summary>
/// The one way DanVan hashes bytes as they pass (a file uploaded, a blob written or restored, a signed byte range): a
/// running hash (SHA-256 unless said otherwise) and the count of bytes it has seen.
/// </summary>
public sealed class ContentHash : IDisposable
{
    private readonly IncrementalHash hash;

    public ContentHash()
        : this(HashAlgorithmName.SHA256)
    {
    }

    public ContentHash(HashAlgorithmName algorithm)
        : this(IncrementalHash.CreateHash(algorithm), 0)
    {
    }

    private ContentHash(IncrementalHash hash, long bytes)
    {
        this.hash = hash;
        Bytes = bytes;
    }

    /// <summary>The SHA-256 of bytes held whole, in lower-case hex (as a running one gives it).</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Bytes appended so far.</summary>
    public long Bytes { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        hash.AppendData(data);
        Bytes += data.Length;
    }

    /// <summary>The hash of every byte appended so far; appending may go on.</summary>
    public byte[] Current() => hash.GetCurrentHash();

    /// <summary>A hash that has seen what this one has, and goes on on its own.</summary>
    public ContentHash Clone() => new(hash.Clone(), Bytes);

    public string CurrentHex() => Convert.ToHexStringLower(hash.GetCurrentHash());

    public void Dispose() => hash.Dispose();
}
