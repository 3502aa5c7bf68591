using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DanVan.Domain;

namespace DanVan.Compilation;

/// <summary>
/// A cheap stand-in for <see cref="CompilationInputs.Fingerprint"/>: what a bundle's inputs are made from,
/// without reading them. A bundle depends on the period, the province, the registry (which units are listed,
/// under which names) and the period's submissions; every committed version bumps the period's version count
/// (<see cref="Submissions.PeriodSubmissionsEntity.Versions"/>, in the same transaction), so equal markers mean
/// equal inputs and the nightly timer can skip a period after two small reads instead of gathering it.
/// </summary>
public static class CompilationMarker
{
    /// <summary>The part every period shares: a hash of the registry's units as a bundle shows them.</summary>
    public static string OfRegistry(IEnumerable<Unit> units)
    {
        var text = new StringBuilder();
        foreach (var u in units.OrderBy(u => u.Code, StringComparer.Ordinal))
        {
            text.Append(u.Code).Append('\u001f').Append(u.Name).Append('\u001f').Append(u.Group).Append('\u001f')
                .Append(u.ActiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\u001f')
                .Append(u.ActiveTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static string Of(Period period, string province, string registry, int versionsCommitted)
    {
        var text = string.Join('\u001f',
            CompilationInputs.LayoutVersion, period.Id, period.Title, period.Deadline.UtcTicks.ToString(CultureInfo.InvariantCulture),
            province, registry, versionsCommitted.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
