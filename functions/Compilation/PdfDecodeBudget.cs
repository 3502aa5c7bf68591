using System.IO.Compression;
using DanVan.Reading;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;

namespace DanVan.Compilation;

/// <summary>
/// The filters PdfPig decodes a unit's PDF with, bounded: every stream PdfPig decodes (content, forms, fonts, maps,
/// object and cross-reference streams) passes through here, and what it would decode to is known before it is
/// decoded — a Flate stream is inflated once into nothing, counted, and refused past the bound; the other filters by
/// their largest ratio. Counted per stream (<see cref="ReportLimits.MaxStreamDecodedBytes"/>) and for the whole file
/// (<see cref="ReportLimits.MaxInflatedBytes"/>); object streams, whose objects PdfPig keeps for the whole read, are
/// bounded together by the per-stream bound and by the objects they declare. What a page's text is drawn from is
/// bounded more tightly before the page is parsed (<see cref="PdfPreflight"/>). The first bound reached is kept in <see cref="Breach"/>:
/// PdfPig catches some exceptions on its own, so the reader asks here whether a bound was reached, and every decode
/// after it is refused.
/// </summary>
internal sealed class PdfDecodeBudget(ReportLimits limits, ReadBudget budget) : IFilterProvider
{
    /// <summary>Objects one file's object streams may declare together (a 100-page report has a few thousand).</summary>
    private const int MaxStreamObjects = 100_000;

    /// <summary>Largest output of one input byte for the filters that are not inflated to be measured.</summary>
    private const long RunLengthRatio = 64;
    private const long Ascii85Ratio = 4;

    /// <summary>Input these filters may have (they are for images, which text extraction does not decode; a content stream marked with one is refused past this).</summary>
    private const int MaxUnmeasuredInput = 64 * 1024;

    private static readonly NameToken N = NameToken.Create("N");
    private static readonly NameToken First = NameToken.Create("First");

    private readonly IFilterProvider inner = DefaultFilterProvider.Instance;
    private readonly Allowance document = budget.Allow(limits.MaxInflatedBytes, max => $"nội dung giải nén lớn hơn {ReadBudget.Megabytes(max)}");
    private long objects;
    private long objectStreamBytes;

    /// <summary>The first bound reached, in Vietnamese; null while none was.</summary>
    public string? Breach { get; private set; }

    public ReadBudget Budget => budget;

    private long MaxPerStream => limits.MaxStreamDecodedBytes;

    /// <summary>Charges bytes one filter is about to decode to the stream's bound and the file's.</summary>
    public void Spend(long bytes)
    {
        if (Breach is { } breach)
        {
            throw new ReadLimitException(breach);
        }

        try
        {
            budget.CheckTime();
            if (bytes > MaxPerStream)
            {
                throw new ReadLimitException($"một luồng dữ liệu giải nén lớn hơn {ReadBudget.Megabytes(MaxPerStream)}");
            }

            document.Spend(bytes);
        }
        catch (ReadLimitException ex)
        {
            Breach ??= ex.Reason;
            throw;
        }
    }

    public IReadOnlyList<IFilter> GetFilters(DictionaryToken dictionary) => Wrap(inner.GetFilters(dictionary));

    public IReadOnlyList<IFilter> GetNamedFilters(IReadOnlyList<NameToken> names) => Wrap(inner.GetNamedFilters(names));

    public IReadOnlyList<IFilter> GetAllFilters() => Wrap(inner.GetAllFilters());

    private List<IFilter> Wrap(IReadOnlyList<IFilter> filters) => filters.Select(f => (IFilter)new Bounded(f, this)).ToList();

    /// <summary>An object stream (PdfPig reads any stream with /N and /First as one) declares how many objects it holds.</summary>
    private void CheckObjectStream(DictionaryToken dictionary, long decoded)
    {
        if (dictionary.TryGet(N, out var n) && n is NumericToken count && dictionary.ContainsKey(First))
        {
            // Each object takes at least its number and offset ("1 0 ") in the stream.
            if (count.Double < 0 || count.Double > decoded / 4.0 + 1 || (objects += (long)count.Double) > MaxStreamObjects)
            {
                Refuse($"các luồng đối tượng khai báo hơn {ReadBudget.Count(MaxStreamObjects)} đối tượng hoặc nhiều hơn dữ liệu của chúng");
            }

            if ((objectStreamBytes += decoded) > MaxPerStream)
            {
                Refuse($"các luồng đối tượng giải nén lớn hơn {ReadBudget.Megabytes(MaxPerStream)}");
            }
        }
    }

    private void Refuse(string reason)
    {
        Breach ??= reason;
        throw new ReadLimitException(reason);
    }

    /// <summary>What a Flate stream inflates to, counted without keeping it; stops one byte past <paramref name="max"/>. Corrupt data counts what came out before it.</summary>
    private static long Inflated(ReadOnlyMemory<byte> input, long max)
    {
        if (input.Length < 2)
        {
            return 0;
        }

        // As PdfPig does: the two bytes of the zlib header skipped, the raw deflate data inflated.
        using var source = new MemoryStream(input[2..].ToArray(), writable: false);
        using var inflate = new DeflateStream(source, CompressionMode.Decompress);
        var scratch = new byte[64 * 1024];
        long total = 0;
        try
        {
            int read;
            while (total <= max && (read = inflate.Read(scratch)) > 0)
            {
                total += read;
            }
        }
        catch (InvalidDataException)
        {
            // PdfPig keeps the input of a stream it cannot inflate.
            return Math.Max(total, input.Length);
        }

        return total;
    }

    private sealed class Bounded(IFilter filter, PdfDecodeBudget owner) : IFilter
    {
        public bool IsSupported => filter.IsSupported;

        public Memory<byte> Decode(Memory<byte> input, DictionaryToken streamDictionary, IFilterProvider filterProvider, int filterIndex)
        {
            var max = owner.MaxPerStream;
            long bound = filter switch
            {
                FlateFilter => Inflated(input, max),
                AsciiHexDecodeFilter => input.Length / 2 + 1,
                Ascii85Filter => input.Length * Ascii85Ratio,
                RunLengthFilter => input.Length * RunLengthRatio,
                _ when input.Length <= MaxUnmeasuredInput => -1,
                _ => max + 1,
            };
            if (bound >= 0)
            {
                owner.Spend(bound);
            }

            var output = filter.Decode(input, streamDictionary, filterProvider, filterIndex);
            if (bound < 0)
            {
                owner.Spend(output.Length);
            }

            owner.CheckObjectStream(streamDictionary, output.Length);
            return output;
        }
    }
}
