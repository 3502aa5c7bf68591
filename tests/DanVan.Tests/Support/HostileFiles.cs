using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace DanVan.Tests.Support;

/// <summary>
/// Files a hostile or clumsy unit could send, made in the test at any size: PDFs whose one page's content stream or
/// object stream inflates far past its size on disk, workbooks with a cell made of many text runs, ZIPs with many
/// entries. Never checked-in binaries.
/// </summary>
public static class HostileFiles
{
    /// <summary>A one-page PDF (Helvetica, no font program) whose page content is <paramref name="operators"/> text-showing operators, Flate-compressed.</summary>
    public static byte[] PdfWithTextOperators(int operators)
    {
        var content = new StringBuilder("BT /F1 10 Tf\n");
        for (var i = 0; i < operators; i++)
        {
            content.Append(CultureInfo.InvariantCulture, $"1 0 0 1 {40 + i % 7 * 70} {800 - i / 7 % 75 * 10} Tm (chu {i % 1000:D3}) Tj\n");
        }

        content.Append("ET");
        return PagePdf(Flate(Encoding.ASCII.GetBytes(content.ToString())));
    }

    /// <summary>A PDF of some tens of KB whose one page's content stream inflates to <paramref name="inflatedBytes"/> of text operators (the issue's first finding).</summary>
    public static byte[] PdfContentBomb(long inflatedBytes)
    {
        var line = Encoding.ASCII.GetBytes("1 0 0 1 56 700 Tm (Noi dung lap lai de phinh to) Tj\n");
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write("BT /F1 10 Tf\n"u8);
            for (long written = 0; written < inflatedBytes; written += line.Length)
            {
                z.Write(line);
            }

            z.Write("ET"u8);
        }

