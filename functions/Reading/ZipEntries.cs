using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DanVan.Reading;

/// <summary>A ZIP local file header (APPNOTE 4.3.7) as it lies in the bytes read: where its data starts, relative to the header.</summary>
public sealed record ZipLocalHeader(string Name, int Flags, int Method, long CompressedSize, int DataOffset)
{
    /// <summary>Bit 3: the sizes follow the data, in a descriptor; the header's are zero.</summary>
    public bool SizeInDescriptor => (Flags & 0x08) != 0;
}

/// <summary>
/// The start of a ZIP entry's content, bounded: its local header parsed, and at most a given number of bytes taken
/// from its data (stored or deflated; nothing is inflated past the bound). What an upload's package check reads of
/// the parts it looks at (<c>[Content_Types].xml</c>, the main part's root, an ODF <c>mimetype</c>).
/// </summary>
public static class ZipEntries
{
    public const int LocalHeaderSize = 30;

    /// <summary>Room for a local header's name and extra field; a package's are tens of bytes.</summary>
    public const int MaxLocalNameAndExtra = 4096;

    private const uint LocalSignature = 0x04034b50;

    /// <summary>The local header at the start of <paramref name="bytes"/>, or null when there is none or its name does not fit.</summary>
    public static ZipLocalHeader? Header(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < LocalHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != LocalSignature)
        {
            return null;
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[26..]);
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[28..]);
        if (bytes.Length < LocalHeaderSize + nameLength)
        {
            return null;
        }

        var name = Encoding.UTF8.GetString(bytes.Slice(LocalHeaderSize, nameLength));
        return new ZipLocalHeader(name, flags, BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]), BinaryPrimitives.ReadUInt32LittleEndian(bytes[18..]),
            LocalHeaderSize + nameLength + extraLength);
    }

    /// <summary>
    /// Up to <paramref name="max"/> bytes of the entry's content (stored or deflated), from at most
    /// <paramref name="max"/> of its packed bytes: one ranged read of its local header and data. Null when the
    /// local header is not where the directory says, or the method is neither.
    /// </summary>
    public static async Task<byte[]?> ReadPrefixAsync(ZipEntryInfo entry, int max, long length, ReadRange read, CancellationToken ct)
    {
        if (entry.Method is not (0 or 8))
        {
            return null;
        }

        var packed = (int)Math.Min(entry.CompressedSize, max);
        var bytes = await read(entry.LocalHeaderOffset, (int)Math.Min(LocalHeaderSize + MaxLocalNameAndExtra + packed, length - entry.LocalHeaderOffset), ct);
        if (bytes.Length < LocalHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(bytes.Span) != LocalSignature)
        {
            return null;
        }

        var nameAndExtra = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Span[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(bytes.Span[28..]);
        var dataOffset = LocalHeaderSize + nameAndExtra;
        if (nameAndExtra > MaxLocalNameAndExtra || bytes.Length < dataOffset + packed)
        {
            return null;
        }

        var data = bytes.Span.Slice(dataOffset, packed);
        return entry.Method == 0 ? data.ToArray() : Inflate(data, max);
    }

    /// <summary>Up to <paramref name="max"/> bytes inflated from the deflated <paramref name="data"/> (a prefix is all it needs to be), or null when it is no deflate data.</summary>
    public static byte[]? Inflate(ReadOnlySpan<byte> data, int max)
    {
        try
        {
            using var inflate = new DeflateStream(new MemoryStream(data.ToArray(), writable: false), CompressionMode.Decompress);
            var buffer = new byte[max];
            var total = inflate.ReadAtLeast(buffer, max, throwOnEndOfStream: false);
            return buffer[..total];
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
