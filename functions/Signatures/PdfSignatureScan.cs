using System.Security.Cryptography;

namespace DanVan.Signatures;

/// <summary>A <c>/ByteRange [a b c d]</c> array as written in the file.</summary>
public sealed record ByteRangeEntry(long Offset, long[] Values);

/// <summary>
/// A <c>/Contents &lt;hex&gt;</c> string: where it lies (<see cref="Start"/> is its <c>&lt;</c>, <see cref="End"/>
/// just after its <c>&gt;</c>), its bytes (null when longer than the bound), and the SHA-256 of the file
/// without it, taken at each place a revision of the file ends (keyed by that end offset).
/// </summary>
/// <param name="Prepared">The part of its check that needs no digest (the CMS read, the signer's signature, the time, the chain), begun when the string was read, when the scan was given a way to begin it.</param>
public sealed record ContentsEntry(long Start, long End, byte[]? Bytes, IReadOnlyDictionary<long, byte[]> Sha256WithoutThis, Task<CmsCheck>? Prepared = null);

/// <summary>
/// One pass over a PDF that finds what its signatures need, bounded: each <c>/ByteRange</c> array and each
/// <c>/Contents</c> hex string (the place of a CMS signature), and, so the common case needs no second read,
/// the SHA-256 of "the file with this hex string cut out" up to every <c>%%EOF</c> (where an incremental
/// update may end and a byte range read before it names) and the end. A signature whose byte range is exactly that (the gap is its hex string, the
/// second range ends at a revision's end) gets its digest from here; any other is hashed again by ranges.
/// Bytes are pushed in order with <see cref="Append"/>; a PDF's structure is text, so matching is on bytes.
/// </summary>
public sealed class PdfSignatureScan : IDisposable
{
    private static readonly byte[] ByteRangeKey = "/ByteRange"u8.ToArray();
    private static readonly byte[] ContentsKey = "/Contents"u8.ToArray();
    private static readonly byte[] EofKey = "%%EOF"u8.ToArray();

    private readonly int maxEntries;
    private readonly int maxContentsBytes;
    private readonly IncrementalHash running = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<Gap> gaps = [];
    private readonly List<ByteRangeEntry> ranges = [];
    private readonly HashSet<long> wantedEnds = [];  // where a byte range read so far says its signed part ends

    private long position;  // offset of the next byte pushed
    private long hashedTo;  // every hash has seen the file up to here (gaps excepted)

    private State state = State.Scan;
    private byte[]? keyword;   // the keyword being matched in State.Keyword
    private int matched;
    private long keywordStart;
    private readonly System.Text.StringBuilder arrayText = new();
    private int skipped;
    private Gap? open;         // the hex string being read
    private int pendingNibble = -1;
    private int eofTail;       // end-of-line bytes still counted as part of the %%EOF just seen

    private readonly Func<byte[], Task<CmsCheck>>? prepare;

    /// <param name="prepare">Begins the digest-independent check of a <c>/Contents</c> string's bytes as soon as it is read (at most <paramref name="maxEntries"/> of them), so it overlaps the rest of the file.</param>
    public PdfSignatureScan(int maxEntries, int maxContentsBytes, Func<byte[], Task<CmsCheck>>? prepare = null)
    {
        this.maxEntries = maxEntries;
        this.maxContentsBytes = maxContentsBytes;
        this.prepare = prepare;
    }

    /// <summary>More <c>/ByteRange</c> or <c>/Contents</c> strings than the bound: the file is not examined further.</summary>
    public bool TooMany { get; private set; }

    public long Length => position;

    public IReadOnlyList<ByteRangeEntry> ByteRanges => ranges;

    public IReadOnlyList<ContentsEntry> Contents => gaps.Select(g => g.ToEntry()).ToList();

    /// <summary>The SHA-256 of every byte appended so far: the scan's running hash sees the whole file.</summary>
    public byte[] FileSha256() => running.GetCurrentHash();

    private enum State
    {
        Scan,
        Keyword,
        ByteRangeArray,
        BeforeHex,
        Hex,
    }

