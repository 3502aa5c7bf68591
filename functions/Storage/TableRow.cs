using Azure;

namespace DanVan.Storage;

/// <summary>
/// The four properties Azure Tables gives every row (<see cref="Azure.Data.Tables.ITableEntity"/>), written once. Each row
/// type derives from it and names <c>ITableEntity</c> itself: the row type, not this base, is its table's row (and stays
/// in its owner's folder).
/// </summary>
public abstract class TableRow
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The row is now the version <paramref name="written"/> (the answer to its add or conditional write) made.</summary>
    public void WrittenAs(Response written) =>
        ETag = written.Headers.ETag ?? throw new InvalidOperationException("The table service returned no ETag.");
}
