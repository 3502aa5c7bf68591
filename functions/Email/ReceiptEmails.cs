using System.Globalization;
using DanVan.Configuration;
using DanVan.Domain;
using Microsoft.Extensions.Options;

namespace DanVan.Email;

/// <summary>What the upload path knows about an accepted version, for the unit's email receipt.</summary>
public sealed record ReceiptEmail(
    string UnitCode,
    string UnitName,
    IReadOnlyList<string> To,
    string PeriodId,
    string PeriodTitle,
    DateTimeOffset Deadline,
    int Version,
    string FileName,
    long SizeBytes,
    string Sha256,
    DateTimeOffset ReceivedAt,
    bool OnTime);

/// <summary>The email receipt a unit gets for each accepted upload, from the same sender and templates as reminders.</summary>
public sealed class ReceiptEmails(Mailer mailer, IOptions<DanVanOptions> options)
{
    public Task<EmailOutcome> SendAsync(ReceiptEmail receipt, CancellationToken ct = default) =>
        mailer.SendAsync(Compose(receipt, options.Value.PublicBaseUrl), ct);

    public static EmailMessage Compose(ReceiptEmail r, string publicBaseUrl)
    {
        var values = new Dictionary<string, string>
        {
            ["unitName"] = r.UnitName,
            ["periodTitle"] = r.PeriodTitle,
            ["deadline"] = VietnamTime.DescribeDeadline(r.Deadline),
            ["version"] = r.Version.ToString(CultureInfo.InvariantCulture),
            ["fileName"] = r.FileName,
            ["size"] = DescribeSize(r.SizeBytes),
            ["sha256"] = r.Sha256,
            ["receivedAt"] = VietnamTime.ToVietnam(r.ReceivedAt).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture),
            ["timeliness"] = r.OnTime ? "Đúng hạn" : "Muộn (sau hạn nộp)",
            ["uploadUrl"] = UploadUrl(publicBaseUrl),
        };
        var rendered = EmailTemplates.Render("receipt", values);
        return new EmailMessage(r.To, [], rendered.Subject, rendered.Text, rendered.Html)
        {
            Categories = ["danvan", "receipt"],
            CustomArgs = new Dictionary<string, string> { ["periodId"] = r.PeriodId, ["unitCode"] = r.UnitCode, ["version"] = values["version"] },
        };
    }

    /// <summary>The upload page every email links to.</summary>
    public static string UploadUrl(string publicBaseUrl) => publicBaseUrl.TrimEnd('/') + "/api/upload";

    /// <summary>"1.234.567 byte (1,2 MB)" in Vietnamese number format.</summary>
    public static string DescribeSize(long bytes)
    {
        var exact = bytes.ToString("N0", VietnamTime.Culture) + " byte";
        return bytes < 1024 * 1024
            ? exact
            : $"{exact} ({(bytes / (1024.0 * 1024.0)).ToString("0.0", VietnamTime.Culture)} MB)";
    }
}
