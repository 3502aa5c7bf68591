namespace DanVan.Domain;

/// <summary>
/// A reporting unit (đơn vị báo cáo): a sở/ban/ngành, a public-service unit, a district People's
/// Committee, or whatever the registry defines. Units are data with effective dates: a unit merged
/// into another ends on <see cref="ActiveTo"/> (inclusive) and its successor starts on its own
/// <see cref="ActiveFrom"/>.
/// </summary>
public sealed record Unit(
    string Code,
    string Name,
    string Group,
    IReadOnlyList<string> Emails,
    string? HeadEmail,
    DateOnly ActiveFrom,
    DateOnly? ActiveTo)
{
    public bool IsActiveOn(DateOnly date) => ActiveFrom <= date && (ActiveTo is null || date <= ActiveTo);

    /// <summary>A unit owes a period's report when it is active on the period's last on-time day.</summary>
    public bool IsRequiredFor(Period period) => IsActiveOn(period.LastOnTimeDay);
}
