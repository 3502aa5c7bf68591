using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DanVan.Reading;
using DanVan.Submissions;
using DanVan.Writing;

namespace DanVan.Compilation;

/// <summary>One entry of the bundle as the manifest lists it.</summary>
public sealed record ManifestEntry(string Name, long Size, string Sha256);

/// <summary>One unit's file the bundle was made from.</summary>
public sealed record ManifestInput(string UnitCode, int Version, string ReceiptId, string FileName, long Size, string Sha256, string Entry, Signatures.SignatureReport? Signatures = null);

/// <summary><c>manifest.json</c>: what is in the bundle and what it was made from.</summary>
public sealed record BundleManifest(
    string PeriodId,
    string PeriodTitle,
    string InputsFingerprint,
    string Layout,
    IReadOnlyList<ManifestEntry> Entries,
    IReadOnlyList<ManifestInput> Inputs,
    IReadOnlyList<ManifestFiling> Filing);

/// <summary>
/// Writes the bundle ZIP straight into a destination stream: each unit's latest file streamed from
/// its blob into its entry (only a DOCX or PDF, for its text, is held in memory, one at a time and capped, and read within <see cref="ReportLimits"/>),
/// the next file's download opened while one is copied, then <c>TongHop.xlsx</c>, <c>DuThao-BaoCao.docx</c> and <c>manifest.json</c>, built in memory.
/// Entries are in a fixed order with one fixed timestamp (the deadline), so equal inputs give equal bytes.
/// </summary>
public static class BundleWriter
{
    public const string SummaryEntry = "TongHop.xlsx";
    public const string DraftEntry = "DuThao-BaoCao.docx";
    public const string ManifestEntryName = "manifest.json";
    public const string ReportsFolder = "BaoCao/";

    private static readonly JsonSerializerOptions ManifestJson = new(DanVan.Domain.Json.Options) { WriteIndented = true };

    /// <summary>Opens the stored file of one version for reading.</summary>
    public delegate Task<Stream> SourceOpener(SubmissionVersion version, CancellationToken ct);

