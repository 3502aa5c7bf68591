using DanVan.Signatures;
using DanVan.Submissions;

namespace DanVan.Compilation;

/// <summary>The draft report's list of submissions that are unsigned or whose signature is broken or was followed by changes.</summary>
public static class DraftSignatures
{
    public const string Heading = "Cơ quan, đơn vị có báo cáo chưa ký số hoặc chữ ký số không hợp lệ";

    /// <summary>Why a unit's latest file belongs in the list, or null when its signatures are intact (trusted or not).</summary>
    public static string? Attention(SubmissionVersion? latest)
    {
        if (latest is null)
        {
            return null;
        }

        if (SignatureReport.FromJson(latest.Signatures) is { } report)
        {
            return report.NeedsAttention ? report.Summary : null;
        }

        return PdfReportText.IsPdf(latest.FileName)
            ? "chữ ký số chưa được kiểm tra (tệp nhận trước khi DanVan kiểm tra chữ ký số)."
            : $"tệp \"{latest.FileName}\" không phải PDF nên không có chữ ký số được kiểm tra.";
    }
}
