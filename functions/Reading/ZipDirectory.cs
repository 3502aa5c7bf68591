using System.Buffers.Binary;
using System.Text;

namespace DanVan.Reading;

/// <summary>One entry of a ZIP's central directory (APPNOTE 4.3.12), with ZIP64 sizes and offset resolved.</summary>
public sealed record ZipEntryInfo(string Name, int Method, long CompressedSize, long UncompressedSize, long LocalHeaderOffset);

/// <summary>
/// Reads <paramref name="count"/> bytes of a file at <paramref name="offset"/> (a ranged read of a blob,
/// or a seek in a stream). Fewer bytes than asked means the file is shorter.
/// </summary>
public delegate Task<ReadOnlyMemory<byte>> ReadRange(long offset, int count, CancellationToken ct);

/// <summary>A ZIP's directory as read: its entries, or why there are none (<see cref="Refusal"/> names a bound crossed, in Vietnamese; neither means the ZIP is malformed).</summary>
public sealed record ZipListing(IReadOnlyList<ZipEntryInfo>? Entries, string? Refusal)
{
    public static readonly ZipListing Malformed = new(null, null);

    public static ZipListing Refused(string reason) => new(null, reason);
}

/// <summary>
/// The list of entries of a ZIP file, read the way unzip and Office read it: from the end (APPNOTE 4.3.16
/// end of central directory, 4.3.14/4.3.15 its ZIP64 record and locator, then the central directory),
/// by a few ranged reads, never the whole file. What the leading bytes of an upload show is only the
/// first local header; the central directory is the archive's own table of contents. Bounded per use by a
/// <see cref="PackageLimits"/> (entries, directory bytes, ZIP64 or not): a ZIP that is malformed, split over
/// disks, or larger than that is no package. The one reader of a ZIP's structure: an upload's package check
/// reads the stored blob through it, and <see cref="BoundedPackage"/> checks a package through it before it opens one.
/// </summary>
public static class ZipDirectory
{
    /// <summary>The bounds of an uploaded report package (<see cref="PackageLimits.Upload"/>).</summary>
    public static long MaxDirectoryBytes => PackageLimits.Upload.MaxDirectoryBytes;

    public static int MaxEntries => PackageLimits.Upload.MaxEntries;

    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint CentralSignature = 0x02014b50;
    private const int EndSize = 22;
    private const int Zip64LocatorSize = 20;
    private const int Zip64EndSize = 56;
    private const int CentralHeaderSize = 46;

    /// <summary>The entries of a seekable stream that holds a whole ZIP (tests, files on disk), within the upload bounds.</summary>
    public static Task<IReadOnlyList<ZipEntryInfo>?> ReadAsync(Stream zip, CancellationToken ct = default) =>
        ReadAsync(zip.Length, Ranges(zip), ct);

    /// <summary>The entries in central-directory order, or null when this is not a well-formed single-disk ZIP within the upload bounds.</summary>
    public static async Task<IReadOnlyList<ZipEntryInfo>?> ReadAsync(long length, ReadRange read, CancellationToken ct = default) =>
        (await ListAsync(length, read, PackageLimits.Upload, ct)).Entries;

    /// <summary>Ranged reads of a seekable stream.</summary>
    public static ReadRange Ranges(Stream seekable) => (offset, count, token) => ReadAtAsync(seekable, offset, count, token);

