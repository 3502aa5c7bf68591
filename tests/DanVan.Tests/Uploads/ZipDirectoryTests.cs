using System.Buffers.Binary;
using System.Text;
using DanVan.Reading;
using DanVan.Tests.Support;
using DanVan.Uploads;

namespace DanVan.Tests.Uploads;

/// <summary>
/// The package check from the ZIP's central directory (<see cref="ZipDirectory"/>,
/// <see cref="FileTypes.CheckPackageAsync"/>), with ZIPs built byte by byte (<see cref="HandZip"/>) where
/// System.IO.Compression would not write what the test needs (ZIP64, bogus names, broken records).
/// </summary>
public sealed class ZipDirectoryTests
{
    private static readonly FileType Docx = FileTypes.ByName("a.docx")!;
    private static readonly FileType Xlsx = FileTypes.ByName("a.xlsx")!;
    private static readonly FileType Odt = FileTypes.ByName("a.odt")!;
    private static readonly FileType Ods = FileTypes.ByName("a.ods")!;
    private static readonly FileType Pdf = FileTypes.ByName("a.pdf")!;

    private static Task<SniffResult> CheckAsync(FileType type, byte[] file) =>
        FileTypes.CheckPackageAsync(type, file.Length, Ranges(file));

    private static ReadRange Ranges(byte[] file, List<(long Offset, int Count)>? log = null) => (offset, count, _) =>
    {
        log?.Add((offset, count));
        var start = (int)Math.Min(offset, file.Length);
        return Task.FromResult<ReadOnlyMemory<byte>>(file.AsMemory(start, Math.Min(count, file.Length - start)));
    };

