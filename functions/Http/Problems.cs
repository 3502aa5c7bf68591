using DanVan.Domain;
namespace DanVan.Http;

/// <summary>
/// The refusals the edge itself makes (parameters, request bodies, storage; a credential's are <c>Auth/AuthRefusals</c>), worded here; their codes are in
/// <see cref="RefusalCodes"/>. Refusals shared with services (<see cref="DomainException.Forbidden"/>,
/// <see cref="DomainException.UnknownUnit"/>, <see cref="DomainException.Invalid"/>) live on <see cref="DomainException"/>.
/// </summary>
public static class Problems
{
    /// <summary>Storage did not answer (after the SDK's retries): try again shortly.</summary>
    public static DomainException StorageUnavailable() =>
        new(RefusalCodes.StorageUnavailable, "Kho lưu trữ dữ liệu không phản hồi. Vui lòng thử lại sau ít phút.") { RetryAfter = DomainException.ShortWait };

    public static DomainException InvalidJson(string detail) => RefusalCodes.InvalidJson.Because(detail);

    public static DomainException BodyTooLarge(long maxBytes) =>
        RefusalCodes.BodyTooLarge.Because($"Nội dung yêu cầu vượt quá {maxBytes.ToString("N0", VietnamTime.Culture)} byte.");

    public static DomainException BodyIncomplete() =>
        RefusalCodes.BodyIncomplete.Because(
            "Nội dung yêu cầu bị ngắt giữa chừng hoặc ngắn hơn tiêu đề Content-Length nên chưa được xử lý. Vui lòng gửi lại.");

    public static DomainException BadParameter(string name, string detail) =>
        RefusalCodes.InvalidParameter.Because(detail, [new Violation(null, name, "invalid", detail)]);

    public static DomainException NotFound(string detail) => RefusalCodes.NotFound.Because(detail);
}
