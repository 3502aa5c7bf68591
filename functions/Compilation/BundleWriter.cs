using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DanVan.Submissions;

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
    IReadOnlyList<ManifestInput> Inputs);

/// <summary>
/// Writes the bundle ZIP straight into a destination stream: each unit's latest file streamed from
/// its blob into its entry (only a DOCX, for its text, is held in memory, one at a time and capped, and read within <see cref="ReportLimits"/>),
/// then <c>TongHop.xlsx</c>, <c>DuThao-BaoCao.docx</c> and <c>manifest.json</c>, built in memory.
/// Entries are in a fixed order with one fixed timestamp (the deadline), so equal inputs give equal bytes.
/// </summary>
public static class BundleWriter
{
    public const string SummaryEntry = "TongHop.xlsx";
    public const string DraftEntry = "DuThao-BaoCao.docx";
    public const string ManifestEntryName = "manifest.json";
    public const string ReportsFolder = "BaoCao/";

    private static readonly JsonSerializerOptions ManifestJson = new(DanVan.Http.Json.Options) { WriteIndented = true };

    /// <summary>Opens the stored file of one version for reading.</summary>
    public delegate Task<Stream> SourceOpener(SubmissionVersionEntity version, CancellationToken ct);

    public static async Task<BundleManifest> WriteAsync(Stream destination, CompilationInputs inputs, SourceOpener open, CancellationToken ct)
    {
        var timestamp = StableZip.TimestampOf(inputs.Period.Deadline);
        var entries = new List<ManifestEntry>();
        var sources = new List<ManifestInput>();
        var readings = new Dictionary<string, ReportReading>(StringComparer.Ordinal);

        await using (var zip = await ZipArchive.CreateAsync(destination, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
        {
            var width = Math.Max(2, inputs.Units.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
            foreach (var unit in inputs.Units.Where(u => u.Latest is not null))
            {
                var version = unit.Latest!;
                var name = ReportEntryName(unit, inputs.Period.Title, width);
                var entry = StableZip.CreateEntry(zip, name, timestamp, LevelFor(version.FileName));
                var (size, sha, reading) = await CopyReportAsync(entry, version, open, ct);
                entries.Add(new ManifestEntry(name, size, sha));
                sources.Add(new ManifestInput(unit.Row.UnitCode, version.Version, version.ReceiptId, version.FileName, size, sha, name, Signatures.SignatureReport.FromJson(version.Signatures)));
                readings[unit.Row.UnitCode] = reading;
            }

            entries.Add(await WriteBytesAsync(zip, SummaryEntry, SummaryWorkbook.Build(inputs), timestamp, ct));
            entries.Add(await WriteBytesAsync(zip, DraftEntry, DraftReport.Build(inputs, readings), timestamp, ct));

            var manifest = new BundleManifest(inputs.Period.Id.ToString(), inputs.Period.Title, inputs.Fingerprint, CompilationInputs.LayoutVersion, entries.ToList(), sources);
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

    private static async Task<(long Size, string Sha256, ReportReading Reading)> CopyReportAsync(ZipArchiveEntry entry, SubmissionVersionEntity version, SourceOpener open, CancellationToken ct)
    {
        await using var source = await open(version, ct);
        await using var target = await entry.OpenAsync(ct);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var isDocx = ReportText.IsDocx(version.FileName);
        var isPdf = PdfReportText.IsPdf(version.FileName);
        var copy = (isDocx || isPdf) && version.SizeBytes <= ReportText.MaxDocxBytes ? new MemoryStream((int)Math.Max(0, version.SizeBytes)) : null;

        var buffer = new byte[81920];
        long size = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
            size += read;
            if (copy is not null && size > ReportText.MaxDocxBytes)
            {
                // The row understated the size: stop holding the file in memory, it is too large to read for text.
                copy.Dispose();
                copy = null;
            }

            copy?.Write(buffer, 0, read);
        }

        using (copy)
        {
            var reading = !isDocx && !isPdf ? ReportReading.Failed(ReportText.NotDocx(version.FileName))
                : copy is null ? ReportReading.Failed(ReportText.TooLarge(version.FileName))
                : isPdf ? PdfReportText.Read(Rewind(copy), version.FileName, ct)
                : ReportText.Read(Rewind(copy), version.FileName, ct);
            return (size, Convert.ToHexStringLower(sha.GetHashAndReset()), reading);
        }
    }

    private static MemoryStream Rewind(MemoryStream stream)
    {
        stream.Position = 0;
        return stream;
    }

    private static async Task<ManifestEntry> WriteBytesAsync(ZipArchive zip, string name, byte[] content, DateTimeOffset timestamp, CancellationToken ct)
    {
        // TongHop.xlsx and the draft DOCX are deflated packages already: stored like the units' own; the manifest deflated.
        var entry = StableZip.CreateEntry(zip, name, timestamp, LevelFor(name));
        await using (var target = await entry.OpenAsync(ct))
        {
            await target.WriteAsync(content, ct);
        }

        return new ManifestEntry(name, content.LongLength, Convert.ToHexStringLower(SHA256.HashData(content)));
    }
}
