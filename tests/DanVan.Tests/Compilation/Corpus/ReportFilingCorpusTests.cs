using DanVan.Compilation;
using DanVan.Outline;
using Xunit.Abstractions;

namespace DanVan.Tests.Compilation.Corpus;

/// <summary>
/// The corpus of unit reports, read as DanVan reads them (DOCX or PDF, tree, filing under the sample outline of Kế hoạch
/// 158), against where an officer files each paragraph. A paragraph sent to "Cần xem lại" counts against the share but is
/// not an error; one filed into a wrong place is.
/// </summary>
public sealed class ReportFilingCorpusTests(ITestOutputHelper output)
{
    private static readonly ReportOutline Outline = OutlineService.Sample("H1");

    public static TheoryData<string> Names => new(ReportCorpus.All.Select(r => r.Report.Name));

    /// <summary>Each expected paragraph with where it went ("II/4", "?" for review, "-" for not content, "" when not found).</summary>
    public static List<(string Text, string Expected, string Actual)> Score(UnitReport report, bool pdf)
    {
        var reading = pdf ? PdfReportText.Read(new MemoryStream(report.Pdf()), "bao-cao.pdf") : ReportText.Read(new MemoryStream(report.Docx()), "bao-cao.docx");
        Assert.Null(reading.Problem);
        var filed = ReportFiling.File(Outline, ReportTree.Read(reading.Paragraphs!, reading.Format));
        return report.Expectations.Select(e =>
        {
            var key = ReportTree.Split(e.Text).Text;
            key = key.Length > 40 ? key[..40] : key;
            var line = filed.FirstOrDefault(f => !f.Line.Heading && f.Line.Original.Contains(key, StringComparison.Ordinal))
                ?? filed.FirstOrDefault(f => f.Line.Original.Contains(key, StringComparison.Ordinal));
            var actual = line is null ? "" : line.Outcome switch
            {
                FilingOutcome.Placed => line.Content is null ? line.Part! : $"{line.Part}/{line.Content}",
                FilingOutcome.Review => "?",
                _ => "-",
            };
            return (e.Text, e.Expected, actual);
        }).ToList();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_paragraph_of_the_report_is_filed_where_an_officer_would_or_sent_to_review_never_elsewhere(string name)
    {
        var (report, pdf) = ReportCorpus.All.Single(r => r.Report.Name == name);
        var scored = Score(report, pdf);
        foreach (var s in scored.Where(s => s.Expected != s.Actual))
        {
            output.WriteLine($"{s.Expected} → {(s.Actual.Length == 0 ? "(không thấy)" : s.Actual)}: {s.Text}");
        }

        var wrong = scored.Where(s => s.Actual != s.Expected && s.Actual != "?").ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Select(w => $"{w.Expected} → {w.Actual}: {w.Text}")));
    }

    [Fact]
    public void The_corpus_has_at_least_12_reports_and_95_percent_of_their_paragraphs_are_filed_where_expected()
    {
        var total = 0;
        var right = 0;
        foreach (var (report, pdf) in ReportCorpus.All)
        {
            var content = Score(report, pdf).Where(s => s.Expected != "-").ToList();
            var placed = content.Count(s => s.Actual == s.Expected);
            output.WriteLine($"{report.Name} ({report.Unit}{(pdf ? ", PDF" : "")}): {placed}/{content.Count} = {100.0 * placed / content.Count:0.#}%");
            (total, right) = (total + content.Count, right + placed);
        }

        output.WriteLine($"overall: {right}/{total} = {100.0 * right / total:0.#}%");
        Assert.True(ReportCorpus.All.Count >= 12);
        Assert.True(right >= 0.95 * total, $"{right}/{total} filed where expected");
    }
}
