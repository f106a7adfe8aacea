namespace Faust.Stores;

/// <summary>
/// The local state of one table partition: serialized keys and values, plus the changelog offset the state
/// reflects (so recovery reads only what came after it).
/// </summary>
/// <remarks>Thread safe: an agent writes while HTTP requests read.</remarks>
internal interface IStore : IDisposable
{
    /// <summary>The last changelog offset applied to this store, or -1.</summary>
    long AppliedOffset { get; }

    /// <summary>Whether the store survives a restart (RocksDB) or starts empty each time (memory).</summary>
    bool IsPersistent { get; }

    int Count { get; }

    bool TryGet(byte[] key, out byte[] value);

    void Put(byte[] key, byte[] value);

    bool Delete(byte[] key);

    /// <summary>Applies one changelog record during recovery (a null value deletes) and records its offset.</summary>
    void ApplyChangelog(byte[] key, byte[]? value, long offset);

    /// <summary>Records the changelog offset the store now reflects (never moves backwards).</summary>
    /// <summary>Applies changelog entries in offset order and makes them durable with the last
    /// offset: the effect of <see cref="ApplyChangelog"/> for each record (a record without a key only advances the
    /// offset) followed by <see cref="Flush"/>. Recovery's bulk path.</summary>
    void ApplyChangelogBatch(ReadOnlySpan<ChangelogEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Key is { } key)
            {
                ApplyChangelog(key, entry.Value, entry.Offset);
            }
            else
            {
                SetAppliedOffset(entry.Offset);
            }
        }

        Flush();
    }

    void SetAppliedOffset(long offset);

    /// <summary>Makes the writes so far and the applied offset durable, atomically (a no-op for memory).</summary>
    void Flush();

    IEnumerable<KeyValuePair<byte[], byte[]>> Items();

    /// <summary>Drops all local state (Faust's <c>reset</c>).</summary>
    void Clear();
}
