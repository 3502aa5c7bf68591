namespace DanVan.Domain;

/// <summary>One thing wrong with a row or a field: where (row index, field), a stable code, Vietnamese words.</summary>
public sealed record Violation(int? Index, string Field, string Code, string Detail);

/// <summary>What kind of refusal a rule makes, whatever the protocol that carries it.</summary>
public enum Refusal
{
    /// <summary>What was given breaks a rule (HTTP: 400).</summary>
    Invalid,

    /// <summary>What was named does not exist (HTTP: 404).</summary>
    NotFound,

    /// <summary>The state of things does not allow it now (HTTP: 409).</summary>
    Conflict,

    /// <summary>The caller acted on a state that has changed since it looked (HTTP: 412, with If-Match).</summary>
    PreconditionFailed,

    /// <summary>What was given is larger than DanVan takes (HTTP: 413).</summary>
    TooLarge,
}

/// <summary>
/// A refusal by DanVan's rules, thrown by domain and service code: a stable English <see cref="Code"/>,
/// Vietnamese <see cref="Title"/> and <see cref="Detail"/> for people, and what kind of refusal it is. The
/// edge (<c>ProblemMiddleware</c>) answers it as problem+json; nothing below the edge knows HTTP.
/// </summary>
public sealed class DomainException(Refusal refusal, string code, string title, string? detail = null, IReadOnlyList<Violation>? violations = null)
    : Exception($"{code}: {title}")
{
    public Refusal Refusal { get; } = refusal;

    public string Code { get; } = code;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public IReadOnlyList<Violation>? Violations { get; } = violations;

    public static DomainException UnknownPeriod(string periodId) =>
        new(Refusal.NotFound, "unknown_period", "Không tìm thấy kỳ báo cáo", $"Kỳ báo cáo \"{periodId}\" không tồn tại trong kế hoạch.");

    public static DomainException Invalid(string detail, IReadOnlyList<Violation> violations) =>
        new(Refusal.Invalid, "validation_failed", "Dữ liệu không hợp lệ", detail, violations);
}
