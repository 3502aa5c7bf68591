using DanVan.Reading;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Tokens;

namespace DanVan.Compilation;

/// <summary>
/// What is checked of a unit's PDF before PdfPig parses the part it concerns: an object stream's declared count of
/// objects (PdfPig lists that many before it reads one, whatever the stream holds, compressed or not), and what each
/// page's text is drawn from (PdfPig holds every operator and letter of a page at once, a few hundred bytes for each
/// byte of content; a stream stored without a filter is parsed as it lies in the file, past any decode bound).
/// </summary>
internal static class PdfPreflight
{
    /// <summary>The most objects one object stream may declare (writers put a few hundred in each).</summary>
    public const int MaxObjectsPerStream = 100_000;

    private static readonly NameToken Pages = NameToken.Create("Pages");
    private static readonly NameToken Kids = NameToken.Create("Kids");
    private static readonly NameToken Contents = NameToken.Create("Contents");
    private static readonly NameToken ResourcesName = NameToken.Create("Resources");
    private static readonly NameToken XObject = NameToken.Create("XObject");
    private static readonly NameToken Subtype = NameToken.Create("Subtype");

    /// <summary>
    /// Before PdfPig opens the file: any <c>/N</c> followed by a number larger than <see cref="MaxObjectsPerStream"/>
    /// is refused (an object stream's dictionary is never itself compressed, so this sees every one), and so is a file of
    /// more than <see cref="ReportLimits.MaxObjects"/> indirect objects (<see cref="CountObjects"/>). Each is one pass over the bytes.
    /// </summary>
    public static void Check(ReadOnlySpan<byte> pdf, ReportLimits limits)
    {
        if (CountObjects(pdf, limits.MaxObjects) > limits.MaxObjects)
        {
            throw new ReadLimitException($"hơn {ReadBudget.Count(limits.MaxObjects)} đối tượng");
        }

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
    /// How many <c>obj</c> keywords stand in the bytes as an object's opening does (after white space, before a delimiter;
    /// <c>endobj</c> is not one), counting stopped past <paramref name="max"/>. Objects in object streams are counted by
    /// their own bound (<see cref="MaxObjectsPerStream"/> and the decode budget).
    /// </summary>
    private static long CountObjects(ReadOnlySpan<byte> pdf, int max)
    {
        long count = 0;
        var at = 0;
        while (count <= max && (at = pdf[at..].IndexOf("obj"u8) is var i and >= 0 ? at + i : -1) >= 0)
        {
            if (at > 0 && IsWhite(pdf[at - 1]) && (at + 3 == pdf.Length || IsDelimiter(pdf[at + 3])))
            {
                count++;
            }

            at += 3;
        }

        return count;
    }

    private static bool IsWhite(byte b) => b is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or (byte)'\f' or 0;

    /// <summary>
    /// Every page of the page tree (walked once, each node at most once), before PdfPig parses any: what its text may
    /// be drawn from — its content streams decoded, plus each form they draw as many times as they draw one (a form's
    /// own cost counting the forms it draws, three levels deep at most) — is at most <see cref="ReportLimits.MaxPageContentBytes"/>.
    /// The streams are decoded through the bounded filters, so no stream is decoded past its own bound to find out.
    /// </summary>
    public static void CheckPages(PdfDocument document, ReportLimits limits, PdfDecodeBudget filters)
    {
        var seen = new HashSet<(long, int)>();
        var pending = new Stack<(IToken Node, IToken? Resources)>();
        if (document.Structure.Catalog.CatalogDictionary.TryGet(Pages, out var root))
        {
            pending.Push((root, null));
        }

        var nodes = 0;
        var costs = new Dictionary<(long, int), long>();
        while (pending.TryPop(out var item))
        {
            if (item.Node is IndirectReferenceToken reference && !seen.Add((reference.Data.ObjectNumber, reference.Data.Generation)))
            {
                continue;
            }

            if (++nodes > 2 * limits.MaxPages + 100)
            {
                throw new ReadLimitException($"cây trang có hơn {ReadBudget.Count(2 * limits.MaxPages + 100)} nút");
            }

            if (Resolve(document, item.Node) is not DictionaryToken node)
            {
                continue;
            }

            // Resources are inherited down the page tree.
            var resources = node.TryGet(ResourcesName, out var own) ? own : item.Resources;
            if (node.TryGet(Kids, out var kids) && Resolve(document, kids) is ArrayToken children)
            {
                foreach (var child in children.Data)
                {
                    pending.Push((child, resources));
                }
            }
            else if (node.TryGet(Contents, out var contents))
            {
                var streams = Resolve(document, contents) switch
                {
                    StreamToken stream => [stream],
                    ArrayToken array => array.Data.Select(s => Resolve(document, s)).OfType<StreamToken>().ToList(),
                    _ => new List<StreamToken>(),
                };
                var cost = Cost(document, streams, resources, limits, filters, costs, depth: 0);
                if (cost > limits.MaxPageContentBytes)
                {
                    throw new ReadLimitException($"nội dung một trang lớn hơn {ReadBudget.Megabytes(limits.MaxPageContentBytes)}");
                }
            }
        }
    }

    /// <summary>The bytes of <paramref name="streams"/> decoded, plus, for each <c>Do</c> in them, the costliest form of <paramref name="resources"/>.</summary>
    private static long Cost(PdfDocument document, IReadOnlyList<StreamToken> streams, IToken? resources, ReportLimits limits, PdfDecodeBudget filters, Dictionary<(long, int), long> costs, int depth)
    {
        long size = 0, draws = 0;
        foreach (var stream in streams)
        {
            var decoded = stream.Decode(filters);
            size += decoded.Length;
            draws += Draws(decoded.Span);
            if (size > limits.MaxPageContentBytes)
            {
                return size;
            }
        }

        if (draws == 0)
        {
            return size;
        }

        if (depth >= 3)
        {
            throw new ReadLimitException("các biểu mẫu (form XObject) lồng nhau quá 3 cấp");
        }

        long costliest = 0;
        if (Resolve(document, resources) is DictionaryToken dictionary && dictionary.TryGet(XObject, out var xobjects) && Resolve(document, xobjects) is DictionaryToken named)
        {
            foreach (var value in named.Data.Values)
            {
                var key = value is IndirectReferenceToken r ? (r.Data.ObjectNumber, r.Data.Generation) : ((long, int)?)null;
                if (key is { } k && costs.TryGetValue(k, out var known))
                {
                    costliest = Math.Max(costliest, known);
                    continue;
                }

                if (Resolve(document, value) is StreamToken form && form.StreamDictionary.TryGet(Subtype, out var subtype) && subtype is NameToken { Data: "Form" })
                {
                    form.StreamDictionary.TryGet(ResourcesName, out var formResources);
                    var cost = Cost(document, [form], formResources ?? resources, limits, filters, costs, depth + 1);
                    if (key is { } known2)
                    {
                        costs[known2] = cost;
                    }

                    costliest = Math.Max(costliest, cost);
                }
            }
        }

        return size + draws * costliest;
    }

    /// <summary>How many <c>Do</c> operators the content holds (the two letters between delimiters).</summary>
    private static long Draws(ReadOnlySpan<byte> content)
    {
        long count = 0;
        var at = 0;
        while ((at = content[at..].IndexOf("Do"u8) is var i and >= 0 ? at + i : -1) >= 0)
        {
            if ((at == 0 || IsDelimiter(content[at - 1])) && (at + 2 == content.Length || IsDelimiter(content[at + 2])))
            {
                count++;
            }

            at += 2;
        }

        return count;
    }

    private static bool IsDelimiter(byte b) => b is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or (byte)'\f' or 0 or (byte)'/' or (byte)'[' or (byte)']' or (byte)'<' or (byte)'>' or (byte)'(' or (byte)')';

    private static IToken? Resolve(PdfDocument document, IToken? token) =>
        token is IndirectReferenceToken reference ? document.Structure.GetObject(reference.Data)?.Data : token;
}
