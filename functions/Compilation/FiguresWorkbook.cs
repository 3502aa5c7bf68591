using System.Globalization;
using DanVan.Domain;
using DanVan.Figures;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace DanVan.Compilation;

/// <summary>
/// The figures' sheets of <c>TongHop.xlsx</c>: one per plan section that has indicators, a row per required unit
/// with its figures, then the province's total and each unit group's as formulas (SUM/SUMIF, COUNTIF/COUNTIFS for
/// yes/no), so a figure corrected in Excel recomputes the totals. Each formula carries its value as DanVan computed it.
/// </summary>
public static class FiguresWorkbook
{
    public const uint HeaderRow = 4;
    public const uint CodeRow = 5;
    public const uint FirstUnitRow = 6;

    /// <summary>The first column (0-based) that holds an indicator: after STT, đơn vị, nhóm, tình trạng số liệu.</summary>
    public const int FirstIndicatorColumn = 4;

    public static string SheetNameOf(int section) => $"Số liệu mục {section.ToString(CultureInfo.InvariantCulture)}";

    public static void AddSheets(WorkbookPart workbookPart, Sheets sheets, FigureTotals? figures)
    {
        if (figures is null)
        {
            return;
        }

        uint sheetId = 1;
        foreach (var section in figures.Set.BySection())
        {
            sheetId++;
            var id = $"rIdF{section.Key.ToString(CultureInfo.InvariantCulture)}";
            var part = workbookPart.AddNewPart<WorksheetPart>(id);
            part.Worksheet = Sheet(figures, section.Key, section.ToList());
            sheets.Append(new Sheet { Name = SheetNameOf(section.Key), SheetId = sheetId, Id = id });
        }
    }

    /// <summary>Excel recomputes every formula when the workbook opens (the cached values are DanVan's own).</summary>
    public static void RecalculateOnOpen(Workbook workbook, FigureTotals? figures)
    {
        if (figures is not null)
        {
            workbook.Append(new CalculationProperties { CalculationId = 191029U, FullCalculationOnLoad = true });
        }
    }

    private static Worksheet Sheet(FigureTotals figures, int section, IReadOnlyList<Indicator> indicators)
    {
        var heading = PlanSections.All.FirstOrDefault(s => s.Number == section)?.Heading ?? "";
        var rows = new List<Row>
        {
            Cells.TextRow(1, Cells.Bold, $"SỐ LIỆU MỤC {section.ToString(CultureInfo.InvariantCulture)}: {heading}"),
            Cells.TextRow(2, 0, $"Kỳ báo cáo: {figures.Period.Title} ({figures.Period.Id}); danh mục chỉ tiêu số {figures.Set.Version.ToString(CultureInfo.InvariantCulture)}."),
            Cells.TextRow(HeaderRow, Cells.Bold, [.. new[] { "STT", "Đơn vị", "Nhóm", "Tình trạng số liệu" }.Concat(indicators.Select(i => i.Unit.Length > 0 ? $"{i.Label} ({i.Unit})" : i.Label))]),
            Cells.TextRow(CodeRow, 0, [.. new[] { "", "Mã chỉ tiêu", "", "" }.Concat(indicators.Select(i => i.Code))]),
        };

        var r = FirstUnitRow - 1;
        var number = 0;
        foreach (var unit in figures.Units)
        {
            r++;
            number++;
            var cells = new List<Cell>
            {
                Cells.Number(r, 0, number),
                Cells.Text(r, 1, unit.UnitName),
                Cells.Text(r, 2, unit.Group),
                Cells.Text(r, 3, FigureStatuses.Label(unit.Status)),
            };
            for (var c = 0; c < indicators.Count; c++)
            {
                if (unit.Value(indicators[c].Code) is { } value)
                {
                    cells.Add(indicators[c].Type == IndicatorType.YesNo
                        ? Cells.Text(r, FirstIndicatorColumn + c, IndicatorText.Format(value, IndicatorType.YesNo))
                        : Cells.Number(r, FirstIndicatorColumn + c, value));
                }
            }

            rows.Add(new Row(cells) { RowIndex = r });
        }

        var last = Math.Max(FirstUnitRow, r);
        r = last + 2;
        rows.Add(TotalRow(r++, "Tổng cộng toàn tỉnh", null, indicators, figures, last));
        foreach (var group in figures.Groups)
        {
            rows.Add(TotalRow(r++, $"Nhóm: {group}", group, indicators, figures, last));
        }

        return new Worksheet(
            new Columns([Cells.Width(1, 6), Cells.Width(2, 45), Cells.Width(3, 24), Cells.Width(4, 18), .. indicators.Select((_, i) => Cells.Width((uint)(FirstIndicatorColumn + i + 1), 22))]),
            new SheetData(rows));
    }

