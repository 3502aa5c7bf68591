namespace DanVan.Storage;

/// <summary>
/// The one class that knows a table's keys and rows (its store). Each DanVan table has exactly one owner; the owner
/// reaches it through <see cref="DanVanStore.Table{TOwner}"/>, and nobody else does.
/// </summary>
public interface ITableOwner
{
    /// <summary>The owned table's name (with the configured prefix), one of <see cref="StorageNames.Tables"/>.</summary>
    static abstract string TableName(StorageNames names);
}
