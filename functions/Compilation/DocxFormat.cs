using System.Xml;

namespace DanVan.Compilation;

/// <summary>A paragraph style as the tree reader needs it (after following <c>w:basedOn</c>).</summary>
/// <param name="Heading">The outline level 0–8 of a heading style ("heading 1" is 0), or null.</param>
/// <param name="Title">A title or subtitle style: the report's title block, not a heading.</param>
public sealed record DocxStyle(int? Heading, bool Title, int? NumId, int NumLevel, bool Bold);

/// <summary>One level of an automatic numbering: its format (<c>decimal</c>, <c>upperRoman</c>, <c>lowerLetter</c>, <c>bullet</c> …), text (<c>%1.</c>) and start.</summary>
public sealed record DocxNumberLevel(string Format, string Text, int Start);

/// <summary>
/// The styles (<c>styles.xml</c>) and numbering definitions (<c>numbering.xml</c>) of a unit's DOCX: what Word shows
/// as "I.", "1.", "a)" before a paragraph that holds no such text, and which styles are headings.
/// </summary>
public sealed class DocxFormat
{
    private const int MaxBasedOn = 10;

    private readonly Dictionary<string, RawStyle> styles;
    private readonly Dictionary<int, (int Abstract, Dictionary<int, int> Starts)> nums;
    private readonly Dictionary<int, Dictionary<int, DocxNumberLevel>> abstracts;

    private DocxFormat(Dictionary<string, RawStyle> styles, Dictionary<int, (int, Dictionary<int, int>)> nums, Dictionary<int, Dictionary<int, DocxNumberLevel>> abstracts)
    {
        (this.styles, this.nums, this.abstracts) = (styles, nums, abstracts);
    }

    public static readonly DocxFormat Empty = new Builder().Build();

    /// <summary>The style with this id, its unset properties taken from the styles it is based on.</summary>
    public DocxStyle? Style(string? id)
    {
        if (id is null || !styles.TryGetValue(id, out var style))
        {
            return null;
        }

        var chain = new List<RawStyle> { style };
        while (chain.Count < MaxBasedOn && chain[^1].BasedOn is { } b && styles.TryGetValue(b, out var parent) && !chain.Contains(parent))
        {
            chain.Add(parent);
        }

        var name = style.Name.ToLowerInvariant();
        int? heading = name.StartsWith("heading ", StringComparison.Ordinal) && int.TryParse(name[8..], out var n) ? n - 1
            : chain.Select(s => s.OutlineLevel).FirstOrDefault(l => l is not null);
        var numbered = chain.FirstOrDefault(s => s.NumId is not null);
        return new DocxStyle(heading is >= 0 and < 9 ? heading : null, name is "title" or "subtitle",
            numbered?.NumId, numbered?.NumLevel ?? 0, chain.Select(s => s.Bold).FirstOrDefault(b => b is not null) ?? false);
    }

    /// <summary>The definition of level <paramref name="level"/> of numbering <paramref name="numId"/>, or null (0 means "no numbering").</summary>
    public DocxNumberLevel? Level(int numId, int level)
    {
        if (!nums.TryGetValue(numId, out var num) || !abstracts.TryGetValue(num.Abstract, out var levels) || !levels.TryGetValue(level, out var def))
        {
            return null;
        }

        return num.Starts.TryGetValue(level, out var start) ? def with { Start = start } : def;
    }

    /// <summary>The abstract numbering a numbering instance uses: instances of one abstract share their counters in Word.</summary>
    public int? AbstractOf(int numId) => nums.TryGetValue(numId, out var num) ? num.Abstract : null;

    private sealed record RawStyle(string Name, string? BasedOn, int? OutlineLevel, int? NumId, int NumLevel, bool? Bold);

    /// <summary>Collects the definitions from the parts' XML, streamed (no DOM).</summary>
    public sealed class Builder
    {
        private readonly Dictionary<string, RawStyle> styles = new(StringComparer.Ordinal);
        private readonly Dictionary<int, (int, Dictionary<int, int>)> nums = [];
        private readonly Dictionary<int, Dictionary<int, DocxNumberLevel>> abstracts = [];

