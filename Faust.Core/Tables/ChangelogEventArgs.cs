using Faust.Runtime;

namespace Faust.Tables;

/// <summary>One changelog record applied to a table from the changelog.</summary>
/// <typeparam name="TKey">The table's key type.</typeparam>
/// <typeparam name="TValue">The table's value type.</typeparam>
/// <param name="key">The key.</param>
/// <param name="value">The new value; default when the record deletes the key.</param>
/// <param name="deleted">True for a deletion (a tombstone).</param>
/// <param name="partition">The changelog partition.</param>
/// <param name="offset">The record's changelog offset.</param>
public sealed class ChangelogEventArgs<TKey, TValue>(TKey key, TValue? value, bool deleted, int partition, long offset) : EventArgs
{
    /// <summary>The key.</summary>
    public TKey Key { get; } = key;

    /// <summary>The new value; default when the record deletes the key.</summary>
    public TValue? Value { get; } = value;

    /// <summary>True for a deletion.</summary>
    public bool Deleted { get; } = deleted;

    /// <summary>The changelog partition.</summary>
    public int Partition { get; } = partition;

    /// <summary>The record's changelog offset.</summary>
    public long Offset { get; } = offset;
}
