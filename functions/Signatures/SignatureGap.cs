using DanVan.Reading;

namespace DanVan.Signatures;

/// <summary>A <c>/ByteRange [a b c d]</c> array as written in the file.</summary>
public sealed record ByteRangeEntry(long Offset, long[] Values)
{
    /// <summary>The array's text after <c>/ByteRange</c>, up to its <c>]</c>: each value that is no whole number is -1.</summary>
    public static ByteRangeEntry Parse(long offset, string arrayText)
    {
        var parts = arrayText.Trim().TrimStart('[').Trim().Split([' ', '\r', '\n', '\t', '\f', '\0'], StringSplitOptions.RemoveEmptyEntries);
        return new ByteRangeEntry(offset, parts
            .Select(p => long.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1)
            .ToArray());
    }
}

/// <summary>
/// A <c>/Contents &lt;hex&gt;</c> string: where it lies (<see cref="Start"/> is its <c>&lt;</c>, <see cref="End"/>
/// just after its <c>&gt;</c>), its bytes (null when longer than the bound), and the SHA-256 of the file
/// without it, taken at each place a revision of the file ends (keyed by that end offset).
/// </summary>
/// <param name="Prepared">The part of its check that needs no digest (the CMS read, the signer's signature, the time, the chain), begun when the string was read, when the scan was given a way to begin it.</param>
public sealed record ContentsEntry(long Start, long End, byte[]? Bytes, IReadOnlyDictionary<long, byte[]> Sha256WithoutThis, Task<CmsCheck>? Prepared = null);

/// <summary>
/// A <c>/Contents</c> hex string as <see cref="PdfSignatureScan"/> reads it: its bytes (up to a bound), and the hash of
/// the file without it, fed by the scan once the string is closed and snapshot where a revision may end.
/// </summary>
internal sealed class SignatureGap(long start, ContentHash hash, int maxBytes) : IDisposable
{
    private readonly MemoryStream bytes = new();
    private readonly Dictionary<long, byte[]> snapshots = [];

    public ContentHash Hash { get; } = hash;

    public long Start { get; } = start;

    public long End { get; private set; }

    public bool Closed { get; private set; }

    public bool Invalid { get; private set; }

    private bool over;
    private int pendingNibble = -1;

    public void Add(byte b)
    {
        if (bytes.Length >= maxBytes)
        {
            over = true;
            return;
        }

        bytes.WriteByte(b);
    }

    /// <summary>One character of the hex string: two digits make a byte, white space is skipped, anything else makes it no hex.</summary>
    public void AddHex(byte c)
    {
        var nibble = c switch
        {
            >= (byte)'0' and <= (byte)'9' => c - '0',
            >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
            _ => -1,
        };
        if (nibble < 0)
        {
            Invalid |= c is not ((byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or (byte)'\f' or 0);
            return;
        }

        if (pendingNibble < 0)
        {
            pendingNibble = nibble;
            return;
        }

        Add((byte)((pendingNibble << 4) | nibble));
        pendingNibble = -1;
    }

    public void Close(long end)
    {
        End = end;
        Closed = true;
        Bytes = over || Invalid ? null : bytes.ToArray();
    }

    public void Snapshot(long at)
    {
        if (Closed && !snapshots.ContainsKey(at))
        {
            snapshots[at] = Hash.Current();
        }
    }

    /// <summary>The string's bytes once it is closed, or null (still open, over the bound, or not hex).</summary>
    public byte[]? Bytes { get; private set; }

    public Task<CmsCheck>? Prepared { get; set; }

    public ContentsEntry ToEntry() => new(Start, End, Bytes, snapshots, Prepared);

    public void Dispose() => Hash.Dispose();
}
