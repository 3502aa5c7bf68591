using DanVan.Audit;
using DanVan.Changes;
using DanVan.Domain;
using DanVan.Registry;
using DanVan.Submissions;
using Microsoft.Extensions.Options;

namespace DanVan.Decisions;

/// <summary>The names of decision changes: the history's <c>action</c> and the audit trail's.</summary>
public static class DecisionActions
{
    public const string Accept = "decision.accept";
    public const string Return = "decision.return";
    public const string Extend = "decision.extend";
    public const string RevokeExtension = "decision.extension_revoke";
    public const string Exempt = "decision.exempt";
    public const string RevokeExemption = "decision.exemption_revoke";
}

/// <summary>A unit's decisions for a period as the API shows them, with the ETag to change them under.</summary>
public sealed record DecisionView(
    Period Period,
    Unit Unit,
    UnitDecisions Decisions,
    string? ETag,
    SubmissionHead? Head,
    IReadOnlyList<DecisionEvent> History,
    string? Email = null,
    int Revision = 0);

/// <summary>
/// Sở Nội vụ's decisions about a unit for a period: review a version (accept, return with a reason), extend the
/// deadline, exempt the unit, or revoke either. Every change is refused on a finalized period, stored under the
/// ETag it was decided on (an <c>If-Match</c> the caller saw, or the one read here), recorded in the history and
/// the audit trail, and a review is emailed to the unit (a return always; an acceptance when
/// <see cref="DecisionOptions.EmailOnAccept"/>).
/// </summary>
public sealed class DecisionService(
    ReportingPlan plan,
    PeriodGate gate,
    UnitRegistry registry,
    SubmissionStore submissions,
    DecisionStore store,
    AuditLog audit,
    DecisionEmails emails,
    IOptions<DecisionOptions> options,
    TimeProvider clock)
{
    public async Task<DecisionView> GetAsync(string periodId, string unitCode, CancellationToken ct = default)
    {
        var period = plan.Get(periodId, clock);
        var unit = await UnitAsync(unitCode, ct);
        var current = store.GetAsync(periodId, unitCode, ct);
        var head = submissions.HeadAsync(periodId, unitCode, ct);
        var history = store.HistoryAsync(periodId, unitCode, ct);
        var stored = await current;
        return new DecisionView(period, unit, stored?.Decisions ?? UnitDecisions.None(unitCode), stored?.ETag, await head, await history);
    }

    /// <summary>Accepts or returns <paramref name="version"/>, which must be the unit's latest version.</summary>
    public async Task<DecisionView> ReviewAsync(string actor, string periodId, string unitCode, int version, ReviewVerdict verdict, string? reason, string? ifMatch, CancellationToken ct = default)
    {
        var why = DecisionRules.Reason(reason, required: verdict == ReviewVerdict.Returned);
        var action = verdict == ReviewVerdict.Accepted ? DecisionActions.Accept : DecisionActions.Return;
        var view = await ChangeAsync(actor, periodId, unitCode, ifMatch, action, (period, unit, head, d, at) =>
        {
            if (head is null)
            {
                throw RefusalCodes.NothingToReview.Because(
                    $"Đơn vị \"{unit.Name}\" chưa nộp phiên bản nào cho {period.Title}.");
            }

            if (head.LatestVersion != version)
            {
                throw RefusalCodes.VersionNotLatest.Because(
                    $"Quyết định chỉ áp dụng cho phiên bản mới nhất: đơn vị \"{unit.Name}\" đã gửi phiên bản {head.LatestVersion} (nhận lúc {VietnamTime.FormatDateTime(head.LatestReceivedAt)}), không phải phiên bản {version}. Vui lòng xem phiên bản mới rồi quyết định.");
            }

            return (d with { Review = new Review(version, verdict, why, at, actor) }, new DecisionEvent(0, action, at, actor, why, version, null));
        }, ct);

        var review = view.Decisions.Review!;
        if (verdict == ReviewVerdict.Returned || options.Value.EmailOnAccept)
        {
            var file = (await submissions.VersionAsync(periodId, unitCode, version, ct))?.FileName ?? "";
            var sent = await emails.SendAsync(new DecisionEmail(view.Unit, view.Period, view.Decisions.DeadlineFor(view.Period), view.Revision, review, file), actor, ct);
            return view with { Email = sent };
        }

        return view;
    }

    public Task<DecisionView> ExtendAsync(string actor, string periodId, string unitCode, DateTimeOffset deadline, string? reason, string? ifMatch, CancellationToken ct = default)
    {
        var why = DecisionRules.Reason(reason, required: true)!;
        return ChangeAsync(actor, periodId, unitCode, ifMatch, DecisionActions.Extend, (period, unit, _, d, at) =>
        {
            RequireOwed(period, unit);
            DecisionRules.CheckExtension(period, deadline);
            return (d with { Extension = new Extension(deadline.ToUniversalTime(), why, at, actor) }, new DecisionEvent(0, DecisionActions.Extend, at, actor, why, null, deadline.ToUniversalTime()));
        }, ct);
    }

    public Task<DecisionView> RevokeExtensionAsync(string actor, string periodId, string unitCode, string? reason, string? ifMatch, CancellationToken ct = default)
    {
        var why = DecisionRules.Reason(reason, required: false);
        return ChangeAsync(actor, periodId, unitCode, ifMatch, DecisionActions.RevokeExtension, (period, unit, _, d, at) =>
            d.Extension is null
                ? throw RefusalCodes.NoExtension.Because($"Đơn vị \"{unit.Name}\" không có gia hạn nào trong {period.Title} để thu hồi.")
                : (d with { Extension = null }, new DecisionEvent(0, DecisionActions.RevokeExtension, at, actor, why, null, d.Extension.Deadline)), ct);
    }

    public Task<DecisionView> ExemptAsync(string actor, string periodId, string unitCode, string? reason, string? ifMatch, CancellationToken ct = default)
    {
        var why = DecisionRules.Reason(reason, required: true)!;
        return ChangeAsync(actor, periodId, unitCode, ifMatch, DecisionActions.Exempt, (period, unit, _, d, at) =>
        {
            RequireOwed(period, unit);
            return (d with { Exemption = new Exemption(why, at, actor) }, new DecisionEvent(0, DecisionActions.Exempt, at, actor, why, null, null));
        }, ct);
    }

    public Task<DecisionView> RevokeExemptionAsync(string actor, string periodId, string unitCode, string? reason, string? ifMatch, CancellationToken ct = default)
    {
        var why = DecisionRules.Reason(reason, required: false);
        return ChangeAsync(actor, periodId, unitCode, ifMatch, DecisionActions.RevokeExemption, (period, unit, _, d, at) =>
            d.Exemption is null
                ? throw RefusalCodes.NoExemption.Because($"Đơn vị \"{unit.Name}\" không được miễn nộp {period.Title}.")
                : (d with { Exemption = null }, new DecisionEvent(0, DecisionActions.RevokeExemption, at, actor, why, null, null)), ct);
    }

    private delegate (UnitDecisions After, DecisionEvent Change) Decide(Period period, Unit unit, SubmissionHead? head, UnitDecisions before, DateTimeOffset at);

    /// <summary>
    /// The steps every change shares: the period and unit exist, the period is not finalized, the caller saw the
    /// current decisions (If-Match), the rule allows it; then one conditional write, the audit, the view.
    /// </summary>
    private async Task<DecisionView> ChangeAsync(string actor, string periodId, string unitCode, string? ifMatch, string action, Decide decide, CancellationToken ct)
    {
        var period = plan.Get(periodId, clock);
        var unit = await UnitAsync(unitCode, ct);
        var state = gate.ClosedAtAsync(periodId, ct);
        var current = store.GetAsync(periodId, unitCode, ct);
        var head = submissions.HeadAsync(periodId, unitCode, ct);
        if (await state is { } finalizedAt)
        {
            throw Finalized(period, finalizedAt);
        }

        var before = await current;
        if (ifMatch is not null && ifMatch != "*" && ifMatch != before?.ETag)
        {
            throw Changed(unit);
        }

        var (after, change) = decide(period, unit, await head, before?.Decisions ?? UnitDecisions.None(unitCode), clock.GetUtcNow());
        StoredDecisions saved;
        try
        {
            saved = await store.SaveAsync(periodId, before, after, change, ct);
        }
        catch (PeriodClosedException closed)
        {
            // Finalization fenced the unit's decisions between the reads above and the write.
            throw Finalized(period, closed.ClosedAt);
        }
        catch (DecisionConflictException)
        {
            throw RefusalCodes.DecisionConflict.Because(
                $"Một quyết định khác về đơn vị \"{unit.Name}\" vừa được ghi cùng lúc; quyết định này chưa được ghi. Vui lòng tải lại và xem quyết định hiện tại.");
        }

        await audit.RecordAsync(actor, action, periodId, unitCode, Describe(change), ct);
        var view = await GetAsync(periodId, unitCode, ct);
        return view with { Decisions = saved.Decisions, ETag = saved.ETag, Revision = saved.Revision };
    }

    private static string Describe(DecisionEvent change)
    {
        var parts = new List<string>();
        if (change.Version is { } v)
        {
            parts.Add($"v{v}");
        }

        if (change.Deadline is { } d)
        {
            parts.Add($"deadline {VietnamTime.ToVietnam(d):O}");
        }

        if (change.Reason is { } r)
        {
            parts.Add($"reason: {r}");
        }

        return string.Join("; ", parts);
    }

    private static void RequireOwed(Period period, Unit unit)
    {
        if (!unit.IsRequiredFor(period))
        {
            throw RefusalCodes.UnitNotRequired.Because(
                $"Đơn vị \"{unit.Name}\" không phải nộp {period.Title} (không hoạt động vào ngày {VietnamTime.FormatDate(period.LastOnTimeDay)}).");
        }
    }

    private static DomainException Finalized(Period period, DateTimeOffset finalizedAt) =>
        RefusalCodes.PeriodFinalized.Because(
            $"{period.Title} đã được khóa sổ lúc {VietnamTime.FormatDateTime(finalizedAt)}; không thay đổi quyết định được nữa.");

    private static DomainException Changed(Unit unit) =>
        RefusalCodes.DecisionChanged.Because(
            $"Quyết định về đơn vị \"{unit.Name}\" đã thay đổi kể từ khi bạn xem (If-Match không khớp). Vui lòng tải lại và xem quyết định hiện tại.");

    private async Task<Unit> UnitAsync(string unitCode, CancellationToken ct) =>
        await registry.FindAsync(unitCode, ct)
        ?? throw DomainException.UnknownUnit(unitCode);
}
