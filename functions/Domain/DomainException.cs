namespace DanVan.Domain;

/// <summary>One thing wrong with a row or a field: where (row index, field), a stable code, Vietnamese words.</summary>
public sealed record Violation(int? Index, string Field, string Code, string Detail);

/// <summary>
/// What kind of refusal a rule makes, whatever the protocol that carries it. Each kind is said in HTTP by
/// exactly one status (<c>Http/ProblemMiddleware.StatusOf</c>); the statuses below are that mapping's, for the reader.
/// </summary>
public enum Refusal
{
    /// <summary>What was given breaks a rule (HTTP: 400).</summary>
    Invalid,

    /// <summary>The caller did not say who it is, or not credibly (HTTP: 401).</summary>
    Unauthenticated,

    /// <summary>The caller is known but may not do this (HTTP: 403).</summary>
    Forbidden,

    /// <summary>What was named does not exist (HTTP: 404).</summary>
    NotFound,

    /// <summary>The state of things does not allow it now (HTTP: 409).</summary>
    Conflict,

    /// <summary>The caller acted on a state that has changed since it looked (HTTP: 412, with If-Match).</summary>
    PreconditionFailed,

    /// <summary>What was given is larger than DanVan takes (HTTP: 413).</summary>
    TooLarge,

    /// <summary>What was given is of a type DanVan does not take here (HTTP: 415).</summary>
    UnsupportedType,

    /// <summary>What was given is readable but DanVan will not accept it as it is (HTTP: 422).</summary>
    Unacceptable,

    /// <summary>The caller asked too often; try again later (HTTP: 429).</summary>
    TooManyRequests,

    /// <summary>Something DanVan depends on did not answer; try again later (HTTP: 503).</summary>
    Unavailable,

    /// <summary>DanVan failed on its own account (HTTP: 500).</summary>
    Failure,
}

/// <summary>
/// One entry of the catalogue of refusals (<see cref="RefusalCodes"/>): its kind, its stable English code and the
/// Vietnamese title people read. Each code is defined there once; the words of a particular refusal (its detail)
/// are given where it is thrown, through <see cref="Because"/>.
/// </summary>
public sealed record RefusalCode(Refusal Kind, string Code, string Title)
{
    public DomainException Because(string? detail, IReadOnlyList<Violation>? violations = null) => new(this, detail, violations);
}

/// <summary>
/// A refusal by DanVan's rules, thrown by domain, service and edge code alike: a <see cref="RefusalCode"/> (stable
/// English <see cref="Code"/>, kind, Vietnamese <see cref="Title"/>) and a Vietnamese <see cref="Detail"/>. The edge
/// (<c>Http/ProblemMiddleware</c>) answers it as problem+json and alone knows the HTTP status of each kind.
/// </summary>
public sealed class DomainException(RefusalCode reason, string? detail = null, IReadOnlyList<Violation>? violations = null, string? title = null)
    : Exception($"{reason.Code}: {title ?? reason.Title}")
{
    /// <summary>The catalogue entry this refusal is an instance of.</summary>
    public RefusalCode Reason { get; } = reason;

    public Refusal Refusal => Reason.Kind;

    public string Code => Reason.Code;

    /// <summary>The catalogue's title, unless the thrower words it for its own case (e.g. a unit file that cannot be read).</summary>
    public string Title { get; } = title ?? reason.Title;

    public string? Detail { get; } = detail;

    public IReadOnlyList<Violation>? Violations { get; } = violations;

    /// <summary>When asking again makes sense (a busy or unavailable dependency, a rate limit).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The wait suggested after a dependency that did not answer or was busy.</summary>
    public static readonly TimeSpan ShortWait = TimeSpan.FromSeconds(5);

    /// <summary>For <c>role_required</c>: the role value the action needs (Viewer, Officer, Leader, Administrator).</summary>
    public string? Role { get; init; }

    public static DomainException UnknownPeriod(string periodId) =>
        RefusalCodes.UnknownPeriod.Because($"Kỳ báo cáo \"{periodId}\" không tồn tại trong kế hoạch.");

    public static DomainException UnknownUnit(string unitCode) =>
        RefusalCodes.UnknownUnit.Because($"Đơn vị \"{unitCode}\" không có trong danh sách đơn vị.");

    public static DomainException Invalid(string detail, IReadOnlyList<Violation> violations) =>
        RefusalCodes.ValidationFailed.Because(detail, violations);

    public static DomainException Forbidden() =>
        RefusalCodes.Forbidden.Because("Thông tin xác thực này không được phép thực hiện thao tác này.");

    public static DomainException NoteTooLong(int maxChars) =>
        RefusalCodes.NoteTooLong.Because($"Ghi chú dài tối đa {maxChars} ký tự.");
}
