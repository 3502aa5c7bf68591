using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DanVan.Compilation;
using DanVan.Functions;
using DanVan.Tests.Support;

namespace DanVan.Tests.Compilation;

/// <summary>A downloaded bundle, opened for assertions.</summary>
public sealed class Bundle
{
    public Bundle(byte[] bytes)
    {
        Bytes = bytes;
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        foreach (var entry in zip.Entries)
        {
            using var content = entry.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            Entries.Add((entry.FullName, entry.LastWriteTime, copy.ToArray()));
        }
    }

    public byte[] Bytes { get; }

    public List<(string Name, DateTimeOffset LastWriteTime, byte[] Content)> Entries { get; } = [];

    public IEnumerable<string> Names => Entries.Select(e => e.Name);

    public byte[] this[string name] => Entries.Single(e => e.Name == name).Content;

    public JsonElement Manifest => JsonDocument.Parse(this[BundleWriter.ManifestEntryName]).RootElement;

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Each entry's name and general-purpose flags, read from the raw bytes (central directory and the
    /// local header it points at), to check the language-encoding flag (bit 11) for UTF-8 names.
    /// </summary>
    public List<(string Name, ushort CentralFlags, ushort LocalFlags)> RawFlags()
    {
        var b = Bytes.AsSpan();
        var eocd = b.LastIndexOf([(byte)0x50, (byte)0x4b, (byte)0x05, (byte)0x06]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(b[(eocd + 10)..]);
        var offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(b[(eocd + 16)..]);
        var result = new List<(string, ushort, ushort)>();
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(0x02014b50u, BinaryPrimitives.ReadUInt32LittleEndian(b[offset..]));
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(b[(offset + 8)..]);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(b[(offset + 28)..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(b[(offset + 30)..]);
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(b[(offset + 32)..]);
            var local = (int)BinaryPrimitives.ReadUInt32LittleEndian(b[(offset + 42)..]);
            Assert.Equal(0x04034b50u, BinaryPrimitives.ReadUInt32LittleEndian(b[local..]));
            var localFlags = BinaryPrimitives.ReadUInt16LittleEndian(b[(local + 6)..]);
            result.Add((Encoding.UTF8.GetString(b.Slice(offset + 46, nameLength)), flags, localFlags));
            offset += 46 + nameLength + extraLength + commentLength;
        }

        return result;
    }

    public static async Task<Bundle> DownloadLatestAsync(TestApp app, string periodId)
    {
        var response = await TestHttp.InvokeAsync(
            TestHttp.Request("GET", $"/api/periods/{periodId}/compilations/latest", TestApp.AdminToken),
            r => Functions(app).DownloadLatestCompilation(r, periodId, CancellationToken.None));
        Assert.Equal(200, response.Status);
        return new Bundle(response.Body);
    }

    public static async Task<Bundle> OfAsync(TestApp app, CompilationRecord compilation)
    {
        var content = await app.Store.CompilationBlobs.GetBlobClient(compilation.BlobName).DownloadContentAsync();
        return new Bundle(content.Value.Content.ToArray());
    }

    public static CompilationsFunctions Functions(TestApp app) =>
        Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<CompilationsFunctions>(app.Services);
}
