using System.IO.Compression;
using DanVan.Domain;

namespace DanVan.Writing;

/// <summary>
/// ZIP details that make equal content give equal bytes: one fixed timestamp on every entry and no
/// platform-dependent attributes. Also used to re-pack the XLSX/DOCX the OpenXml SDK writes, because
/// System.IO.Packaging stamps their entries with the current time.
/// </summary>
public static class StableZip
{
    public static ZipArchiveEntry CreateEntry(ZipArchive archive, string name, DateTimeOffset timestamp, CompressionLevel level = CompressionLevel.Optimal)
    {
        var entry = archive.CreateEntry(name, level);
        entry.LastWriteTime = timestamp;
        entry.ExternalAttributes = 0;
        return entry;
    }

    /// <summary>ZIP times are local wall-clock times with 2-second steps: take Vietnam's wall clock of <paramref name="instant"/>.</summary>
    public static DateTimeOffset TimestampOf(DateTimeOffset instant)
    {
        var wall = instant.ToOffset(VietnamTime.Offset);
        var even = new DateTime(wall.Year, wall.Month, wall.Day, wall.Hour, wall.Minute, wall.Second - (wall.Second % 2), DateTimeKind.Unspecified);
        return new DateTimeOffset(even, VietnamTime.Offset);
    }

    /// <summary>
    /// The same package, each entry stamped with <paramref name="timestamp"/>; <c>[Content_Types].xml</c>
    /// first (where tools that sniff file types look for it), the rest in their order.
    /// </summary>
    public static byte[] Repack(byte[] package, DateTimeOffset timestamp)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries.OrderBy(e => e.FullName == "[Content_Types].xml" ? 0 : 1))
            {
                var copy = CreateEntry(target, entry.FullName, timestamp);
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }
}
