using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DanVan.Audit;
using DanVan.Auth;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Email;
using DanVan.Registry;
using Microsoft.Extensions.Options;

namespace DanVan.Access;

/// <summary>What became of one unit in a request for access links: <see cref="AccessLinkStatus"/>, and to whom.</summary>
public sealed record AccessLinkResult(string UnitCode, string? UnitName, string Status, IReadOnlyList<string> To);

public static class AccessLinkStatus
{
    /// <summary>Claimed in the email ledger and on the email queue: the sender issues the credential and sends it.</summary>
    public const string Queued = "queued";

    /// <summary>This request was made before (same request id, or the same hour's resend): nothing more is sent.</summary>
    public const string AlreadyRequested = "already_requested";

    public const string NoAddress = "no_address";
    public const string UnknownUnit = "unknown_unit";
    public const string Failed = "failed";
}

/// <summary>The dashboard's view of one unit's access: its credential and the last access-link email.</summary>
public sealed record UnitAccess(string UnitCode, DateTimeOffset? IssuedAt, DateTimeOffset? LastUsedAt, string? LinkStatus, DateTimeOffset? LinkRequestedAt, DateTimeOffset? LinkSentAt, string? LinkTo);

/// <summary>
/// Access links: a unit's upload page link with a fresh credential in its fragment (<c>/api/upload#token=…</c>),
/// emailed to the unit's registered contact addresses. A request claims a row in the email ledger
/// (<see cref="EmailLedger.ClaimAccessLinkAsync"/>) and queues an envelope without any credential; the
/// queue-triggered sender calls <see cref="ComposeAsync"/>, which issues the credential (only its hash is stored;
/// the unit's earlier one keeps working until the new one is first used, see <see cref="CredentialStore.IssueBesideAsync"/>)
/// and writes it into the email it sends at once. So the credential is never
/// in the queue, the ledger, a log or a query string: only in the email itself.
/// </summary>
public sealed class AccessLinks(UnitRegistry registry, CredentialStore credentials, EmailLedger ledger, EmailQueue queue, AuditLog audit, IOptions<DanVanOptions> options, TimeProvider clock) : IComposedWhenSent, IQueuedRequest
{
    public string Kind => EmailKinds.AccessLink;

    /// <summary>Who the ledger and audit name for a unit's own resend request.</summary>
    public const string ResendActor = "public:resend";

    private const int RequestParallelism = 8;

    /// <summary>Queues a link for each unit named (in that order); <paramref name="request"/> makes a repeated request send nothing more.</summary>
    public async Task<IReadOnlyList<AccessLinkResult>> RequestAsync(IReadOnlyList<string> unitCodes, string request, string actor, CancellationToken ct = default)
    {
        var units = (await registry.ListAsync(ct)).ToDictionary(u => u.Code, StringComparer.Ordinal);
        var codes = unitCodes.Distinct(StringComparer.Ordinal).ToList();
        var results = new AccessLinkResult[codes.Count];
        // A few units at a time: each is a claim, a queue message and an audit row (a registry of hundreds answers in seconds).
        await Parallel.ForAsync(0, codes.Count, new ParallelOptions { MaxDegreeOfParallelism = RequestParallelism, CancellationToken = ct }, async (i, token) =>
        {
            results[i] = units.TryGetValue(codes[i], out var unit)
                ? await QueueAsync(unit, request, actor, token)
                : new AccessLinkResult(codes[i], null, AccessLinkStatus.UnknownUnit, []);
        });
        return results;
    }

    /// <summary>
    /// The units active today that have no access yet: no credential, and no link email that went, may have gone,
    /// or is on its way (a failed one is sent again).
    /// </summary>
    public async Task<IReadOnlyList<string>> WithoutAccessAsync(CancellationToken ct = default)
    {
        var today = VietnamTime.Today(clock);
        var issued = await credentials.ListAsync(ct);
        var links = Latest(await ledger.AccessLinksAsync(ct));
        return (await registry.ListAsync(ct))
            .Where(u => u.IsActiveOn(today) && !issued.ContainsKey(u.Code))
            .Where(u => !links.TryGetValue(u.Code, out var link) || ledger.StatusOf(link) == EmailStatus.Failed)
            .Select(u => u.Code)
            .ToList();
    }

    /// <summary>
    /// A unit asks for its link again by giving one of its addresses. Nothing about the address is read here: the
    /// request is put on the email queue as the hash of the address (<see cref="AddressHash"/>), the same one queue write
    /// whatever the address, and the queue's side (<see cref="HandleAsync"/>) looks it up. The caller answers the same
    /// either way.
    /// </summary>
    public Task RequestResendAsync(string address, CancellationToken ct = default) =>
        queue.EnqueueRequestAsync(EmailKinds.AccessResend, AddressHash(address), ct);