        return PagePdf(compressed.ToArray());
    }

    /// <summary>One page whose content is a single string of <paramref name="letters"/> letters: as many letters as a page's content budget allows.</summary>
    public static byte[] PdfOfOneLongString(int letters)
    {
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write("BT /F1 10 Tf 1 0 0 1 56 700 Tm ("u8);
            var chunk = Encoding.ASCII.GetBytes(new string('a', 4096));
            for (var written = 0; written < letters; written += chunk.Length)
            {
                z.Write(chunk, 0, Math.Min(chunk.Length, letters - written));
            }

            z.Write(") Tj ET"u8);
        }

        return PagePdf(compressed.ToArray());
    }

    /// <summary>An XLSX whose one sheet inflates to at least <paramref name="inflatedBytes"/> (one cell of one-letter runs).</summary>
    public static byte[] XlsxBomb(long inflatedBytes) => XlsxWithRuns("Sheet1", (int)(inflatedBytes / "<r><t>a</t></r>".Length) + 1);

    /// <summary>
    /// A PDF whose catalog, page tree and page lie in one object stream (found through a cross-reference stream) that
    /// also holds an array of zeros inflating to <paramref name="inflatedBytes"/>; with <paramref name="declaredObjects"/>
    /// the stream claims that many objects (PdfPig lists every one before it reads any).
    /// </summary>
    public static byte[] PdfObjectStreamBomb(long inflatedBytes, long? declaredObjects = null)
    {
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Filler 5 0 R >>",
        };
        var bodies = new StringBuilder();
        var header = new StringBuilder();
        foreach (var (obj, number) in objects.Select((o, i) => (o, i == 2 ? 3 : i + 1)))
        {
            header.Append(CultureInfo.InvariantCulture, $"{number} {bodies.Length} ");
            bodies.Append(obj).Append('\n');
        }

        header.Append(CultureInfo.InvariantCulture, $"5 {bodies.Length} ");
        var first = header.Length;
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write(Encoding.ASCII.GetBytes(header.ToString()));
            z.Write(Encoding.ASCII.GetBytes(bodies.ToString()));
            z.Write("["u8);
            var zeros = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0 ", 4096)));
            for (long written = 0; written < inflatedBytes; written += zeros.Length)
            {
                z.Write(zeros);
            }

            z.Write("]"u8);
        }

        var pdf = new PdfWriter();
        pdf.Object(4, $"<< /Type /ObjStm /N {declaredObjects ?? 4} /First {first} /Filter /FlateDecode /Length {compressed.Length} >>", compressed.ToArray());
        return pdf.WithXrefStream(root: 1, inStream: [(1, 4, 0), (2, 4, 1), (3, 4, 2), (5, 4, 3)]);
    }

    /// <summary>
    /// An XLSX of one sheet named <paramref name="sheetName"/> whose cell A2 is an inline string made of
    /// <paramref name="runs"/> text runs of one letter each (the issue's second finding), deflated.
    /// </summary>
    public static byte[] XlsxWithRuns(string sheetName, int runs, string? a1 = null)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            Entry(zip, "[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>");
            Entry(zip, "_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
            Entry(zip, "xl/workbook.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                + $"<sheets><sheet name=\"{sheetName}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
            Entry(zip, "xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>");
            using var writer = new StreamWriter(zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open(), new UTF8Encoding(false), 64 * 1024);
            writer.Write("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
            writer.Write($"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>{a1 ?? "A1"}</t></is></c></row><row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is>");
            for (var i = 0; i < runs; i++)
            {
                writer.Write("<r><t>a</t></r>");
            }

            writer.Write("</is></c></row></sheetData></worksheet>");
        }

        return stream.ToArray();
    }

    /// <summary>A ZIP of <paramref name="entries"/> empty stored entries.</summary>
    public static byte[] ZipWithEntries(int entries)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < entries; i++)
            {
                zip.CreateEntry($"word/media/{i:D6}.xml", CompressionLevel.NoCompression);
            }
        }

        return stream.ToArray();
    }

    /// <summary>
    /// What a PDF signature scan is hardest on: eight signature dictionaries (the scan's bound), each a byte range and
    /// a one-byte hex string, then <paramref name="eofs"/> end-of-file markers (each one a place a revision may end).
    /// </summary>
    public static byte[] PdfWithManyEofs(int eofs)
    {
        var text = new StringBuilder("%PDF-1.7\n");
        for (var i = 0; i < 8; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj << /Type /Sig /ByteRange [0 {i * 100} {i * 100 + 10} 20] /Contents <00> >> endobj\n");
        }

        for (var i = 0; i < eofs; i++)
        {
            text.Append("%%EOF\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static void Entry(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.SmallestSize).Open(), new UTF8Encoding(false));
        writer.Write(content);
    }

    /// <summary>
    /// One page that draws a form <paramref name="draws"/> times; the form shows <paramref name="formOperators"/> strings.
    /// Each byte on disk is small, but every draw makes the form's letters again.
    /// </summary>
    public static byte[] PdfDrawingOneForm(int draws, int formOperators)
    {
        var form = new StringBuilder("BT /F1 10 Tf\n");
        for (var i = 0; i < formOperators; i++)
        {
            form.Append(CultureInfo.InvariantCulture, $"1 0 0 1 56 {800 - i % 75 * 10} Tm (chu {i:D4}) Tj\n");
        }

        form.Append("ET");
        var content = Flate(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("/Fm1 Do\n", draws))));
        var formData = Flate(Encoding.ASCII.GetBytes(form.ToString()));
        return PagePdf(content, "/XObject << /Fm1 6 0 R >>", pdf =>
            pdf.Object(6, $"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Length {formData.Length} /Filter /FlateDecode >>", formData));
    }

    /// <summary>One page whose content is <paramref name="operators"/> text operators stored without any filter.</summary>
    public static byte[] PdfWithUncompressedContent(int operators)
    {
        var content = new StringBuilder("BT /F1 10 Tf\n");
        for (var i = 0; i < operators; i++)
        {
            content.Append("1 0 0 1 56 700 Tm (chu) Tj\n");
        }

        content.Append("ET");
        return PagePdf(Encoding.ASCII.GetBytes(content.ToString()), flate: false);
    }

    /// <summary>
    /// One page of text followed by <paramref name="objects"/> small objects, and a cross-reference offset that points
    /// past the end of the file: opening it, PdfPig finds no table and searches the whole file for every object.
    /// </summary>
    public static byte[] PdfWithoutCrossReferences(int objects)
    {
        var pdf = new PdfWriter();
        pdf.Object(1, "<< /Type /Catalog /Pages 2 0 R >>");
        pdf.Object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        pdf.Object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>");
        var content = Flate("BT /F1 10 Tf 1 0 0 1 56 700 Tm (Bao cao sau thang) Tj ET"u8.ToArray());
        pdf.Object(4, $"<< /Length {content.Length} /Filter /FlateDecode >>", content);
        pdf.Object(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        for (var i = 0; i < objects; i++)
        {
            pdf.Object(6 + i, $"<< /Kind /Filler /Next {7 + i} 0 R /Value ({i:D8}) >>");
        }

        return pdf.WithLostXref(root: 1);
    }

    /// <summary>One page whose content is the given data (Flate unless said otherwise); the font is standard Helvetica (no program embedded).</summary>
    private static byte[] PagePdf(byte[] content, string resources = "", Action<PdfWriter>? more = null, bool flate = true)
    {
        var pdf = new PdfWriter();
        pdf.Object(1, "<< /Type /Catalog /Pages 2 0 R >>");
        pdf.Object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        pdf.Object(3, $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> {resources}>> /Contents 4 0 R >>");
        pdf.Object(4, $"<< /Length {content.Length}{(flate ? " /Filter /FlateDecode" : "")} >>", content);
        pdf.Object(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        more?.Invoke(pdf);
        return pdf.WithXrefTable(root: 1);
    }

    public static byte[] Flate(byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write(data);
        }

        return compressed.ToArray();
    }

    /// <summary>Writes numbered objects (binary stream data allowed) and a classic or stream cross-reference.</summary>
    private sealed class PdfWriter
    {
        private readonly MemoryStream output = new();
        private readonly SortedDictionary<int, long> offsets = [];

        public PdfWriter() => Write("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");

        public void Object(int number, string dictionary, byte[]? stream = null)
        {
            offsets[number] = output.Length;
            Write($"{number} 0 obj\n{dictionary}\n");
            if (stream is not null)
            {
                Write("stream\n");
                output.Write(stream);
                Write("\nendstream\n");
            }

            Write("endobj\n");
        }

        public byte[] WithXrefTable(int root)
        {
            var size = offsets.Keys.Max() + 1;
            var xref = output.Length;
            var table = new StringBuilder().Append(CultureInfo.InvariantCulture, $"xref\n0 {size}\n0000000000 65535 f \n");
            for (var n = 1; n < size; n++)
            {
                table.Append(offsets.TryGetValue(n, out var at) ? $"{at:D10} 00000 n \n" : "0000000000 65535 f \n");
            }

            Write(table.ToString());
            Write($"trailer\n<< /Size {size} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n");
            return output.ToArray();
        }

        /// <summary>A trailer whose cross-reference offset lies past the end of the file: there is no table to read.</summary>
        public byte[] WithLostXref(int root)
        {
            var size = offsets.Keys.Max() + 1;
            Write($"trailer\n<< /Size {size} /Root {root} 0 R >>\nstartxref\n{output.Length * 10 + 12345}\n%%EOF\n");
            return output.ToArray();
        }

        /// <summary>A cross-reference stream (W [1 4 2]) listing the objects written and those held in object streams.</summary>
        public byte[] WithXrefStream(int root, IReadOnlyList<(int Number, int Stream, int Index)> inStream)
        {
            var number = Math.Max(offsets.Keys.Max(), inStream.Max(o => o.Number)) + 1;
            offsets[number] = output.Length;
            var rows = new byte[(number + 1) * 7];
            for (var n = 0; n <= number; n++)
            {
                var row = rows.AsSpan(n * 7, 7);
                if (offsets.TryGetValue(n, out var at))
                {
                    (row[0], row[1], row[2], row[3], row[4]) = (1, (byte)(at >> 24), (byte)(at >> 16), (byte)(at >> 8), (byte)at);
                }
                else if (inStream.FirstOrDefault(o => o.Number == n) is { Stream: > 0 } held)
                {
                    (row[0], row[3], row[4], row[6]) = (2, (byte)(held.Stream >> 8), (byte)held.Stream, (byte)held.Index);
                }
            }

            var xref = output.Length;
            Write($"{number} 0 obj\n<< /Type /XRef /Size {number + 1} /W [1 4 2] /Root {root} 0 R /Length {rows.Length} >>\nstream\n");
            output.Write(rows);
            Write($"\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n");
            return output.ToArray();
        }

        private void Write(string text) => output.Write(Encoding.Latin1.GetBytes(text));
    }
}
