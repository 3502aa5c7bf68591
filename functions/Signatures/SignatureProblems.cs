using DanVan.Http;

namespace DanVan.Signatures;

/// <summary>Why an upload is refused under <see cref="SignaturePolicy.Require"/>: its own codes, Vietnamese words.</summary>
public static class SignatureProblems
{
    public static ProblemException Refusal(SignatureReport report) => report.Verdict switch
    {
        SignatureVerdicts.Unsigned => new(422, "signature_missing", "Tệp PDF chưa được ký số",
            "Sở Nội vụ chỉ nhận báo cáo PDF có chữ ký số của người có thẩm quyền và của cơ quan, đơn vị. Vui lòng ký số rồi gửi lại."),
        SignatureVerdicts.ContentAppended => new(422, "signature_content_appended", "Tệp có nội dung được thêm sau chữ ký số",
            $"Chữ ký số cuối cùng không phủ toàn bộ tệp: có nội dung được thêm sau khi ký. {report.Summary}"),
        SignatureVerdicts.Unverified => new(503, "signature_unverified", "Chưa kiểm tra được chữ ký số",
            $"{report.Summary} Vui lòng gửi lại sau ít phút."),
        _ => new(422, "signature_invalid", "Chữ ký số không hợp lệ",
            $"Chữ ký số của tệp không hợp lệ hoặc tệp đã bị thay đổi sau khi ký. {report.Summary}"),
    };

    public static ProblemException SignedPdfRequired(string fileName) =>
        new(422, "signed_pdf_required", "Chỉ nhận báo cáo PDF có chữ ký số",
            $"Tệp \"{fileName}\" không phải PDF. Sở Nội vụ chỉ nhận báo cáo dạng PDF có chữ ký số (chữ ký số trong DOCX, XLSX không được kiểm tra).");
}