        public DocxFormat Build() => new(styles, nums, abstracts);

        /// <summary>Reads one part: <paramref name="kind"/> is "styles" or "numbering".</summary>
        public void Read(XmlReader reader, string kind, Action<int> checkDepth)
        {
            string? styleId = null, name = null, basedOn = null, format = null, text = null;
            int? outline = null, numId = null, abstractId = null, level = null, start = null, overrideLevel = null;
            var numLevel = 0;
            bool? bold = null;
            var inRunProperties = false;
            while (reader.Read())
            {
                checkDepth(reader.Depth);
                if (reader.NodeType == XmlNodeType.EndElement)
                {
                    switch (reader.LocalName)
                    {
                        case "style" when styleId is not null:
                            styles.TryAdd(styleId, new RawStyle(name ?? styleId, basedOn, outline, numId, numLevel, bold));
                            (styleId, name, basedOn, outline, numId, numLevel, bold) = (null, null, null, null, null, 0, null);
                            break;
                        case "rPr":
                            inRunProperties = false;
                            break;
                        case "lvl" when abstractId is not null && level is not null && numId is null:
                            abstracts.TryGetValue(abstractId.Value, out var levels);
                            if (levels is null)
                            {
                                abstracts[abstractId.Value] = levels = [];
                            }

                            levels.TryAdd(level.Value, new DocxNumberLevel(format ?? "decimal", text ?? "", start ?? 1));
                            (level, format, text, start) = (null, null, null, null);
                            break;
                        case "lvlOverride":
                            overrideLevel = null;
                            break;
                        case "abstractNum":
                            abstractId = null;
                            break;
                        case "num":
                            (numId, abstractId) = (null, null);
                            break;
                    }

                    continue;
                }

                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                var val = reader.GetAttribute("val", reader.NamespaceURI);
                switch (kind, reader.LocalName)
                {
                    case ("styles", "style") when reader.GetAttribute("type", reader.NamespaceURI) is null or "paragraph":
                        styleId = reader.GetAttribute("styleId", reader.NamespaceURI);
                        break;
                    case ("styles", "name"):
                        name = val;
                        break;
                    case ("styles", "basedOn"):
                        basedOn = val;
                        break;
                    case ("styles", "outlineLvl"):
                        outline = ReportText.Number(val);
                        break;
                    case ("styles", "numId"):
                        numId = ReportText.Number(val);
                        break;
                    case ("styles", "ilvl"):
                        numLevel = ReportText.Number(val) ?? 0;
                        break;
                    case ("styles", "rPr"):
                        inRunProperties = !reader.IsEmptyElement;
                        break;
                    case ("styles", "b") when inRunProperties && styleId is not null:
                        bold = ReportText.IsOn(val);
                        break;
                    case ("numbering", "abstractNum"):
                        abstractId = ReportText.Number(reader.GetAttribute("abstractNumId", reader.NamespaceURI));
                        break;
                    case ("numbering", "num"):
                        numId = ReportText.Number(reader.GetAttribute("numId", reader.NamespaceURI));
                        break;
                    case ("numbering", "abstractNumId") when numId is not null && ReportText.Number(val) is { } a:
                        nums.TryAdd(numId.Value, (a, []));
                        break;
                    case ("numbering", "lvlOverride") when numId is not null:
                        overrideLevel = ReportText.Number(reader.GetAttribute("ilvl", reader.NamespaceURI));
                        break;
                    case ("numbering", "startOverride") when numId is not null && overrideLevel is not null && nums.TryGetValue(numId.Value, out var num) && ReportText.Number(val) is { } s:
                        num.Item2[overrideLevel.Value] = s;
                        break;
                    case ("numbering", "lvl") when abstractId is not null && numId is null:
                        level = ReportText.Number(reader.GetAttribute("ilvl", reader.NamespaceURI));
                        break;
                    case ("numbering", "numFmt") when level is not null:
                        format = val;
                        break;
                    case ("numbering", "lvlText") when level is not null:
                        text = val;
                        break;
                    case ("numbering", "start") when level is not null:
                        start = ReportText.Number(val);
                        break;
                }
            }
        }
    }
}
