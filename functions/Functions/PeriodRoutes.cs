using System.Runtime.CompilerServices;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Periods;
using Microsoft.AspNetCore.Http;

namespace DanVan.Functions;

/// <summary>
/// How a route about a period starts: the caller is checked first, by the calling function's rule (Auth/RouteRoles.cs),
/// so a refused caller learns nothing about the period; then the period, or the unit and period the caller acts on.
/// </summary>
internal static class PeriodRoutes
{
    /// <summary>The caller and the period <paramref name="periodId"/> names (404 <c>unknown_period</c>).</summary>
    public static async Task<(Caller Caller, Period Period)> RequirePeriodAsync(
        this Authenticator auth, HttpRequest request, PeriodCatalog periods, string periodId, CancellationToken ct, [CallerMemberName] string function = "")
    {
        var caller = await auth.RequireAsync(request, ct, function);
        return (caller, periods.Get(periodId));
    }

    /// <summary>The caller's act in the period: for itself (a unit), or for the unit it names with <c>?unit=</c> (staff); see <see cref="PeriodTargets.ForAsync"/>.</summary>
    public static async Task<PeriodTarget> RequireTargetAsync(
        this Authenticator auth, HttpRequest request, PeriodTargets targets, string periodId, CancellationToken ct, [CallerMemberName] string function = "")
    {
        var caller = await auth.RequireAsync(request, ct, function);
        return await targets.ForAsync(caller, periodId, request.Query["unit"].ToString(), ct);
    }
}