    /// <summary>The entries in central-directory order within <paramref name="limits"/>, or why not.</summary>
    public static async Task<ZipListing> ListAsync(long length, ReadRange read, PackageLimits limits, CancellationToken ct = default)
    {
        if (length < EndSize)
        {
            return ZipListing.Malformed;
        }

        // The end record is the last 22 bytes plus a comment of at most 65535: the file must end exactly
        // where the comment does (no trailing bytes), which also rules out a signature inside the comment.
        var tailLength = (int)Math.Min(length, EndSize + ushort.MaxValue + Zip64LocatorSize);
        var tailStart = length - tailLength;
        var tail = await ReadExactlyAsync(read, tailStart, tailLength, ct);
        if (tail is null || FindEnd(tail.Value.Span) is not { } end)
        {
            return ZipListing.Malformed;
        }

        var e = tail.Value.Span[end..];
        long disk = BinaryPrimitives.ReadUInt16LittleEndian(e[4..]);
        long directoryDisk = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
        long diskEntries = BinaryPrimitives.ReadUInt16LittleEndian(e[8..]);
        long entries = BinaryPrimitives.ReadUInt16LittleEndian(e[10..]);
        long directorySize = BinaryPrimitives.ReadUInt32LittleEndian(e[12..]);
        long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(e[16..]);
        var directoryEnd = tailStart + end;

        // ZIP64 (APPNOTE 4.4.1.4): a locator just before the end record points at the ZIP64 end record,
        // whose 8-byte fields replace the saturated 16/32-bit ones.
        // A package DanVan reads whole (a report for its text, a workbook) never needs it.
        var zip64 = end >= Zip64LocatorSize && BinaryPrimitives.ReadUInt32LittleEndian(tail.Value.Span[(end - Zip64LocatorSize)..]) == Zip64LocatorSignature;
        if ((zip64 || entries == ushort.MaxValue || directoryOffset == uint.MaxValue) && !limits.AllowZip64)
        {
            return ZipListing.Refused("tệp nén dạng ZIP64");
        }

        if (zip64)
        {
            var locator = tail.Value.Span[(end - Zip64LocatorSize)..];
            var recordOffset = BinaryPrimitives.ReadInt64LittleEndian(locator[8..]);
            var totalDisks = BinaryPrimitives.ReadUInt32LittleEndian(locator[16..]);
            var locatorStart = directoryEnd - Zip64LocatorSize;
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator[4..]) != 0 || totalDisks != 1 || recordOffset < 0 || recordOffset > locatorStart - Zip64EndSize)
            {
                return ZipListing.Malformed;
            }

            var record = await ReadExactlyAsync(read, recordOffset, Zip64EndSize, ct);
            if (record is null)
            {
                return ZipListing.Malformed;
            }

            var r = record.Value.Span;
            if (BinaryPrimitives.ReadUInt32LittleEndian(r) != Zip64EndSignature)
            {
                return ZipListing.Malformed;
            }

