using System.ComponentModel.DataAnnotations;

namespace DanVan.Configuration;

/// <summary>App settings under <c>DanVan__*</c>. Validated at start: a bad value stops the app.</summary>
public sealed class DanVanOptions
{
    public const string Section = "DanVan";

    /// <summary>The admin (Sở Nội vụ) credential. A secret: Key Vault in Azure, a fake value locally.</summary>
    [Required(ErrorMessage = "DanVan__AdminToken is required (the admin credential).")]
    [MinLength(16, ErrorMessage = "DanVan__AdminToken must be at least 16 characters.")]
    public string AdminToken { get; set; } = "";

    /// <summary>Base of the links people get in emails, e.g. https://danvan.example.org.</summary>
    [Required(ErrorMessage = "DanVan__PublicBaseUrl is required.")]
    [Url(ErrorMessage = "DanVan__PublicBaseUrl must be an absolute http(s) URL.")]
    public string PublicBaseUrl { get; set; } = "http://localhost:7071";

    [Range(1, 100L * 1024 * 1024, ErrorMessage = "DanVan__MaxUploadBytes must be between 1 and 104857600 (the Functions host's own cap).")]
    public long MaxUploadBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>
    /// Prefix for every table and container name. Empty in production; tests use a random one so
    /// that each test works in its own tables and containers.
    /// </summary>
    [RegularExpression("^([a-z][a-z0-9]{0,15})?$", ErrorMessage = "DanVan__StoragePrefix must be empty or lowercase letters and digits, starting with a letter.")]
    public string StoragePrefix { get; set; } = "";

    /// <summary>Storage reads at once where a request or a timer fans out over periods or units (the nightly compilation check, <c>GET /api/periods</c>).</summary>
    [Range(1, 64, ErrorMessage = "DanVan__MaxParallelism must be between 1 and 64.")]
    public int MaxParallelism { get; set; } = 8;
}

/// <summary>The reporting plan, under <c>DanVan__Plan__*</c>.</summary>
public sealed class PlanOptions
{
    public const string Section = "DanVan:Plan";

    public Domain.DeadlineRule DeadlineRule { get; set; } = Domain.DeadlineRule.Before;

    [Range(2000, 2100)]
    public int FirstYear { get; set; } = 2024;

    /// <summary>The reports of a year; empty means the default plan (H1 before 15/5, Y before 15/11).</summary>
    public List<ReportOptions> Reports { get; set; } = [];

    public Domain.ReportingPlan ToPlan()
    {
        var reports = Reports.Count == 0
            ? Domain.ReportingPlan.Default().Reports
            : Reports.Select(r => new Domain.ReportDefinition(
                r.Code,
                r.Title,
                new Domain.MonthDay(r.DueMonth, r.DueDay),
                r.OpensDaysBefore,
                new Domain.MonthDay(r.DataFromMonth, r.DataFromDay),
                new Domain.MonthDay(r.DataToMonth, r.DataToDay))).ToList();
        return new Domain.ReportingPlan(DeadlineRule, reports, FirstYear);
    }

    /// <summary>Every problem with the configured plan, in words an operator can act on.</summary>
    public IEnumerable<string> Problems()
    {
        for (var i = 0; i < Reports.Count; i++)
        {
            var r = Reports[i];
            if (string.IsNullOrWhiteSpace(r.Code) || !r.Code.All(char.IsAsciiLetterOrDigit))
            {
                yield return $"DanVan__Plan__Reports__{i}__Code must be ASCII letters or digits.";
            }

            if (string.IsNullOrWhiteSpace(r.Title))
            {
                yield return $"DanVan__Plan__Reports__{i}__Title is required.";
            }

            if (!new Domain.MonthDay(r.DueMonth, r.DueDay).IsValid)
            {
                yield return $"DanVan__Plan__Reports__{i}__DueMonth/DueDay is not a day of the year.";
            }

            if (!new Domain.MonthDay(r.DataFromMonth, r.DataFromDay).IsValid || !new Domain.MonthDay(r.DataToMonth, r.DataToDay).IsValid)
            {
                yield return $"DanVan__Plan__Reports__{i}__DataFrom*/DataTo* is not a day of the year.";
            }

            if (r.OpensDaysBefore is < 0 or > 366)
            {
                yield return $"DanVan__Plan__Reports__{i}__OpensDaysBefore must be between 0 and 366.";
            }
        }

        if (Reports.Select(r => r.Code).Distinct(StringComparer.Ordinal).Count() != Reports.Count)
        {
            yield return "DanVan__Plan__Reports codes must be distinct.";
        }
    }
}

public sealed class ReportOptions
{
    public string Code { get; set; } = "";

    public string Title { get; set; } = "";

    public int DueMonth { get; set; }

    public int DueDay { get; set; }

    public int OpensDaysBefore { get; set; } = 60;

    /// <summary>Start of the data window (Decree 09/2019/NĐ-CP); information only. Default 15/12 of the previous year.</summary>
    public int DataFromMonth { get; set; } = 12;

    public int DataFromDay { get; set; } = 15;

    public int DataToMonth { get; set; } = 12;

    public int DataToDay { get; set; } = 14;
}
