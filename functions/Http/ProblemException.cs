using DanVan.Domain;

namespace DanVan.Http;

/// <summary>
/// A request DanVan refuses: turned into an RFC 9457 problem+json answer by <see cref="ProblemMiddleware"/>.
/// <see cref="Code"/> is stable English for programs; <see cref="Title"/>/<see cref="Detail"/> are Vietnamese for people.
/// </summary>
public sealed class ProblemException(int status, string code, string title, string? detail = null, IReadOnlyList<Violation>? errors = null)
    : Exception($"{status} {code}: {title}")
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public IReadOnlyList<Violation>? Errors { get; } = errors;

    /// <summary>For 403 <c>role_required</c>: the role value the action needs (Viewer, Officer, Leader, Administrator).</summary>
    public string? Role { get; init; }

    /// <summary>Extra response headers, e.g. WWW-Authenticate.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
