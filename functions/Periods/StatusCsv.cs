using System.Globalization;
using System.Text;
using DanVan.Domain;

namespace DanVan.Periods;

/// <summary>The status table as CSV: UTF-8 with a BOM so Excel shows Vietnamese letters.</summary>
public static class StatusCsv
{
    public static byte[] Render(IReadOnlyList<StatusRow> rows)
    {
        var csv = new StringBuilder();
        csv.Append("STT,Mã đơn vị,Tên đơn vị,Nhóm,Trạng thái,Mã trạng thái,Phiên bản mới nhất,Thời điểm nhận (giờ Việt Nam),Số phiên bản,Ký số,Mã ký số,Gia hạn,Xem xét,Lý do (trả lại / gia hạn / miễn nộp)\r\n");
        var i = 0;
        foreach (var r in rows)
        {
            i++;
            string[] fields =
            [
                i.ToString(CultureInfo.InvariantCulture),
                r.UnitCode,
                r.UnitName,
                r.Group,
                r.Status.Label(),
                r.Status.Code(),
                r.LatestVersion?.ToString(CultureInfo.InvariantCulture) ?? "",
                r.ReceivedAt is { } at ? VietnamTime.ToVietnam(at).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture) : "",
                r.VersionCount.ToString(CultureInfo.InvariantCulture),
                r.Signatures?.Summary ?? "",
                r.Signatures?.Verdict ?? "",
                r.ExtendedTo is { } ext ? DecisionRules.ExtensionText(ext) : "",
                r.Review?.Label() ?? "",
                string.Join(" | ", new[] { r.ReturnReason, r.Decisions?.Extension?.Reason, r.Decisions?.Exemption?.Reason }.Where(x => x is not null)),
            ];
            csv.Append(string.Join(',', fields.Select(Quote))).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    /// <summary>RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so a spreadsheet never runs it as a formula.</summary>
    private static string Quote(string field)
    {
        if (field.Length > 0 && "=+-@".Contains(field[0]))
        {
            field = "'" + field;
        }

        return field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
    }
}
