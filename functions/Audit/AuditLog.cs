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
public sealed class AuditEntity : TableRow, ITableEntity
{
    public const string NoPeriod = "-";

    public AuditEntity() => PartitionKey = NoPeriod;

    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";

    /// <summary>The actor's stable id (a person's subject, "break-glass", "unit:code"): what <c>?actor=</c> filters on.</summary>
    public string? ActorId { get; set; }

    public string Action { get; set; } = "";
    public string? UnitCode { get; set; }
    public string? Detail { get; set; }
}

/// <summary>What the audit trail answers with: who did what, when (Vietnam time), to which unit.</summary>
public sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string? PeriodId, string? UnitCode, string? Detail);

/// <summary>One event to record (<see cref="AuditLog.RecordManyAsync"/>).</summary>
public sealed record AuditEvent(string Actor, string Action, string? PeriodId = null, string? UnitCode = null, string? Detail = null);

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
    public const string FiguresEntry = "figures.enter";
    public const string IndicatorsPut = "indicators.put";
    public const string OutlinePut = "outline.put";

    /// <summary>An officer sent a poisoned or unknown email again after checking SendGrid's activity.</summary>
    public const string EmailResend = "email.resend";
}

public sealed class AuditLog(DanVanStore store, TimeProvider clock) : ITableOwner
{
    /// <summary>The trail of events outside any period (imports, indicator sets, tokens), listed beside the periods'.</summary>
    public const string NoPeriod = AuditEntity.NoPeriod;

    /// <summary>The table this class owns, and no other class touches (<see cref="ITableOwner"/>).</summary>
    public static string TableName(StorageNames names) => names.AuditTable;

    /// <summary>Events recorded at the same moment (a rush of uploads of one period) share one transaction per partition.</summary>
    private readonly GroupCommit writes = new(store.Audit);

    /// <summary>Records one event; completes once it is stored (with other requests' events of the moment, <see cref="GroupCommit"/>).</summary>
    public async Task RecordAsync(string actor, string action, string? periodId = null, string? unitCode = null, string? detail = null, CancellationToken ct = default)
    {
        // Upsert, not Add: the row key is this event's own, so when a reply is lost the SDK's retry
        // rewrites the same event instead of failing with 409 on what is already stored.
        ct.ThrowIfCancellationRequested();
        await writes.SubmitAsync(new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(new AuditEvent(actor, action, periodId, unitCode, detail), clock.GetUtcNow())));
    }

    /// <summary>
    /// Several events at once (a batch of reminders sent): one entity-group transaction per period and 100 events.
    /// Upserts under each event's own key, so the SDK's retry after a lost reply rewrites the same events.
    /// </summary>
    public async Task RecordManyAsync(IReadOnlyList<AuditEvent> events, CancellationToken ct = default)
    {
        var at = clock.GetUtcNow();
        foreach (var partition in events.Select(e => Entity(e, at)).GroupBy(e => e.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in partition.Chunk(100))
            {
                await store.Audit.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct);
            }
        }
    }

    private static AuditEntity Entity(AuditEvent e, DateTimeOffset at) => new()
    {
        PartitionKey = e.PeriodId ?? AuditEntity.NoPeriod,
        RowKey = (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12],
        At = at,
        Actor = e.Actor,
        ActorId = Actors.IdOf(e.Actor),
        Action = e.Action,
        UnitCode = e.UnitCode,
        Detail = e.Detail,
    };

    public Task RecordAsync(Caller caller, string action, string? periodId = null, string? unitCode = null, string? detail = null, CancellationToken ct = default) =>
        RecordAsync(caller.Actor, action, periodId, unitCode, detail, ct);

    /// <summary>Newest first: one period's trail (or the events outside a period, <see cref="AuditEntity.NoPeriod"/>), up to <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string periodId, int max = 1000, CancellationToken ct = default) =>
        (await PageAsync([periodId], max, null, ct)).Items;

    /// <summary>True when <paramref name="continuation"/> is one <see cref="PageAsync"/> hands out (a row key).</summary>
    public static bool IsContinuation(string continuation) =>
        continuation.Length == 32 && continuation[19] == '-' && continuation[..19].All(char.IsAsciiDigit) && continuation[20..].All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// Up to <paramref name="limit"/> events of the given partitions (period ids and/or <see cref="AuditEntity.NoPeriod"/>),
    /// newest first, after <paramref name="continuation"/> (the previous page's last row key). Row keys are inverted
    /// ticks, so each partition is read in key order from the cursor, at most <paramref name="limit"/> rows each, and
    /// the partitions are merged: a page reads what it returns, not the whole trail. With <paramref name="actorId"/>, only
    /// that actor's events (a person's subject, <see cref="Actors.BreakGlass"/>, "unit:code"); the service filters them.
    /// </summary>
    public async Task<AuditPage> PageAsync(IReadOnlyList<string> partitions, int limit, string? continuation, CancellationToken ct = default, string? actorId = null)
    {
        var reads = partitions.Distinct(StringComparer.Ordinal).Select(async partition =>
        {
            var filter = continuation is null
                ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {continuation}");
            if (actorId is not null)
            {
                filter += " and " + TableClient.CreateQueryFilter($"ActorId eq {actorId}");
            }

            var rows = new List<AuditEntity>();
            await foreach (var e in store.Audit.QueryAsync<AuditEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000), cancellationToken: ct))
            {
                rows.Add(e);
                if (rows.Count > limit)
                {
                    break;
                }
            }

            return rows;
        });
        var merged = (await Task.WhenAll(reads)).SelectMany(r => r).OrderBy(e => e.RowKey, StringComparer.Ordinal).ToList();
        var page = merged.Take(limit).Select(e => new AuditEntry(
            VietnamTime.ToVietnam(e.At),
            e.Actor,
            e.Action,
            e.PartitionKey == AuditEntity.NoPeriod ? null : e.PartitionKey,
            e.UnitCode,
            e.Detail)).ToList();
        return new AuditPage(page, merged.Count > limit ? merged[limit - 1].RowKey : null);
    }
}

/// <summary>One page of the audit trail, newest first; <see cref="Continuation"/> asks for the next (null: none).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, string? Continuation);

/// <summary>
/// This file's one way to its table (<see cref="DanVanStore.Table{TOwner}"/>): here <c>store.Audit</c> is
/// <see cref="AuditLog"/>'s table, and no other file can write it.
/// </summary>
file static class OwnedTable
{
    extension(DanVanStore store)
    {
        public TableClient Audit => store.Table<AuditLog>();
    }
}
