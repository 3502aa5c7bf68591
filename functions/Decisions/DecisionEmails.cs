using System.Globalization;
using DanVan.Configuration;
using DanVan.Domain;
using DanVan.Email;
using Microsoft.Extensions.Options;

namespace DanVan.Decisions;

/// <summary>What a review decision's email says: the unit, the version decided on, and (for a return) why.</summary>
public sealed record DecisionEmail(
    Unit Unit,
    Period Period,
    DateTimeOffset Deadline,
    int Revision,
    Review Review,
    string FileName);

/// <summary>
/// The email telling a unit of a review decision, through the same ledger and queue as receipts: the change of
/// its decisions is claimed once in the email ledger (<see cref="EmailLedger.ClaimDecisionAsync"/>), then queued
/// for the queue-triggered sender. No request waits on SendGrid.
/// </summary>
public sealed class DecisionEmails(EmailLedger ledger, EmailQueue queue, IOptions<DanVanOptions> options)
{
    /// <summary>What became of the email: <c>queued</c>, <c>no_address</c>, or <c>failed</c> (the decision stays recorded).</summary>
    public async Task<string> SendAsync(DecisionEmail decision, string actor, CancellationToken ct = default)
    {
        var email = Compose(decision, options.Value.PublicBaseUrl);
        if (email.To.Count == 0)
        {
            return "no_address";
        }

        var periodId = decision.Period.Id.ToString();
        var claim = await ledger.ClaimDecisionAsync(periodId, decision.Unit.Code, decision.Revision, string.Join(";", email.To), actor, ct);
        if (!claim.Won)
        {
            return "queued";
        }

        var outcome = await queue.QueueClaimedAsync(EmailKinds.Decision, claim.Row!, email, ct);
        return outcome.Result == EmailResult.Queued ? "queued" : "failed";
    }

    public static EmailMessage Compose(DecisionEmail d, string publicBaseUrl)
    {
        var values = new Dictionary<string, string>
        {
            ["unitName"] = d.Unit.Name,
            ["periodTitle"] = d.Period.Title,
            ["version"] = d.Review.Version.ToString(CultureInfo.InvariantCulture),
            ["fileName"] = d.FileName,
            ["decidedAt"] = VietnamTime.FormatDateTime(d.Review.At),
            ["decidedBy"] = Auth.Actors.Display(d.Review.By),
            ["deadline"] = d.Deadline == d.Period.Deadline
                ? VietnamTime.DescribeDeadline(d.Deadline)
                : $"{VietnamTime.DescribeDeadline(d.Deadline)} ({DecisionRules.ExtensionText(d.Deadline)})",
            ["reason"] = d.Review.Reason ?? "",
            ["uploadUrl"] = ReceiptEmails.UploadUrl(publicBaseUrl),
        };
        var template = d.Review.Verdict == ReviewVerdict.Returned ? "decision-returned" : "decision-accepted";
        var rendered = EmailTemplates.Render(template, values);
        return new EmailMessage(d.Unit.Emails, [], rendered.Subject, rendered.Text, rendered.Html)
        {
            Categories = ["danvan", template],
            CustomArgs = new Dictionary<string, string> { ["periodId"] = d.Period.Id.ToString(), ["unitCode"] = d.Unit.Code, ["version"] = values["version"] },
        };
    }
}