    /// <summary>How a resend request names an address: hex SHA-256 of it, trimmed and lowercased.</summary>
    public static string AddressHash(string address) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address.Trim().ToLowerInvariant())));

    string IQueuedRequest.Kind => EmailKinds.AccessResend;

    /// <summary>
    /// The queue's side of a resend request: every active unit that registered the address gets a fresh link at its
    /// registered addresses, at most once per unit in any hour: the ledger row of the Vietnam hour (so two requests of
    /// one hour claim one row), and no request is claimed within <see cref="ResendInterval"/> of the unit's last one.
    /// The link's credential is issued beside the one the unit has (<see cref="CredentialStore.IssueBesideAsync"/>):
    /// however often anyone asks, the unit's working link keeps working.
    /// </summary>
    public async Task HandleAsync(EmailQueueMessage message, CancellationToken ct)
    {
        var hash = message.AddressHash ?? throw new FormatException("A resend request carries the address's hash.");
        var now = clock.GetUtcNow();
        var today = VietnamTime.DateOf(now);
        var hour = ResendRequestPrefix + VietnamTime.ToVietnam(now).ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
        foreach (var unit in (await registry.ListAsync(ct)).Where(u => u.IsActiveOn(today) && u.Emails.Any(e => AddressHash(e) == hash)))
        {
            var recent = (await ledger.AccessLinksOfAsync(unit.Code, ct))
                .Any(r => r.RowKey.StartsWith(EmailLedger.AccessRowKey(unit.Code, ResendRequestPrefix), StringComparison.Ordinal)
                    && r.RowKey != EmailLedger.AccessRowKey(unit.Code, hour)
                    && now - r.ClaimedAt < ResendInterval
                    && ledger.StatusOf(r) != EmailStatus.Failed);
            if (!recent)
            {
                await QueueAsync(unit, hour, ResendActor, ct);
            }
        }
    }

    /// <summary>The request name of a unit's resend: followed by its Vietnam hour (yyyyMMddHH).</summary>
    private const string ResendRequestPrefix = "resend-";

    /// <summary>At most one resend link per unit within this long.</summary>
    public static readonly TimeSpan ResendInterval = TimeSpan.FromHours(1);

    private async Task<AccessLinkResult> QueueAsync(Unit unit, string request, string actor, CancellationToken ct)
    {
        var to = unit.Emails;
        if (to.Count == 0)
        {
            return new AccessLinkResult(unit.Code, unit.Name, AccessLinkStatus.NoAddress, []);
        }

        var claim = await ledger.ClaimAccessLinkAsync(unit.Code, request, string.Join(";", to), actor, ct);
        if (!claim.Won)
        {
            return new AccessLinkResult(unit.Code, unit.Name, AccessLinkStatus.AlreadyRequested, to);
        }

        var outcome = await queue.QueueClaimedAsync(EmailKinds.AccessLink, claim.Row!, Envelope(unit), ct);
        await audit.RecordAsync(actor, AuditActions.AccessLinkRequest, unitCode: unit.Code, detail: $"to {string.Join(", ", to)}; {outcome.Result}", ct: ct);
        return new AccessLinkResult(unit.Code, unit.Name, outcome.Result == EmailResult.Queued ? AccessLinkStatus.Queued : AccessLinkStatus.Failed, to);
    }

    /// <summary>What waits on the queue: who and what, never the credential (issued only when the email is composed).</summary>
    private static EmailMessage Envelope(Unit unit) => new(unit.Emails, [], $"[DanVan] Đường liên kết nộp báo cáo của {unit.Name}", "", "")
    {
        Categories = ["danvan", "access-link"],
        CustomArgs = new Dictionary<string, string> { ["unitCode"] = unit.Code },
    };

    /// <summary>
    /// Called by the sender for a ledger row it holds (<c>sending</c>): issues the unit's new credential and composes
    /// the email with the link. The unit's addresses are read now, so a corrected address is used (the sender records them on the row).
    /// </summary>
    public async Task<EmailMessage> ComposeAsync(EmailLedgerRow row, CancellationToken ct)
    {
        var unit = await registry.FindAsync(row.UnitCode, ct) ?? throw new InvalidOperationException($"Unit {row.UnitCode} is not in the registry.");
        if (unit.Emails.Count == 0)
        {
            throw new InvalidOperationException($"Unit {row.UnitCode} has no contact address.");
        }

        var issued = await credentials.IssueBesideAsync(unit.Code, ct);
        var uploadUrl = ReceiptEmails.UploadUrl(options.Value.PublicBaseUrl);
        var values = new Dictionary<string, string>
        {
            ["unitName"] = unit.Name,
            ["accessUrl"] = uploadUrl + "#token=" + issued.Token,
            ["uploadUrl"] = uploadUrl,
            ["issuedAt"] = VietnamTime.FormatDateTime(issued.IssuedAt),
        };
        var rendered = EmailTemplates.Render("access-link", values);
        return new EmailMessage(unit.Emails, [], rendered.Subject, rendered.Text, rendered.Html)
        {
            Categories = ["danvan", "access-link"],
            CustomArgs = new Dictionary<string, string> { ["unitCode"] = unit.Code },
        };
    }

    /// <summary>Per unit in the registry: its credential (issued, last used) and its latest access-link email.</summary>
    public async Task<IReadOnlyList<UnitAccess>> OverviewAsync(CancellationToken ct = default)
    {
        var issued = await credentials.ListAsync(ct);
        var links = Latest(await ledger.AccessLinksAsync(ct));
        return (await registry.ListAsync(ct)).Select(u =>
        {
            issued.TryGetValue(u.Code, out var credential);
            links.TryGetValue(u.Code, out var link);
            return new UnitAccess(
                u.Code,
                credential is null ? null : VietnamTime.ToVietnam(credential.IssuedAt),
                credential?.LastUsedAt is { } used ? VietnamTime.ToVietnam(used) : null,
                link is null ? null : ledger.StatusOf(link),
                link is null ? null : VietnamTime.ToVietnam(link.ClaimedAt),
                link?.SentAt is { } sent ? VietnamTime.ToVietnam(sent) : null,
                link?.To.Replace(";", ", ", StringComparison.Ordinal));
        }).ToList();
    }

    private static Dictionary<string, EmailLedgerRow> Latest(IReadOnlyList<EmailLedgerRow> rows) =>
        rows.GroupBy(r => r.UnitCode, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.MaxBy(r => r.ClaimedAt)!, StringComparer.Ordinal);
}
