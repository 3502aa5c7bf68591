using Microsoft.Extensions.Options;

namespace DanVan.Reminders;

/// <summary>App settings under <c>DanVan__Reminders__*</c>, validated at start.</summary>
public sealed class ReminderOptions
{
    public const string Section = "DanVan:Reminders";

    /// <summary>Days before the deadline day, comma-separated.</summary>
    public string DaysBefore { get; set; } = "14,7,3,1";

    /// <summary>Days after the deadline day, comma-separated. From the second one on, copies go to the head of unit and Sở Nội vụ.</summary>
    public string DaysAfter { get; set; } = "1,3,7";

    /// <summary>How many days a stage missed by downtime may still go out late (when no later stage is due).</summary>
    public int CatchUpDays { get; set; } = 7;

    /// <summary>Emails sent at once in a run.</summary>
    public int MaxParallelism { get; set; } = 16;

    public ReminderPlan ToPlan() => new(ReminderPlan.ParseDays(DaysBefore)!, ReminderPlan.ParseDays(DaysAfter)!, CatchUpDays);
}

internal sealed class ReminderOptionsValidator : IValidateOptions<ReminderOptions>
{
    public ValidateOptionsResult Validate(string? name, ReminderOptions options)
    {
        var problems = new List<string>();
        if (ReminderPlan.ParseDays(options.DaysBefore) is null)
        {
            problems.Add($"DanVan__Reminders__DaysBefore must be whole numbers of days from 1 to 366 separated by commas, e.g. \"14,7,3,1\" (got \"{options.DaysBefore}\").");
        }

        if (ReminderPlan.ParseDays(options.DaysAfter) is null)
        {
            problems.Add($"DanVan__Reminders__DaysAfter must be whole numbers of days from 1 to 366 separated by commas, e.g. \"1,3,7\" (got \"{options.DaysAfter}\").");
        }

        if (options.CatchUpDays is < 1 or > 366)
        {
            problems.Add("DanVan__Reminders__CatchUpDays must be between 1 and 366.");
        }

        if (options.MaxParallelism is < 1 or > 256)
        {
            problems.Add("DanVan__Reminders__MaxParallelism must be between 1 and 256.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
