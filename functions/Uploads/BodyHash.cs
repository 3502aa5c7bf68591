using DanVan.Reading;
using DanVan.Signatures;

namespace DanVan.Uploads;

/// <summary>
/// What a file's bytes pass through, in order, on their way to storage: its SHA-256 and, for a PDF, the signature scan
/// (so nothing reads the file back). The scan hashes the whole file itself (its running hash is the file's), so a PDF's
/// bytes are hashed once for both.
/// </summary>
public sealed class BodyHash : IDisposable
{
    private readonly ContentHash? own;
    private readonly PdfSignatureScan? scan;

    private BodyHash(ContentHash? own, PdfSignatureScan? scan)
    {
        this.own = own;
        this.scan = scan;
    }

    /// <summary>The SHA-256 only.</summary>
    public static BodyHash Plain() => new(new ContentHash(), null);

    /// <summary>The SHA-256 taken by <paramref name="pdf"/>, which sees every byte (its owner disposes it).</summary>
    public static BodyHash Scanning(PdfSignatureScan pdf) => new(null, pdf);

    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (scan is not null)
        {
            scan.Append(chunk);
        }
        else
        {
            own!.Append(chunk);
        }
    }

    /// <summary>The SHA-256 of every byte appended so far.</summary>
    public byte[] Sha256() => scan?.FileSha256() ?? own!.Current();

    public void Dispose() => own?.Dispose();
}