    [Fact]
    public async Task Packages_written_by_System_IO_Compression_pass_as_their_own_kind_only()
    {
        Assert.Equal(SniffResult.Matches, await CheckAsync(Docx, Samples.Docx()));
        Assert.Equal(SniffResult.Matches, await CheckAsync(Xlsx, Samples.Xlsx()));
        Assert.Equal(SniffResult.Matches, await CheckAsync(Odt, Samples.Odt()));
        Assert.Equal(SniffResult.Matches, await CheckAsync(Ods, Samples.Ods()));

        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, Samples.Xlsx()));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Xlsx, Samples.Docx()));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Odt, Samples.Ods()));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, Samples.Odt()));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, Samples.PlainZip()));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, Samples.Pdf()));
        Assert.Equal(SniffResult.Matches, await CheckAsync(Pdf, Samples.Pdf()));
    }

    [Fact]
    public async Task The_directory_lists_every_entry_with_its_offset()
    {
        var zip = new HandZip().Add("[Content_Types].xml", Samples.DocxContentTypes).Add("word/document.xml", Samples.DocumentXml()).Add("Tài liệu.txt", "chữ").Build();

        var entries = await ZipDirectory.ReadAsync(new MemoryStream(zip));

        Assert.NotNull(entries);
        Assert.Equal(["[Content_Types].xml", "word/document.xml", "Tài liệu.txt"], entries.Select(e => e.Name));
        Assert.Equal(0, entries[0].LocalHeaderOffset);
        Assert.Equal(30 + "[Content_Types].xml".Length + Encoding.UTF8.GetByteCount(Samples.DocxContentTypes), entries[1].LocalHeaderOffset);
        Assert.Equal(Encoding.UTF8.GetByteCount("chữ"), entries[2].UncompressedSize);
    }

    [Fact]
    public async Task A_zip_whose_first_block_names_Content_Types_but_that_is_no_package_passes_the_head_sniff_and_fails_the_directory_check()
    {
        // The name in the first block is only the content of a text file; the only entry is readme.txt.
        var inText = new HandZip().Add("readme.txt", "xem [Content_Types].xml và word/document.xml").Build();
        // A late entry whose name merely ends like it, and no main part.
        var lateLookalike = new HandZip().Add("readme.txt", "không phải báo cáo").Add("docs/[Content_Types].xml", "<Types/>").Build();
        // The real name, but late and without word/document.xml.
        var lateNoMain = new HandZip().Add("readme.txt", "không phải báo cáo").Add("[Content_Types].xml", "<Types/>").Build();

        foreach (var zip in new[] { inText, lateLookalike, lateNoMain })
        {
            Assert.Equal(SniffResult.Matches, FileTypes.Sniff(Docx, zip));
            Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, zip));
        }

        // Where the parts are is not the rule: late, but both present, is a package.
        var late = new HandZip().Add("docProps/app.xml", "<Properties/>").Add("[Content_Types].xml", Samples.DocxContentTypes).Add("word/document.xml", Samples.DocumentXml()).Build();
        Assert.Equal(SniffResult.Matches, await CheckAsync(Docx, late));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Xlsx, late));
    }

    [Fact]
    public async Task A_zip64_package_is_read_through_its_zip64_records_and_judged_by_its_entries()
    {
        var docx = new HandZip(zip64: true).Add("[Content_Types].xml", Samples.DocxContentTypes).Add("word/document.xml", Samples.DocumentXml()).Build();
        var bogus = new HandZip(zip64: true).Add("[Content_Types].xml", "<Types/>").Add("readme.txt", "không phải báo cáo").Build();

        var entries = await ZipDirectory.ReadAsync(new MemoryStream(docx));
        Assert.NotNull(entries);
        Assert.Equal(["[Content_Types].xml", "word/document.xml"], entries.Select(e => e.Name));
        Assert.Equal(Encoding.UTF8.GetByteCount(Samples.DocumentXml()), entries[1].CompressedSize);
        Assert.Equal(SniffResult.Matches, await CheckAsync(Docx, docx));

        // The first entry's ZIP64 sizes hide it from the head sniff, which then lets the name pass.
        Assert.Equal(SniffResult.Matches, FileTypes.Sniff(Docx, bogus));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, bogus));
    }

    [Fact]
    public async Task An_odf_package_needs_a_stored_mimetype_first_with_its_media_type()
    {
        var odt = new HandZip().Add("mimetype", "application/vnd.oasis.opendocument.text").Add("content.xml", "<office:document-content/>").Build();
        var mimetypeLate = new HandZip().Add("content.xml", "<office:document-content/>").Add("mimetype", "application/vnd.oasis.opendocument.text").Build();
        var zip64Odt = new HandZip(zip64: true).Add("mimetype", "application/vnd.oasis.opendocument.text").Add("content.xml", "<office:document-content/>").Build();

        Assert.Equal(SniffResult.Matches, await CheckAsync(Odt, odt));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Ods, odt));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Odt, mimetypeLate));
        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Odt, zip64Odt));
    }

    [Fact]
    public async Task Two_entries_with_one_name_are_no_package()
    {
        var zip = new HandZip().Add("[Content_Types].xml", Samples.DocxContentTypes).Add("word/document.xml", Samples.DocumentXml()).Add("WORD/document.xml", Samples.DocumentXml("b")).Build();

        Assert.Equal(SniffResult.Mismatch, await CheckAsync(Docx, zip));
    }

    [Fact]
    public async Task Malformed_truncated_or_out_of_bounds_directories_are_no_zip()
    {
        var good = new HandZip().Add("[Content_Types].xml", Samples.DocxContentTypes).Add("word/document.xml", Samples.DocumentXml()).Build();
        Assert.NotNull(await ZipDirectory.ReadAsync(new MemoryStream(good)));

        var truncated = good[..^1];
        byte[] trailing = [.. good, 0x00];
        var withComment = new HandZip().Add("[Content_Types].xml", Samples.DocxContentTypes).Add("word/document.xml", Samples.DocumentXml()).Build(comment: "PK\u0005\u0006 giả");
        var countTooHigh = Patch(good, good.Length - 22 + 10, (ushort)3);
        var countOnDisk = Patch(good, good.Length - 22 + 8, (ushort)1);
        var offsetPastEnd = Patch(good, good.Length - 22 + 16, (uint)good.Length);
        var tooManyEntries = Patch(Patch(good, good.Length - 22 + 8, (ushort)(ZipDirectory.MaxEntries + 1)), good.Length - 22 + 10, (ushort)(ZipDirectory.MaxEntries + 1));
        var saturatedWithoutZip64 = Patch(good, good.Length - 22 + 16, uint.MaxValue);
        var zip64 = new HandZip(zip64: true).Add("[Content_Types].xml", Samples.DocxContentTypes).Add("word/document.xml", Samples.DocumentXml()).Build();
        var zip64LocatorOutOfRange = Patch(zip64, zip64.Length - 22 - 20 + 8, (ulong)zip64.Length);

        Assert.NotNull(await ZipDirectory.ReadAsync(new MemoryStream(withComment)));
        foreach (var (name, zip) in new[]
        {
            ("truncated", truncated), ("trailing byte", trailing), ("count too high", countTooHigh), ("count on disk", countOnDisk),
            ("offset past end", offsetPastEnd), ("too many entries", tooManyEntries), ("saturated without zip64", saturatedWithoutZip64),
            ("zip64 locator out of range", zip64LocatorOutOfRange), ("empty", []), ("pdf", Samples.Pdf()),
        })
        {
            Assert.True(await ZipDirectory.ReadAsync(new MemoryStream(zip)) is null, name);
        }
    }

    [Fact]
    public async Task The_check_reads_the_end_of_the_file_not_the_whole_of_it()
    {
        var large = new byte[3_000_000];
        new Random(5).NextBytes(large);
        var docx = new HandZip().Add("[Content_Types].xml", Samples.DocxContentTypes).Add("word/media/image1.png", large).Add("word/document.xml", Samples.DocumentXml()).Build();
        var reads = new List<(long Offset, int Count)>();

        var result = await FileTypes.CheckPackageAsync(Docx, docx.Length, Ranges(docx, reads));

        // The end record and the directory, then the two parts that make it a DOCX: [Content_Types].xml at the
        // start and word/document.xml after the image, each read from its local header; the image is never read.
        Assert.Equal(SniffResult.Matches, result);
        Assert.Equal(4, reads.Count);
        Assert.True(reads.Sum(r => r.Count) < 80_000, $"read {reads.Sum(r => r.Count)} bytes");
        Assert.Equal(0, reads[2].Offset);
        Assert.All(reads.Where(r => r.Offset > 0), r => Assert.True(r.Offset > docx.Length - 70_000, $"read at {r.Offset} of {docx.Length}"));
    }

    [Fact]
    public async Task The_check_reads_a_stored_blob_by_ranges()
    {
        await using var app = await TestApp.StartAsync();
        var docx = app.Store.Reports.GetBlobClient("zip-directory/docx");
        var bogus = app.Store.Reports.GetBlobClient("zip-directory/bogus");
        var bogusBytes = new HandZip(zip64: true).Add("[Content_Types].xml", "<Types/>").Add("readme.txt", "không phải báo cáo").Build();
        await docx.UploadAsync(new BinaryData(Samples.Docx()));
        await bogus.UploadAsync(new BinaryData(bogusBytes));

        Assert.Equal(SniffResult.Matches, await FileTypes.CheckPackageAsync(Docx, Samples.Docx().Length, BlobRanges.Of(docx)));
        Assert.Equal(SniffResult.Mismatch, await FileTypes.CheckPackageAsync(Docx, bogusBytes.Length, BlobRanges.Of(bogus)));
    }

    private static byte[] Patch<T>(byte[] zip, int at, T value) where T : struct
    {
        var copy = zip.ToArray();
        switch (value)
        {
            case ushort u16: BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(at), u16); break;
            case uint u32: BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), u32); break;
            case ulong u64: BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(at), u64); break;
            default: throw new ArgumentException(typeof(T).Name);
        }

        return copy;
    }
}

