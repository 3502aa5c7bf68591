using System.Reflection;
using DanVan.Functions;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Auth;

/// <summary>Which units' credentials a route takes besides staff.</summary>
public enum UnitAccess
{
    /// <summary>Staff only: a unit's credential is refused (403).</summary>
    None,

    /// <summary>Any unit's credential; the function answers with that unit's own part.</summary>
    Any,

    /// <summary>Only the credential of the unit the route names (<c>{unitCode}</c>).</summary>
    Own,
}

/// <summary>What a route asks of its caller: nothing (anonymous), or a staff role and which units.</summary>
public sealed record RouteRule(bool Anonymous, StaffRole Role, UnitAccess Units)
{
    public static readonly RouteRule Open = new(true, StaffRole.None, UnitAccess.None);

    public static RouteRule Staff(StaffRole role, UnitAccess units = UnitAccess.None) => new(false, role, units);
}

/// <summary>
/// THE table of who may call which route, keyed by function name; <see cref="Authenticator.RequireAsync"/> enforces it
/// and README and openapi.json show it. An HTTP function missing here stops the app at start (<see cref="CheckCovers"/>).
/// Break-glass has every role; a signed-in person without a role may only call <see cref="AuthFunctions.Me"/>.
/// </summary>
public static class RouteRoles
{
    public static readonly IReadOnlyDictionary<string, RouteRule> Table = new Dictionary<string, RouteRule>(StringComparer.Ordinal)
    {
        // Anyone: the pages, health, what the pages need to start signing in, a unit asking for its link again.
        [nameof(PagesFunctions.UploadPage)] = RouteRule.Open,
        [nameof(PagesFunctions.DashboardPage)] = RouteRule.Open,
        [nameof(PagesFunctions.PageAsset)] = RouteRule.Open,
        [nameof(PagesFunctions.OpenApiDocument)] = RouteRule.Open,
        [nameof(HealthFunctions.Health)] = RouteRule.Open,
        [nameof(AuthFunctions.AuthConfig)] = RouteRule.Open,
        [nameof(AccessFunctions.ResendAccessLink)] = RouteRule.Open,

        // Any signed-in person, role or not: who am I.
        [nameof(AuthFunctions.Me)] = RouteRule.Staff(StaffRole.None),

        // Xem (Viewer): the dashboard, status, figure totals, compilations, decisions, the units list.
        [nameof(PeriodsFunctions.ListPeriods)] = RouteRule.Staff(StaffRole.Viewer, UnitAccess.Any),
        [nameof(PeriodsFunctions.PeriodStatus)] = RouteRule.Staff(StaffRole.Viewer, UnitAccess.Any),
        [nameof(FiguresFunctions.GetPeriodIndicators)] = RouteRule.Staff(StaffRole.Viewer, UnitAccess.Any),
        [nameof(FiguresFunctions.FigureTemplateDownload)] = RouteRule.Staff(StaffRole.Viewer, UnitAccess.Any),
        [nameof(FiguresFunctions.FigureTotalsForPeriod)] = RouteRule.Staff(StaffRole.Viewer),
        [nameof(FiguresFunctions.GetIndicators)] = RouteRule.Staff(StaffRole.Viewer),
        [nameof(CompilationsFunctions.ListCompilations)] = RouteRule.Staff(StaffRole.Viewer),
        [nameof(CompilationsFunctions.DownloadLatestCompilation)] = RouteRule.Staff(StaffRole.Viewer),
        [nameof(DecisionsFunctions.GetDecisions)] = RouteRule.Staff(StaffRole.Viewer),
        [nameof(ReportsFunctions.ListReportVersions)] = RouteRule.Staff(StaffRole.Viewer, UnitAccess.Own),
        [nameof(UnitsFunctions.ListUnits)] = RouteRule.Staff(StaffRole.Viewer),
        [nameof(OutlineFunctions.GetOutline)] = RouteRule.Staff(StaffRole.Viewer),
        [nameof(OutlineFunctions.OutlineTemplateDownload)] = RouteRule.Staff(StaffRole.Viewer, UnitAccess.Any),

        // Chuyên viên (Officer): + accept/return, reminders, compile, units' files and figures, uploads on a unit's behalf, the audit trail,
        // failed emails (and sending one again after checking), how a unit's report was read.
        [nameof(DecisionsFunctions.ReviewReport)] = RouteRule.Staff(StaffRole.Officer),
        [nameof(RemindersFunctions.SendReminders)] = RouteRule.Staff(StaffRole.Officer),
        [nameof(CompilationsFunctions.CreateCompilation)] = RouteRule.Staff(StaffRole.Officer),
        [nameof(ReportsFunctions.DownloadReportVersion)] = RouteRule.Staff(StaffRole.Officer, UnitAccess.Own),
        [nameof(ReportsFunctions.UploadReport)] = RouteRule.Staff(StaffRole.Officer, UnitAccess.Any),
        [nameof(FiguresFunctions.ListFigureVersions)] = RouteRule.Staff(StaffRole.Officer, UnitAccess.Own),
        [nameof(FiguresFunctions.EnterFigures)] = RouteRule.Staff(StaffRole.Officer, UnitAccess.Any),
        [nameof(AuditFunctions.ListAudit)] = RouteRule.Staff(StaffRole.Officer),
        [nameof(EmailFunctions.ListFailedEmails)] = RouteRule.Staff(StaffRole.Officer),
        [nameof(EmailFunctions.ResendEmail)] = RouteRule.Staff(StaffRole.Officer),
        [nameof(OutlineFunctions.GetReportReading)] = RouteRule.Staff(StaffRole.Officer),

        // Lãnh đạo (Leader): + extensions, exemptions, finalizing a period.
        [nameof(DecisionsFunctions.ExtendDeadline)] = RouteRule.Staff(StaffRole.Leader),
        [nameof(DecisionsFunctions.RevokeExtension)] = RouteRule.Staff(StaffRole.Leader),
        [nameof(DecisionsFunctions.ExemptUnit)] = RouteRule.Staff(StaffRole.Leader),
        [nameof(DecisionsFunctions.RevokeExemption)] = RouteRule.Staff(StaffRole.Leader),
        [nameof(CompilationsFunctions.FinalizePeriod)] = RouteRule.Staff(StaffRole.Leader),

        // Quản trị (Administrator): + units, import, access links and credentials, indicators, the outline, backups and restore.
        [nameof(UnitsFunctions.PutUnit)] = RouteRule.Staff(StaffRole.Administrator),
        [nameof(UnitsFunctions.ImportUnits)] = RouteRule.Staff(StaffRole.Administrator),
        [nameof(UnitsFunctions.IssueToken)] = RouteRule.Staff(StaffRole.Administrator),
        [nameof(AccessFunctions.UnitsTemplate)] = RouteRule.Staff(StaffRole.Administrator),
        [nameof(AccessFunctions.ListUnitAccess)] = RouteRule.Staff(StaffRole.Administrator),
        [nameof(AccessFunctions.SendAccessLinks)] = RouteRule.Staff(StaffRole.Administrator),
        [nameof(FiguresFunctions.PutIndicators)] = RouteRule.Staff(StaffRole.Administrator),
        [nameof(OutlineFunctions.PutOutline)] = RouteRule.Staff(StaffRole.Administrator),
        [nameof(BackupFunctions.CreateBackup)] = RouteRule.Staff(StaffRole.Administrator),
        [nameof(BackupFunctions.ListBackups)] = RouteRule.Staff(StaffRole.Administrator),
        [nameof(BackupFunctions.RestoreBackup)] = RouteRule.Staff(StaffRole.Administrator),
    };

