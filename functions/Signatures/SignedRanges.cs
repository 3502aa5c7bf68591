using System.Security.Cryptography;
using DanVan.Reading;

namespace DanVan.Signatures;

/// <summary>Parts of a stored PDF read again by ranges, when the one scan could not give a signature what it needs.</summary>
internal static class SignedRanges
{
    public static async Task<byte[]?> ReadHexAsync(RangeReader ranges, long offset, long length, SignatureLimits limits, CancellationToken ct)
    {
        if (length < 2 || length > 2L * limits.MaxContentsBytes + 64)
        {
            return null;
        }

        var text = new byte[length];
        await using (var stream = await ranges(offset, length, ct))
        {
            await stream.ReadExactlyAsync(text, ct);
        }

        if (text[0] != (byte)'<' || text[^1] != (byte)'>')
        {
            return null;
        }

        var hex = new string(text[1..^1].Select(b => (char)b).Where(c => !char.IsWhiteSpace(c)).ToArray());
        try
        {
            return Convert.FromHexString(hex.Length % 2 == 0 ? hex : hex + "0");
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static async Task<byte[]> HashRangesAsync(RangeReader ranges, HashAlgorithmName name, (long Offset, long Length)[] parts, CancellationToken ct)
    {
        using var hash = new ContentHash(name);
        var buffer = new byte[1024 * 1024];
        foreach (var (offset, length) in parts)
        {
            await using var stream = await ranges(offset, length, ct);
            long left = length;
            int read;
            while (left > 0 && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct)) > 0)
            {
                hash.Append(buffer.AsSpan(0, read));
                left -= read;
            }
        }

        return hash.Current();
    }
}