    public static async Task<BundleManifest> WriteAsync(Stream destination, CompilationInputs inputs, SourceOpener open, CancellationToken ct)
    {
        var timestamp = StableZip.TimestampOf(inputs.Period.Deadline);
        var entries = new List<ManifestEntry>();
        var sources = new List<ManifestInput>();
        var readings = new Dictionary<string, UnitReading>(StringComparer.Ordinal);
        var outline = inputs.DraftOutline;

        await using (var zip = await ZipArchive.CreateAsync(destination, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
        {
            var width = Math.Max(2, inputs.Units.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
            var submitted = inputs.Units.Where(u => u.Latest is not null).ToList();
            var scratch = new CopyScratch();
            Task<Stream>? next = submitted.Count > 0 ? open(submitted[0].Latest!, ct) : null;
            try
            {
                for (var i = 0; i < submitted.Count; i++)
                {
                    var (unit, version) = (submitted[i], submitted[i].Latest!);
                    var source = await next!;
                    next = null;
                    await using (source)
                    {
                        // The next file's download starts while this one is copied: one response ahead, no more.
                        next = i + 1 < submitted.Count ? open(submitted[i + 1].Latest!, ct) : null;
                        var name = ReportEntryName(unit, inputs.Period.Title, width);
                        var entry = StableZip.CreateEntry(zip, name, timestamp, LevelFor(version.FileName));
                        var (size, sha, reading) = await CopyReportAsync(entry, version, source, scratch, ct);
                        entries.Add(new ManifestEntry(name, size, sha));
                        sources.Add(new ManifestInput(unit.Row.UnitCode, version.Version, version.ReceiptId, version.FileName, size, sha, name, Signatures.SignatureReport.FromJson(version.Signatures)));
                        readings[unit.Row.UnitCode] = UnitReading.Of(reading, outline);
                    }
                }
            }
            finally
            {
                await DiscardAsync(next);
            }

            entries.Add(await WriteBytesAsync(zip, SummaryEntry, SummaryWorkbook.Build(inputs), timestamp, ct));
            entries.Add(await WriteBytesAsync(zip, DraftEntry, DraftReport.Build(inputs, readings), timestamp, ct));

            var filing = sources.SelectMany(s => readings[s.UnitCode].Filed is { } filed ? ManifestFiling.Of(s.UnitCode, s.Version, filed) : []).ToList();
            var manifest = new BundleManifest(inputs.Period.Id.ToString(), inputs.Period.Title, inputs.Fingerprint, CompilationInputs.LayoutVersion, entries.ToList(), sources, filing);
            await WriteBytesAsync(zip, ManifestEntryName, JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson), timestamp, ct);
            return manifest;
        }
    }

    /// <summary>
    /// How a unit's file is stored: formats that are compressed already (PDF, ZIP-based packages such as
    /// DOCX, XLSX, ODT, ODS; archives; images) as they are, since deflating them again costs time for
    /// nothing; the rest (DOC, XLS, …) deflated. Chosen by the file's name only, so equal inputs give equal bytes.
    /// (Their templates and macro-enabled variants too.)
    /// </summary>
    public static CompressionLevel LevelFor(string fileName) =>
        AlreadyCompressed.Contains(Path.GetExtension(fileName)) ? CompressionLevel.NoCompression : CompressionLevel.Optimal;

    private static readonly HashSet<string> AlreadyCompressed = new(StringComparer.OrdinalIgnoreCase)
    {
        ".pdf", ".docx", ".docm", ".dotx", ".xlsx", ".xlsm", ".xltx", ".pptx", ".odt", ".ods", ".odp", ".ott", ".ots", ".odg",
        ".zip", ".7z", ".rar", ".gz", ".jpg", ".jpeg", ".png",
    };

    /// <summary>"BaoCao/07 - Sở Nội vụ - Báo cáo 06 tháng năm 2026.docx": order, owner and period at a glance.</summary>
    public static string ReportEntryName(BundleUnit unit, string periodTitle, int width = 2)
    {
        var extension = Path.GetExtension(unit.Latest?.FileName ?? "").ToLowerInvariant();
        if (extension.Length > 10 || extension.Skip(1).Any(c => !char.IsAsciiLetterOrDigit(c)))
        {
            extension = "";
        }

        var number = unit.Number.ToString("D" + width, System.Globalization.CultureInfo.InvariantCulture);
        return $"{ReportsFolder}{number} - {Clean(unit.Row.UnitName)} - {Clean(periodTitle)}{extension}".Normalize(NormalizationForm.FormC);
    }

    /// <summary>No path separators or characters Windows refuses in a name; length capped.</summary>
    private static string Clean(string text)
    {
        var cleaned = new string(text.Select(c => char.IsControl(c) || "/\\:*?\"<>|".Contains(c) ? '-' : c).ToArray()).Trim().TrimEnd('.');
        return cleaned.Length > 100 ? cleaned[..100].Trim() : cleaned;
    }

    /// <summary>Buffers reused from one unit's file to the next: the copy buffer, and the DOCX or PDF held for its text.</summary>
    private sealed class CopyScratch
    {
        public readonly byte[] Buffer = new byte[128 * 1024];
        public readonly MemoryStream Text = new();
    }

    private static async Task<(long Size, string Sha256, ReportReading Reading)> CopyReportAsync(ZipArchiveEntry entry, SubmissionVersion version, Stream source, CopyScratch scratch, CancellationToken ct)
    {
        await using var target = await entry.OpenAsync(ct);
        using var sha = new ContentHash();
        var isDocx = ReportText.IsDocx(version.FileName);
        var isPdf = PdfReportText.IsPdf(version.FileName);
        var copy = (isDocx || isPdf) && version.SizeBytes <= ReportText.MaxDocxBytes ? scratch.Text : null;
        copy?.SetLength(0);

        var buffer = scratch.Buffer;
        long size = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            sha.Append(buffer.AsSpan(0, read));
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
            size += read;
            if (copy is not null && size > ReportText.MaxDocxBytes)
            {
                // The row understated the size: stop holding the file in memory, it is too large to read for text.
                copy.SetLength(0);
                copy = null;
            }

            copy?.Write(buffer, 0, read);
        }

        var reading = !isDocx && !isPdf ? ReportReading.Failed(ReportText.NotDocx(version.FileName))
            : copy is null ? ReportReading.Failed(ReportText.TooLarge(version.FileName))
            : isPdf ? PdfReportText.Read(Held(copy), version.FileName, ct)
            : ReportText.Read(Held(copy), version.FileName, ct);
        return (size, sha.CurrentHex(), reading);
    }

    /// <summary>The held file as a stream of its own (the readers may dispose it; the buffer is reused for the next file).</summary>
    private static MemoryStream Held(MemoryStream copy) => new(copy.GetBuffer(), 0, (int)copy.Length, writable: false);

    /// <summary>A download opened ahead and not used (the compile failed or was cancelled): closed, its outcome ignored.</summary>
    private static async Task DiscardAsync(Task<Stream>? opening)
    {
        if (opening is null)
        {
            return;
        }

        try
        {
            await (await opening).DisposeAsync();
        }
        catch (Exception)
        {
            // The failure that matters is the one already unwinding the compile.
        }
    }

    private static async Task<ManifestEntry> WriteBytesAsync(ZipArchive zip, string name, byte[] content, DateTimeOffset timestamp, CancellationToken ct)
    {
        // TongHop.xlsx and the draft DOCX are deflated packages already: stored like the units' own; the manifest deflated.
        var entry = StableZip.CreateEntry(zip, name, timestamp, LevelFor(name));
        await using (var target = await entry.OpenAsync(ct))
        {
            await target.WriteAsync(content, ct);
        }

        return new ManifestEntry(name, content.LongLength, ContentHash.Sha256Hex(content));
    }
}