    /// <summary>One HTTP function: its name, methods and route template (without "api/").</summary>
    public sealed record HttpRoute(string Function, IReadOnlyList<string> Methods, string Route);

    /// <summary>Every HTTP-triggered function in the app, read from the function classes' [Function] methods.</summary>
    public static IReadOnlyList<HttpRoute> HttpRoutes(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(f => f.Function is not null && f.Trigger is not null)
            .Select(f => new HttpRoute(f.Function!.Name, f.Trigger!.Methods?.Select(x => x.ToUpperInvariant()).ToList() ?? [], f.Trigger.Route ?? f.Function.Name))
            .OrderBy(r => r.Function, StringComparer.Ordinal)
            .ToList();

    /// <summary>Stops the app when an HTTP function has no rule here, or a rule names no function.</summary>
    public static void CheckCovers(Assembly assembly)
    {
        var functions = HttpRoutes(assembly).Select(r => r.Function).ToHashSet(StringComparer.Ordinal);
        var missing = functions.Where(f => !Table.ContainsKey(f)).Order().ToList();
        var stale = Table.Keys.Where(k => !functions.Contains(k)).Order().ToList();
        if (missing.Count > 0 || stale.Count > 0)
        {
            throw new InvalidOperationException(
                $"Auth/RouteRoles.cs must give every HTTP function its role. Missing: [{string.Join(", ", missing)}]; not a function: [{string.Join(", ", stale)}].");
        }
    }
}
