namespace DanVan.Changes;

/// <summary>
/// A table whose unit rows finalization fences (<c>Periods.PeriodCatalog.MarkFinalizedAsync</c>): a write that read the
/// period's gate open is conditional on its unit's row, which the fence changes, so it was stored before or fails.
/// </summary>
public interface IFencedTable
{
    Task FenceAsync(string periodId, IEnumerable<string> units, DateTimeOffset closedAt, CancellationToken ct = default);
}
