using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DanVan.Domain;

namespace DanVan.Compilation;

/// <summary>
/// A cheap stand-in for <see cref="CompilationInputs.Fingerprint"/>: what a period's bundle and counts are made from,
/// without reading them. They depend on the period (as the plan defines it), the province, the registry (which units are
/// listed, under which names, active when) and the period's uploads, decisions and figures, which are counted by the
/// period's stamp (<see cref="Changes.PeriodChanges.Stamp"/>: every stored change moves it, and it is known only while no
/// change is in flight). Equal markers mean equal inputs, so whatever was worked out at a marker (the counts, "the latest
/// compilation is current") holds while the marker is the same; the timer and <c>GET /api/periods</c> read every period's
/// stamp in one query.
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

    /// <summary>The marker of the period at <paramref name="stamp"/>; null when the stamp is not known (a change in flight).</summary>
    public static string? Of(Period period, string province, string registry, long? stamp)
    {
        if (stamp is not { } changes)
        {
            return null;
        }

        var text = string.Join('\u001f',
            CompilationInputs.LayoutVersion, period.Id, period.Title,
            period.OpensAt.UtcTicks.ToString(CultureInfo.InvariantCulture), period.Deadline.UtcTicks.ToString(CultureInfo.InvariantCulture),
            province, registry, changes.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