    private static Row TotalRow(uint row, string label, string? group, IReadOnlyList<Indicator> indicators, FigureTotals figures, uint last)
    {
        var cells = new List<Cell> { Cells.Text(row, 1, label, Cells.Bold) };
        var groupRange = $"$C${FirstUnitRow.ToString(CultureInfo.InvariantCulture)}:$C${last.ToString(CultureInfo.InvariantCulture)}";
        var quotedGroup = group is null ? "" : "\"" + group.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        for (var c = 0; c < indicators.Count; c++)
        {
            var indicator = indicators[c];
            var column = Cells.Column(FirstIndicatorColumn + c);
            var range = $"{column}{FirstUnitRow.ToString(CultureInfo.InvariantCulture)}:{column}{last.ToString(CultureInfo.InvariantCulture)}";
            var total = figures[indicator.Code]!;
            var cached = (group is null ? total.Province : total.ByGroup[group]).Value;
            var formula = (indicator.Totaling, group) switch
            {
                (Totaling.Sum, null) => $"SUM({range})",
                (Totaling.Sum, _) => $"SUMIF({groupRange},{quotedGroup},{range})",
                (Totaling.CountYes, null) => $"COUNTIF({range},\"Có\")",
                (Totaling.CountYes, _) => $"COUNTIFS({groupRange},{quotedGroup},{range},\"Có\")",
                _ => null,
            };
            cells.Add(formula is null || cached is null
                ? Cells.Text(row, FirstIndicatorColumn + c, "–")
                : Cells.Formula(row, FirstIndicatorColumn + c, formula, cached.Value, Cells.Bold));
        }

        return new Row(cells) { RowIndex = row };
    }
}

/// <summary>The totals as the draft report says them, under the plan section they belong to.</summary>
public static class FiguresText
{
    public static IReadOnlyList<string> Sentences(FigureTotals? figures, int section)
    {
        if (figures is null || section == PlanSections.Other)
        {
            return [];
        }

        var referenced = figures.Referenced;
        var totals = figures.Indicators
            .Where(t => t.Indicator.Section == section && t.Province.Value is not null && t.Province.Answered > 0 && !referenced.Contains(t.Indicator.Code))
            .ToList();
        if (totals.Count == 0)
        {
            return [];
        }

        var entered = figures.Units.Count(u => u.Entry is not null);
        var lines = new List<string> { $"Số liệu tổng hợp từ {entered}/{figures.Units.Count} cơ quan, đơn vị đã nhập số liệu:" };
        foreach (var total in totals)
        {
            var sentence = figures.Sentence(total)!;
            var parts = figures.Groups
                .Where(g => total.ByGroup[g].Answered > 0)
                .Select(g => $"{g}: {IndicatorText.Format(total.ByGroup[g].Value!.Value)}")
                .ToList();
            lines.Add(parts.Count > 1 ? $"{sentence.TrimEnd('.')} (trong đó {string.Join("; ", parts)})." : sentence);
        }

        return lines;
    }
}
