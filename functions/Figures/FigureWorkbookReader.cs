using System.Xml;
using DanVan.Domain;
using DanVan.Reading;

namespace DanVan.Figures;

/// <summary>What a filled-in template says: whose and which it is, and the cells of its entry sheet.</summary>
public sealed record TemplateReading(string PeriodId, string UnitCode, int DefinitionsVersion, IReadOnlyDictionary<string, RawFigure> Cells)
{
    public RawFigure this[string reference] => Cells.TryGetValue(reference, out var cell) ? cell : RawFigure.Empty;
}

/// <summary>
/// Reads a workbook a unit sent back through the one bounded package reader (<see cref="BoundedPackage"/>: entries,
/// directory, bytes inflated, markup tokens, names), with a plain XML reader: no part is loaded whole and nothing in
/// the file is run. It is linear in what it reads: a cell's or shared string's text runs are joined in one builder,
/// counted against a cell's bound as they come, and the sheets are read in the order that lets a file that is no
/// template stop first (the identity sheet, then the entry sheet, then the others only for formulas). The whole read
/// runs on a thread of its own and the request waits for it at most <see cref="MaxTime"/>. A workbook with macros,
/// or with a formula in any cell, is refused: figures must be the figures typed, not something computed on the unit's machine.
/// </summary>
public static class FigureWorkbookReader
{
    public const long MaxBytes = 2L * 1024 * 1024;

    /// <summary>Excel's own limit on a cell's text.</summary>
    public const int MaxCellChars = 32_767;

    private const int MaxSharedStrings = 100_000;
    private const int MaxCells = 200_000;

    public static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(10);

    public static TemplateReading Read(byte[] workbook) =>
        BoundedRun.Run(token => ReadHere(workbook, token), MaxTime, () => throw FiguresProblems.InvalidWorkbook(ReadBudget.TooSlow(MaxTime)), CancellationToken.None);

    private static TemplateReading ReadHere(byte[] workbook, CancellationToken ct)
    {
        try
        {
            using var package = BoundedPackage.Open(new MemoryStream(workbook, writable: false), PackageLimits.Workbook, new ReadBudget(MaxTime, ct));
            return Read(package);
        }
        catch (ReadLimitException ex)
        {
            throw FiguresProblems.InvalidWorkbook($"bảng tính quá lớn ({ex.Reason})");
        }
        catch (InvalidDataException)
        {
            throw FiguresProblems.InvalidWorkbook("tệp không phải là một bảng tính XLSX đọc được");
        }
        catch (XmlException)
        {
            throw FiguresProblems.InvalidWorkbook("nội dung bảng tính bị hỏng");
        }
    }

    private static TemplateReading Read(BoundedPackage package)
    {
        if (!package.Has("[Content_Types].xml"))
        {
            throw FiguresProblems.InvalidWorkbook("thiếu [Content_Types].xml");
        }

        if (package.HasMacros())
        {
            throw FiguresProblems.WorkbookHasMacros();
        }

        var workbook = WorkbookParts.Find(package) ?? throw FiguresProblems.InvalidWorkbook("thiếu xl/workbook.xml");
        var cells = package.Budget.Allow(MaxCells, max => $"hơn {ReadBudget.Count(max)} ô");

        // The identity sheet first: a workbook that is no template stops here, before any other sheet is read.
        var identityPart = workbook.Sheets.FirstOrDefault(w => w.Name == FigureTemplate.IdentitySheetName)?.Part;
        var entryPart = workbook.Sheets.FirstOrDefault(w => w.Name == FigureTemplate.SheetName)?.Part;
        var identity = identityPart is null ? null : Cells(package, identityPart, cells, keep: true);
        if (identity is null || Text(identity, "A1") != FigureTemplate.Marker || entryPart is null)
        {
            throw FiguresProblems.NotATemplate();
        }

        var entrySheet = Cells(package, entryPart, cells, keep: true)!;

        // Every other worksheet is scanned for formulas, not only the two DanVan reads; nothing of them is kept.
        foreach (var part in workbook.Sheets.Select(w => w.Part).OfType<string>().Where(p => p != identityPart && p != entryPart).Distinct())
        {
            Cells(package, part, cells, keep: false);
        }

        var shared = workbook.SharedStrings is { } sharedPart ? SheetXml.SharedStrings(package, sharedPart, MaxSharedStrings, MaxCellChars) : [];
        var figures = entrySheet.ToDictionary(kv => kv.Key, kv => ToFigure(kv.Value, shared), StringComparer.Ordinal);
        if (!int.TryParse(Text(identity, "B4"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
        {
            throw FiguresProblems.NotATemplate();
        }

        return new TemplateReading(Text(identity, "B2") ?? "", Text(identity, "B3") ?? "", version, figures);
    }

    private static string? Text(Dictionary<string, SheetXml.Cell> sheet, string reference) =>
        sheet.TryGetValue(reference, out var c) ? c.Inline ?? c.Value : null;

    private static RawFigure ToFigure(SheetXml.Cell cell, IReadOnlyList<string> shared) => cell.Type switch
    {
        null or "n" => decimal.TryParse(cell.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) ? new RawFigure(n, null, null) : new RawFigure(null, null, cell.Value),
        "b" => new RawFigure(null, cell.Value == "1", null),
        "s" => int.TryParse(cell.Value, out var i) && i >= 0 && i < shared.Count ? new RawFigure(null, null, shared[i]) : RawFigure.Empty,
        "inlineStr" => new RawFigure(null, null, cell.Inline),
        _ => new RawFigure(null, null, cell.Value ?? "#"),
    };

    /// <summary>The cells of one worksheet by reference (kept only when <paramref name="keep"/>), refusing a formula anywhere.</summary>
    private static Dictionary<string, SheetXml.Cell>? Cells(BoundedPackage package, string part, Allowance count, bool keep)
    {
        var cells = keep ? new Dictionary<string, SheetXml.Cell>(StringComparer.Ordinal) : null;
        foreach (var row in SheetXml.Rows(package, part, MaxCellChars))
        {
            foreach (var cell in row.Cells)
            {
                if (cell.Formula)
                {
                    throw FiguresProblems.WorkbookHasFormulas();
                }

                if (cell.Reference is { } reference)
                {
                    count.Spend(1);
                    if (cells is not null)
                    {
                        cells[reference] = cell;
                    }
                }
            }
        }

        return cells;
    }
}