            disk = BinaryPrimitives.ReadUInt32LittleEndian(r[16..]);
            directoryDisk = BinaryPrimitives.ReadUInt32LittleEndian(r[20..]);
            diskEntries = BinaryPrimitives.ReadInt64LittleEndian(r[24..]);
            entries = BinaryPrimitives.ReadInt64LittleEndian(r[32..]);
            directorySize = BinaryPrimitives.ReadInt64LittleEndian(r[40..]);
            directoryOffset = BinaryPrimitives.ReadInt64LittleEndian(r[48..]);
            directoryEnd = recordOffset;
        }
        else if (entries == ushort.MaxValue || directorySize == uint.MaxValue || directoryOffset == uint.MaxValue)
        {
            // Saturated fields without a ZIP64 locator: the real values are unknown.
            return ZipListing.Malformed;
        }

        if (entries > limits.MaxEntries)
        {
            return ZipListing.Refused($"hơn {ReadBudget.Count(limits.MaxEntries)} mục trong tệp nén");
        }

        if (directorySize > limits.MaxDirectoryBytes)
        {
            return ZipListing.Refused($"danh mục tệp nén lớn hơn {ReadBudget.Megabytes(limits.MaxDirectoryBytes)}");
        }

        if (disk != 0 || directoryDisk != 0 || diskEntries != entries || entries < 1
            || directorySize < CentralHeaderSize || directoryOffset < 0 || directoryOffset + directorySize != directoryEnd)
        {
            return ZipListing.Malformed;
        }

        var directory = await ReadExactlyAsync(read, directoryOffset, (int)directorySize, ct);
        return directory is not null && ParseDirectory(directory.Value.Span, (int)entries, directoryOffset) is { } list ? new ZipListing(list, null) : ZipListing.Malformed;
    }

    /// <summary>Where the end record starts in <paramref name="tail"/>: the last signature whose comment ends the file.</summary>
    private static int? FindEnd(ReadOnlySpan<byte> tail)
    {
        for (var at = tail.Length - EndSize; at >= 0; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail[at..]) == EndSignature
                && at + EndSize + BinaryPrimitives.ReadUInt16LittleEndian(tail[(at + 20)..]) == tail.Length)
            {
                return at;
            }
        }

        return null;
    }

    /// <summary>Exactly <paramref name="count"/> headers that fill the directory exactly, each pointing before it.</summary>
    private static List<ZipEntryInfo>? ParseDirectory(ReadOnlySpan<byte> directory, int count, long directoryOffset)
    {
        var entries = new List<ZipEntryInfo>(count);
        var at = 0;
        while (entries.Count < count)
        {
            if (directory.Length - at < CentralHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(directory[at..]) != CentralSignature)
            {
                return null;
            }

            var h = directory[at..];
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(h[8..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(h[10..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
            long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(h[24..]);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(h[30..]);
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(h[32..]);
            long diskStart = BinaryPrimitives.ReadUInt16LittleEndian(h[34..]);
            long localOffset = BinaryPrimitives.ReadUInt32LittleEndian(h[42..]);
            var size = CentralHeaderSize + nameLength + extraLength + commentLength;
            if (h.Length < size)
            {
                return null;
            }

            // Bit 11: the name is UTF-8; otherwise CP437, whose ASCII half is all a package name uses.
            var nameBytes = h.Slice(CentralHeaderSize, nameLength);
            var name = (flags & 0x0800) != 0 ? Encoding.UTF8.GetString(nameBytes) : Encoding.Latin1.GetString(nameBytes);
            if (!ReadZip64Extra(h.Slice(CentralHeaderSize + nameLength, extraLength), ref uncompressed, ref compressed, ref localOffset, ref diskStart)
                || diskStart != 0 || localOffset < 0 || localOffset >= directoryOffset || compressed < 0 || uncompressed < 0)
            {
                return null;
            }

            entries.Add(new ZipEntryInfo(name, method, compressed, uncompressed, localOffset));
            at += size;
        }

        return at == directory.Length ? entries : null;
    }

    /// <summary>
    /// The ZIP64 extended information field (APPNOTE 4.5.3, header 0x0001): holds, in this order, the
    /// values whose 32/16-bit fields are saturated, and only those. False when it is missing or short.
    /// </summary>
    private static bool ReadZip64Extra(ReadOnlySpan<byte> extra, ref long uncompressed, ref long compressed, ref long localOffset, ref long diskStart)
    {
        var needed = (uncompressed == uint.MaxValue ? 8 : 0) + (compressed == uint.MaxValue ? 8 : 0) + (localOffset == uint.MaxValue ? 8 : 0) + (diskStart == ushort.MaxValue ? 4 : 0);
        if (needed == 0)
        {
            return true;
        }

        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (extra.Length < 4 + length)
            {
                return false;
            }

            if (id == 0x0001)
            {
                if (length < needed)
                {
                    return false;
                }

                var field = extra.Slice(4, length);
                if (uncompressed == uint.MaxValue)
                {
                    uncompressed = BinaryPrimitives.ReadInt64LittleEndian(field);
                    field = field[8..];
                }

                if (compressed == uint.MaxValue)
                {
                    compressed = BinaryPrimitives.ReadInt64LittleEndian(field);
                    field = field[8..];
                }

                if (localOffset == uint.MaxValue)
                {
                    localOffset = BinaryPrimitives.ReadInt64LittleEndian(field);
                    field = field[8..];
                }

                if (diskStart == ushort.MaxValue)
                {
                    diskStart = BinaryPrimitives.ReadUInt32LittleEndian(field);
                }

                return true;
            }

            extra = extra[(4 + length)..];
        }

        return false;
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadExactlyAsync(ReadRange read, long offset, int count, CancellationToken ct)
    {
        var bytes = await read(offset, count, ct);
        return bytes.Length == count ? bytes : null;
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAtAsync(Stream stream, long offset, int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        stream.Position = offset;
        var filled = await stream.ReadAtLeastAsync(buffer, count, throwOnEndOfStream: false, ct);
        return buffer.AsMemory(0, filled);
    }
}
