using DanVan.Reading;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Tokens;

namespace DanVan.Compilation;

/// <summary>
/// What is checked of a unit's PDF before PdfPig parses the part it concerns, for the two things the decode budget
/// (<see cref="PdfDecodeBudget"/>) never sees because nothing is decoded: an object stream's declared count of
/// objects (PdfPig lists that many before it reads one, whatever the stream holds) and a page's content streams
/// stored without a filter (parsed as they lie in the file).
/// </summary>
internal static class PdfPreflight
{
    /// <summary>The most objects one object stream may declare (writers put a few hundred in each).</summary>
    public const int MaxObjectsPerStream = 100_000;

    private static readonly NameToken Pages = NameToken.Create("Pages");
    private static readonly NameToken Kids = NameToken.Create("Kids");
    private static readonly NameToken Contents = NameToken.Create("Contents");
    private static readonly NameToken Filter = NameToken.Create("Filter");

    /// <summary>
    /// One pass over the file's bytes: any <c>/N</c> followed by a number larger than <see cref="MaxObjectsPerStream"/>
    /// is refused (an object stream's dictionary is never itself compressed, so this sees every one).
    /// </summary>
    public static void Check(ReadOnlySpan<byte> pdf)
    {
        var at = 0;
        while ((at = pdf[at..].IndexOf("/N"u8) is var i and >= 0 ? at + i + 2 : -1) >= 0)
        {
            var rest = pdf[at..];
            var skip = 0;
            while (skip < rest.Length && rest[skip] is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or (byte)'\f' or 0)
            {
                skip++;
            }

            if (skip == rest.Length || rest[skip] is < (byte)'0' or > (byte)'9')
            {
                continue;
            }

            long value = 0;
            for (var d = skip; d < rest.Length && rest[d] is >= (byte)'0' and <= (byte)'9' && value <= MaxObjectsPerStream; d++)
            {
                value = value * 10 + (rest[d] - '0');
            }

            if (value > MaxObjectsPerStream)
            {
                throw new ReadLimitException($"một luồng đối tượng khai báo hơn {ReadBudget.Count(MaxObjectsPerStream)} đối tượng");
            }
        }
    }

    /// <summary>
    /// Every page of the page tree (walked once, each node at most once): the content streams it names that have no
    /// filter may hold at most <see cref="ReportLimits.MaxPageDecodedBytes"/> together.
    /// </summary>
    public static void CheckPages(PdfDocument document, ReportLimits limits)
    {
        var seen = new HashSet<(long, int)>();
        var pending = new Stack<IToken>();
        if (document.Structure.Catalog.CatalogDictionary.TryGet(Pages, out var root))
        {
            pending.Push(root);
        }

        var nodes = 0;
        while (pending.TryPop(out var token))
        {
            if (token is IndirectReferenceToken reference && !seen.Add((reference.Data.ObjectNumber, reference.Data.Generation)))
            {
                continue;
            }

            if (++nodes > 2 * limits.MaxPages + 100)
            {
                throw new ReadLimitException($"cây trang có hơn {ReadBudget.Count(2 * limits.MaxPages + 100)} nút");
            }

            if (Resolve(document, token) is not DictionaryToken node)
            {
                continue;
            }

            if (node.TryGet(Kids, out var kids) && Resolve(document, kids) is ArrayToken children)
            {
                foreach (var child in children.Data)
                {
                    pending.Push(child);
                }
            }
            else if (node.TryGet(Contents, out var contents))
            {
                var raw = Resolve(document, contents) switch
                {
                    StreamToken stream => Unfiltered(stream),
                    ArrayToken streams => streams.Data.Sum(s => Resolve(document, s) is StreamToken stream ? Unfiltered(stream) : 0),
                    _ => 0,
                };
                if (raw > limits.MaxPageDecodedBytes)
                {
                    throw new ReadLimitException($"nội dung một trang không nén lớn hơn {ReadBudget.Megabytes(limits.MaxPageDecodedBytes)}");
                }
            }
        }
    }

    private static long Unfiltered(StreamToken stream) => stream.StreamDictionary.ContainsKey(Filter) ? 0 : stream.Data.Length;

    private static IToken? Resolve(PdfDocument document, IToken token) =>
        token is IndirectReferenceToken reference ? document.Structure.GetObject(reference.Data)?.Data : token;
}
