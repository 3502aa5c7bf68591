namespace DanVan.Decisions;

/// <summary>App settings under <c>DanVan__Decisions__*</c>.</summary>
public sealed class DecisionOptions
{
    public const string Section = "DanVan:Decisions";

    /// <summary>
    /// Whether accepting a report emails the unit a short confirmation. A return always emails the unit (it has to
    /// act on it); an acceptance is news it may not need, so it is the province's choice.
    /// </summary>
    public bool EmailOnAccept { get; set; }
}
