namespace DanVan.Http;

/// <summary>One entry of a problem's <c>errors</c> list (e.g. a bad row of an import).</summary>
public sealed record ProblemItem(int? Index, string Field, string Code, string Detail);

/// <summary>
/// A request DanVan refuses: turned into an RFC 9457 problem+json answer by <see cref="ProblemMiddleware"/>.
/// <see cref="Code"/> is stable English for programs; <see cref="Title"/>/<see cref="Detail"/> are Vietnamese for people.
/// </summary>
public sealed class ProblemException(int status, string code, string title, string? detail = null, IReadOnlyList<ProblemItem>? errors = null)
    : Exception($"{status} {code}: {title}")
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public IReadOnlyList<ProblemItem>? Errors { get; } = errors;

    /// <summary>Extra response headers, e.g. WWW-Authenticate.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
