using System.Text;
using DanVan.Domain;
using DanVan.Reading;

namespace DanVan.Registry;

/// <summary>
/// A registry CSV as Excel writes it: UTF-8 with or without BOM, ',' or ';' (a Vietnamese locale) as delimiter, RFC 4180
/// quoting; bounded as it is read (a field's characters, a line's fields, the rows).
/// </summary>
internal static class UnitCsv
{
    /// <summary>The file's records, each a list of fields; none for an empty file.</summary>
    public static List<List<string>> Records(byte[] body)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            throw UnitFileReader.Unreadable(RefusalCodes.InvalidEncoding, "Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: \"CSV UTF-8 (Comma delimited)\").");
        }

        text = text.TrimStart('\uFEFF');
        return ParseCsv(text, DelimiterOf(text)).ToList();
    }

    /// <summary>';' when the header line has more of them than ',' outside quotes (Excel in a Vietnamese locale), else ','.</summary>
    private static char DelimiterOf(string text)
    {
        int commas = 0, semicolons = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\r' or '\n')
            {
                break;
            }
            else if (!quoted && c == ',')
            {
                commas++;
            }
            else if (!quoted && c == ';')
            {
                semicolons++;
            }
        }

        return semicolons > commas ? ';' : ',';
    }

    /// <summary>
    /// RFC 4180: quoted fields may hold the delimiter, line breaks and doubled quotes. A field is at most
    /// <see cref="UnitFileReader.MaxCellChars"/> characters (as a workbook cell) and a line at most <see cref="SheetXml.MaxCellsPerRow"/>
    /// fields, checked as they grow, so a hostile field stops the read where it crosses the bound.
    /// </summary>
    private static IEnumerable<List<string>> ParseCsv(string text, char delimiter)
    {
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (field.Length > UnitFileReader.MaxCellChars)
            {
                throw UnitFileReader.Unreadable(RefusalCodes.InvalidCsv, $"Một ô của tệp CSV dài hơn {ReadBudget.Count(UnitFileReader.MaxCellChars)} ký tự.");
            }

            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                row.Add(field.ToString());
                field.Clear();
                if (row.Count >= SheetXml.MaxCellsPerRow)
                {
                    throw UnitFileReader.Unreadable(RefusalCodes.InvalidCsv, $"Một dòng của tệp CSV có hơn {ReadBudget.Count(SheetXml.MaxCellsPerRow)} ô.");
                }
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(field.ToString());
                field.Clear();
                if (++count > UnitFileReader.MaxRows + 1)
                {
                    throw UnitFileReader.TooManyRows();
                }

                yield return row;
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            yield return row;
        }
    }
}