/// <summary>
/// A ZIP written byte by byte (APPNOTE 6.3): stored entries with UTF-8 names, in the order added;
/// with <c>zip64</c>, every size and offset saturated and given in ZIP64 extra fields, and a ZIP64 end
/// record and locator before the end record. CRCs are left 0: the directory reader does not read data.
/// </summary>
public sealed class HandZip(bool zip64 = false)
{
    private readonly List<(string Name, byte[] Data)> entries = [];

    public HandZip Add(string name, string text) => Add(name, Encoding.UTF8.GetBytes(text));

    public HandZip Add(string name, byte[] data)
    {
        entries.Add((name, data));
        return this;
    }

    public byte[] Build(string comment = "")
    {
        var file = new MemoryStream();
        var w = new BinaryWriter(file);
        var offsets = new List<long>();
        foreach (var (name, data) in entries)
        {
            offsets.Add(file.Position);
            var nameBytes = Encoding.UTF8.GetBytes(name);
            w.Write(0x04034b50u);
            w.Write((ushort)(zip64 ? 45 : 20));
            w.Write((ushort)0x0800);
            w.Write((ushort)0);
            w.Write(0u);
            w.Write(0u);
            w.Write(zip64 ? uint.MaxValue : (uint)data.Length);
            w.Write(zip64 ? uint.MaxValue : (uint)data.Length);
            w.Write((ushort)nameBytes.Length);
            w.Write((ushort)(zip64 ? 20 : 0));
            w.Write(nameBytes);
            if (zip64)
            {
                w.Write((ushort)0x0001);
                w.Write((ushort)16);
                w.Write((ulong)data.Length);
                w.Write((ulong)data.Length);
            }

            w.Write(data);
        }

        var directoryOffset = file.Position;
        for (var i = 0; i < entries.Count; i++)
        {
            var (name, data) = entries[i];
            var nameBytes = Encoding.UTF8.GetBytes(name);
            w.Write(0x02014b50u);
            w.Write((ushort)(zip64 ? 45 : 20));
            w.Write((ushort)(zip64 ? 45 : 20));
            w.Write((ushort)0x0800);
            w.Write((ushort)0);
            w.Write(0u);
            w.Write(0u);
            w.Write(zip64 ? uint.MaxValue : (uint)data.Length);
            w.Write(zip64 ? uint.MaxValue : (uint)data.Length);
            w.Write((ushort)nameBytes.Length);
            w.Write((ushort)(zip64 ? 28 : 0));
            w.Write((ushort)0);
            w.Write((ushort)0);
            w.Write((ushort)0);
            w.Write(0u);
            w.Write(zip64 ? uint.MaxValue : (uint)offsets[i]);
            w.Write(nameBytes);
            if (zip64)
            {
                w.Write((ushort)0x0001);
                w.Write((ushort)24);
                w.Write((ulong)data.Length);
                w.Write((ulong)data.Length);
                w.Write((ulong)offsets[i]);
            }
        }

        var directorySize = file.Position - directoryOffset;
        if (zip64)
        {
            var recordOffset = file.Position;
            w.Write(0x06064b50u);
            w.Write(44ul);
            w.Write((ushort)45);
            w.Write((ushort)45);
            w.Write(0u);
            w.Write(0u);
            w.Write((ulong)entries.Count);
            w.Write((ulong)entries.Count);
            w.Write((ulong)directorySize);
            w.Write((ulong)directoryOffset);
            w.Write(0x07064b50u);
            w.Write(0u);
            w.Write((ulong)recordOffset);
            w.Write(1u);
        }

        var commentBytes = Encoding.UTF8.GetBytes(comment);
        w.Write(0x06054b50u);
        w.Write((ushort)0);
        w.Write((ushort)0);
        w.Write(zip64 ? ushort.MaxValue : (ushort)entries.Count);
        w.Write(zip64 ? ushort.MaxValue : (ushort)entries.Count);
        w.Write(zip64 ? uint.MaxValue : (uint)directorySize);
        w.Write(zip64 ? uint.MaxValue : (uint)directoryOffset);
        w.Write((ushort)commentBytes.Length);
        w.Write(commentBytes);
        w.Flush();
        return file.ToArray();
    }
}