    public void Append(ReadOnlySpan<byte> chunk)
    {
        var chunkStart = position;
        var i = 0;
        while (i < chunk.Length)
        {
            if (state == State.Scan)
            {
                if (eofTail > 0)
                {
                    // Up to two end-of-line bytes after %%EOF still belong to that revision.
                    if (chunk[i] is (byte)'\r' or (byte)'\n')
                    {
                        i++;
                        Snapshot(chunk, chunkStart, chunkStart + i);
                        eofTail--;
                        continue;
                    }

                    eofTail = 0;
                }

                var next = chunk[i..].IndexOfAny((byte)'/', (byte)'%');
                if (next < 0)
                {
                    break;
                }

                i += next;

                // Most '/' and '%' start neither name: "/B", "/C" and "%%" are the only beginnings worth matching.
                if (i + 1 < chunk.Length && !(chunk[i] == (byte)'/' ? chunk[i + 1] is (byte)'B' or (byte)'C' : chunk[i + 1] == (byte)'%'))
                {
                    i++;
                    continue;
                }

                keyword = chunk[i] == (byte)'%' ? EofKey : null;
                matched = 0;
                keywordStart = chunkStart + i;
                state = State.Keyword;
            }

            var c = chunk[i];
            switch (state)
            {
                case State.Keyword:
                    if (matched == 0)
                    {
                        matched = 1; // the '/' or '%' itself
                        i++;
                        continue;
                    }

                    // After '/', the second letter tells which of the two names it may be.
                    keyword ??= c == (byte)'B' ? ByteRangeKey : c == (byte)'C' ? ContentsKey : null;
                    if (keyword is not null && c == keyword[matched])
                    {
                        matched++;
                        i++;
                        if (matched == keyword.Length)
                        {
                            KeywordDone(chunk, chunkStart, chunkStart + i);
                        }

                        continue;
                    }

                    state = State.Scan;
                    continue; // this byte may itself start a name
                case State.ByteRangeArray:
                    i++;
                    if (c == (byte)']' || arrayText.Length > 200)
                    {
                        if (c == (byte)']')
                        {
                            AddByteRange();
                        }

                        state = State.Scan;
                    }
                    else
                    {
                        arrayText.Append((char)c);
                    }

                    continue;
                case State.BeforeHex:
                    if (IsWhite(c) && skipped++ < 16)
                    {
                        i++;
                        continue;
                    }

                    if (c == (byte)'<')
                    {
                        var at = chunkStart + i;
                        OpenGap(chunk, chunkStart, at);
                        i++;
                        state = State.Hex;
                        continue;
                    }

                    state = State.Scan;
                    continue;
                case State.Hex:
                    i++;
                    if (c == (byte)'>')
                    {
                        CloseGap(chunk, chunkStart, chunkStart + i);
                        state = State.Scan;
                    }
                    else
                    {
                        AddHex(c);
                    }

                    continue;
                default:
                    i++;
                    continue;
            }
        }

        position = chunkStart + chunk.Length;
        Feed(chunk, chunkStart, position);
    }

    /// <summary>The end of the file: the last snapshot of every digest.</summary>
    public void Complete()
    {
        if (state == State.Hex && open is not null)
        {
            // An unterminated hex string is no signature.
            gaps.Remove(open);
            open.Dispose();
            open = null;
        }

        foreach (var g in gaps)
        {
            g.Snapshot(position);
        }
    }

    private void KeywordDone(ReadOnlySpan<byte> chunk, long chunkStart, long end)
    {
        if (keyword == EofKey)
        {
            Snapshot(chunk, chunkStart, end);
            eofTail = 2;
            state = State.Scan;
        }
        else if (keyword == ByteRangeKey)
        {
            arrayText.Clear();
            state = State.ByteRangeArray;
        }
        else
        {
            skipped = 0;
            state = State.BeforeHex;
        }
    }

