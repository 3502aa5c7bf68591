using DanVan.Domain;

namespace DanVan.Signatures;

/// <summary>Why an upload is refused under <see cref="SignaturePolicy.Require"/>, in Vietnamese words; the codes are in <see cref="RefusalCodes"/>.</summary>
public static class SignatureProblems
{
    public static DomainException Refusal(SignatureReport report) => report.Verdict switch
    {
        SignatureVerdicts.Unsigned => RefusalCodes.SignatureMissing.Because(
            "Sở Nội vụ chỉ nhận báo cáo PDF có chữ ký số của người có thẩm quyền và của cơ quan, đơn vị. Vui lòng ký số rồi gửi lại."),
        SignatureVerdicts.ContentAppended => RefusalCodes.SignatureContentAppended.Because(
            $"Chữ ký số cuối cùng không phủ toàn bộ tệp: có nội dung được thêm sau khi ký. {report.Summary}"),
        SignatureVerdicts.Unverified => RefusalCodes.SignatureUnverified.Because(
            $"{report.Summary} Vui lòng gửi lại sau ít phút."),
        _ => RefusalCodes.SignatureInvalid.Because(
            $"Chữ ký số của tệp không hợp lệ hoặc tệp đã bị thay đổi sau khi ký. {report.Summary}"),
    };

    public static DomainException SignedPdfRequired(string fileName) =>
        RefusalCodes.SignedPdfRequired.Because(
            $"Tệp \"{fileName}\" không phải PDF. Sở Nội vụ chỉ nhận báo cáo dạng PDF có chữ ký số (chữ ký số trong DOCX, XLSX không được kiểm tra).");
}
