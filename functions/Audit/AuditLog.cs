using System.Globalization;
using Azure;
using Azure.Data.Tables;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Storage;

namespace DanVan.Audit;

/// <summary>
/// Table <c>audit</c>. PartitionKey = the period id (or "-" for events outside a period, such as a
/// credential issue), so "the trail of 2026-H1" is one partition query. RowKey = inverted ticks + a
/// random suffix: newest first, and two events in the same tick never collide.
/// </summary>
public sealed class AuditEntity : ITableEntity
{
    public const string NoPeriod = "-";

    public string PartitionKey { get; set; } = NoPeriod;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public string Action { get; set; } = "";
    public string? UnitCode { get; set; }
    public string? Detail { get; set; }
}

/// <summary>What the audit trail answers with: who did what, when (Vietnam time), to which unit.</summary>
public sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string? PeriodId, string? UnitCode, string? Detail);

/// <summary>The names of audited actions.</summary>
public static class AuditActions
{
    public const string Upload = "report.upload";
    public const string Download = "report.download";
    public const string TokenIssue = "credential.issue";
    public const string UnitPut = "unit.put";
    public const string UnitImport = "unit.import";
    public const string Reminder = "reminder.send";
    public const string Compilation = "compilation.create";
    public const string CompilationDownload = "compilation.download";
    public const string Finalize = "period.finalize";

    /// <summary>An access link was asked for (by the admin, or by a unit's resend request) and queued.</summary>
    public const string AccessLinkRequest = "access.link.request";
}

public sealed class AuditLog(DanVanStore store, TimeProvider clock)
{
    public async Task RecordAsync(string actor, string action, string? periodId = null, string? unitCode = null, string? detail = null, CancellationToken ct = default)
    {
        var at = clock.GetUtcNow();
        var entity = new AuditEntity
        {
            PartitionKey = periodId ?? AuditEntity.NoPeriod,
            RowKey = (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12],
            At = at,
            Actor = actor,
            Action = action,
            UnitCode = unitCode,
            Detail = detail,
        };
        // Upsert, not Add: the row key is this event's own, so when a reply is lost the SDK's retry
        // rewrites the same event instead of failing with 409 on what is already stored.
        await store.Audit.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
    }

    public Task RecordAsync(Caller caller, string action, string? periodId = null, string? unitCode = null, string? detail = null, CancellationToken ct = default) =>
        RecordAsync(caller.Actor, action, periodId, unitCode, detail, ct);

    /// <summary>Newest first; one period's trail, or everything when <paramref name="periodId"/> is null.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string? periodId, int max = 1000, CancellationToken ct = default)
    {
        var query = periodId is null
            ? store.Audit.QueryAsync<AuditEntity>(maxPerPage: 1000, cancellationToken: ct)
            : store.Audit.QueryAsync<AuditEntity>(e => e.PartitionKey == periodId, maxPerPage: 1000, cancellationToken: ct);
        var entries = new List<AuditEntry>();
        await foreach (var e in query)
        {
            entries.Add(new AuditEntry(
                VietnamTime.ToVietnam(e.At),
                e.Actor,
                e.Action,
                e.PartitionKey == AuditEntity.NoPeriod ? null : e.PartitionKey,
                e.UnitCode,
                e.Detail));
        }

        return entries.OrderByDescending(e => e.At).Take(max).ToList();
    }
}