    private void AddByteRange()
    {
        var text = arrayText.ToString().Trim().TrimStart('[').Trim();
        var parts = text.Split([' ', '\r', '\n', '\t', '\f', '\0'], StringSplitOptions.RemoveEmptyEntries);
        var values = new List<long>();
        foreach (var p in parts)
        {
            values.Add(long.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1);
        }

        if (ranges.Count >= maxEntries)
        {
            TooMany = true;
            return;
        }

        ranges.Add(new ByteRangeEntry(keywordStart, values.ToArray()));
        if (values.Count == 4)
        {
            wantedEnds.Add(values[2] + values[3]);
        }
    }

    private void OpenGap(ReadOnlySpan<byte> chunk, long chunkStart, long at)
    {
        if (gaps.Count >= maxEntries)
        {
            TooMany = true;
            state = State.Scan;
            return;
        }

        Feed(chunk, chunkStart, at);
        open = new Gap(at, running.Clone(), maxContentsBytes);
        gaps.Add(open);
        pendingNibble = -1;
    }

    private void CloseGap(ReadOnlySpan<byte> chunk, long chunkStart, long end)
    {
        if (open is null)
        {
            return;
        }

        // Every hash but this gap's own sees the hex string.
        Feed(chunk, chunkStart, end);
        open.Close(end);
        if (prepare is not null && open.Bytes is { Length: > 0 } bytes)
        {
            open.Prepared = prepare(bytes);
        }

        open = null;
    }

    private void AddHex(byte c)
    {
        if (open is null)
        {
            return;
        }

        var nibble = c switch
        {
            >= (byte)'0' and <= (byte)'9' => c - '0',
            >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
            _ => -1,
        };
        if (nibble < 0)
        {
            if (!IsWhite(c))
            {
                open.Invalid = true;
            }

            return;
        }

        if (pendingNibble < 0)
        {
            pendingNibble = nibble;
            return;
        }

        open.Add((byte)((pendingNibble << 4) | nibble));
        pendingNibble = -1;
    }

    /// <summary>Brings every hash up to <paramref name="to"/> (an absolute offset inside the current chunk or its end).</summary>
    private void Feed(ReadOnlySpan<byte> chunk, long chunkStart, long to)
    {
        if (to <= hashedTo)
        {
            return;
        }

        var from = (int)(Math.Max(hashedTo, chunkStart) - chunkStart);
        var segment = chunk[from..(int)(to - chunkStart)];
        running.AppendData(segment);
        foreach (var g in gaps)
        {
            if (g.Closed)
            {
                g.Hash.AppendData(segment);
            }
        }

        hashedTo = to;
    }

    /// <summary>
    /// The digests at a place a revision may end, kept only where a byte range already read says a signed part ends
    /// (at most one per byte range): a file of a million <c>%%EOF</c> keeps no more than a signed one does.
    /// </summary>
    private void Snapshot(ReadOnlySpan<byte> chunk, long chunkStart, long at)
    {
        if (!wantedEnds.Contains(at))
        {
            return;
        }

        Feed(chunk, chunkStart, at);
        foreach (var g in gaps)
        {
            if (g.Closed)
            {
                g.Snapshot(at);
            }
        }
    }

    private static bool IsWhite(byte c) => c is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or (byte)'\f' or 0;

    public void Dispose()
    {
        running.Dispose();
        foreach (var g in gaps)
        {
            g.Dispose();
        }
    }

    private sealed class Gap(long start, IncrementalHash hash, int maxBytes) : IDisposable
    {
        private readonly MemoryStream bytes = new();
        private readonly Dictionary<long, byte[]> snapshots = [];

        public IncrementalHash Hash { get; } = hash;

        public long Start { get; } = start;

        public long End { get; private set; }

        public bool Closed { get; private set; }

        public bool Invalid { get; set; }

        private bool over;

        public void Add(byte b)
        {
            if (bytes.Length >= maxBytes)
            {
                over = true;
                return;
            }

            bytes.WriteByte(b);
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
                snapshots[at] = Hash.GetCurrentHash();
            }
        }

        /// <summary>The string's bytes once it is closed, or null (still open, over the bound, or not hex).</summary>
        public byte[]? Bytes { get; private set; }

        public Task<CmsCheck>? Prepared { get; set; }

        public ContentsEntry ToEntry() => new(Start, End, Bytes, snapshots, Prepared);

        public void Dispose() => Hash.Dispose();
    }
}
