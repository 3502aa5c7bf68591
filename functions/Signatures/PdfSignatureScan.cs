using DanVan.Reading;

namespace DanVan.Signatures;

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
    private readonly ContentHash running = new();
    private readonly List<SignatureGap> gaps = [];
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
    private SignatureGap? open;         // the hex string being read
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
    public byte[] FileSha256() => running.Current();

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
                        open?.AddHex(c);
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
        if (ranges.Count >= maxEntries)
        {
            TooMany = true;
            return;
        }

        var range = ByteRangeEntry.Parse(keywordStart, arrayText.ToString());
        ranges.Add(range);
        if (range.Values.Length == 4)
        {
            wantedEnds.Add(range.Values[2] + range.Values[3]);
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
        open = new SignatureGap(at, running.Clone(), maxContentsBytes);
        gaps.Add(open);
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

    /// <summary>Brings every hash up to <paramref name="to"/> (an absolute offset inside the current chunk or its end).</summary>
    private void Feed(ReadOnlySpan<byte> chunk, long chunkStart, long to)
    {
        if (to <= hashedTo)
        {
            return;
        }

        var from = (int)(Math.Max(hashedTo, chunkStart) - chunkStart);
        var segment = chunk[from..(int)(to - chunkStart)];
        running.Append(segment);
        foreach (var g in gaps)
        {
            if (g.Closed)
            {
                g.Hash.Append(segment);
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
}
