using System.Text.Json;
using Faust.Diagnostics;
using Faust.Routing;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Stores;
using Faust.Streams;
using Faust.Transport;

namespace Faust.Tables;

/// <summary>
/// A table: a key/value store local to the worker, sharded like its source topics, with every change written to
/// a compacted changelog topic (<c>{app}-{table}-changelog</c>) so it can be rebuilt after a restart.
/// </summary>
/// <remarks>
/// <para>A write made while an agent processes an event goes to the changelog partition with the event's
/// partition number (co-partitioning: the source and the changelog must have the same partition count). A write
/// made elsewhere goes to the key's murmur2 partition.</para>
/// <para>Reads and writes are thread safe. Reading a missing key returns the table's default when it has one
/// (the default is not stored) and throws <see cref="KeyNotFoundException"/> otherwise.</para>
/// <para>Keys are encoded with the same codec rules as topics (<c>string</c> as raw UTF-8), so a table key hashes
/// to the same partition as the source record's key, and HTTP lookups are routed to the right worker.</para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class Table<TKey, TValue> : TableBase<TKey>, ITableView
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly Func<TValue>? _default;

    internal Table(AppRuntime app, string name, Func<TValue>? defaultFactory, int? partitions, string? help, Schema<TKey, TValue> schema, bool global = false)
        : base(app, name, partitions, help)
    {
        IsGlobal = global;
        _default = defaultFactory;
        (KeyCodec, ValueCodec) = schema.Resolve(app.Codecs);
    }

    PartitionedStores ITableView.Stores => Stores;

    // The last string key this thread encoded for this table, with its bytes: `table[k] += n` reads and then writes
    // the same key, and encodes it once. Only for string keys (immutable; equal strings encode to equal bytes). The
    // cached array is never written to: the store and the changelog buffer hold it as their key, as they did before.
    [ThreadStatic]
    private static Table<TKey, TValue>? t_lastTable;

    [ThreadStatic]
    private static string? t_lastKey;

    [ThreadStatic]
    private static byte[]? t_lastKeyBytes;

    /// <summary>Whether this is a global table (<see cref="FaustDeclarations.GlobalTable{TKey, TValue}(string, Func{TValue}?, int?, string?, ICodec{TKey}?, ICodec{TValue}?)"/>):
    /// every worker holds and reads every partition; each partition is written only by its owner.</summary>
    public bool IsGlobal { get; }

    /// <summary>Whether missing keys read as a default value.</summary>
    public bool HasDefault => _default is not null;

    /// <inheritdoc />
    public override ICodec<TKey> KeyCodec { get; }

    /// <summary>Encodes values.</summary>
    public ICodec<TValue> ValueCodec { get; }

    /// <summary>Gets or sets a value. Setting writes the store and the changelog.</summary>
    /// <exception cref="KeyNotFoundException">Getting a missing key of a table without a default.</exception>
    public TValue this[TKey key]
    {
        get
        {
            if (TryGetValue(key, out var value))
            {
                return value;
            }

            return _default is not null ? _default() : throw new KeyNotFoundException($"Key '{key}' is not in table '{Name}'.");
        }

        set => Write(key, value);
    }

    /// <summary>Gets the value of a key held by this worker.</summary>
    public bool TryGetValue(TKey key, out TValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        var context = StreamContext.Current;
        Stats.For(context?.Stats, out var shared).Get(shared);
        if (Stores.TryGet(EncodeKey(key), context, out var bytes, out _))
        {
            value = ValueCodec.Decode(bytes);
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Whether this worker holds the key.</summary>
    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    /// <summary>Removes a key: deletes it locally and writes a tombstone to the changelog.</summary>
    /// <returns>Whether the key was present.</returns>
    public bool Remove(TKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var context = StreamContext.Current;
        Stores.ThrowIfConcurrent(context);
        Stats.For(context?.Stats, out var shared).Delete(shared);
        var keyBytes = EncodeKey(key);
        if (!Stores.TryGet(keyBytes, context, out _, out var partition))
        {
            return false;
        }

        ThrowIfNotOwned(partition);
        if (!Stores.Require(partition).Delete(keyBytes))
        {
            return false;
        }

        App.Changelog.ProduceChangelog(new TopicPartition(ChangelogTopic, partition), keyBytes, null);
        return true;
    }

    /// <summary>Keys held by this worker (all its partitions).</summary>
    public IEnumerable<TKey> Keys => Items().Select(static kv => kv.Key);

    /// <summary>Values held by this worker.</summary>
    public IEnumerable<TValue> Values => Items().Select(static kv => kv.Value);

    /// <summary>Key/value pairs held by this worker; a snapshot per partition, safe to use while agents write.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Items()
    {
        foreach (var store in Stores.All)
        {
            if (store is null)
            {
                continue;
            }

            foreach (var (key, value) in store.Items().ToArray())
            {
                yield return new KeyValuePair<TKey, TValue>(KeyCodec.Decode(key), ValueCodec.Decode(value));
            }
        }
    }

    private void Write(TKey key, TValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (value is null)
        {
            Remove(key);
            return;
        }

        var keyBytes = EncodeKey(key);
        var valueBytes = ValueCodec.Encode(value) ?? throw new InvalidOperationException($"The value codec of table '{Name}' encoded a value as null.");
        var context = StreamContext.Current;
        var partition = Stores.WritePartition(keyBytes, context);
        ThrowIfNotOwned(partition);
        Stores.Require(partition).Put(keyBytes, valueBytes);
        App.Changelog.ProduceChangelog(new TopicPartition(ChangelogTopic, partition), keyBytes, valueBytes);
        Stats.For(context?.Stats, out var shared).Set(shared);
    }

    // A global table holds partitions other workers own and write; writing one here would fork it from its changelog.
    private void ThrowIfNotOwned(int partition)
    {
        if (IsGlobal && !App.Ownership.OwnsPartition(partition))
        {
            throw new InvalidOperationException(
                $"Partition {partition} of global table '{Name}' is owned by another worker: write it from an agent processing that partition (its owner).");
        }
    }

    private protected override byte[] EncodeKey(TKey key)
    {
        if (typeof(TKey) == typeof(string))
        {
            var text = (string)(object)key!;
            if (ReferenceEquals(t_lastTable, this) && string.Equals(t_lastKey, text, StringComparison.Ordinal))
            {
                return t_lastKeyBytes!;
            }

            var bytes = EncodeKeyUncached(key);
            t_lastKey = text;
            t_lastKeyBytes = bytes;
            t_lastTable = this;
            return bytes;
        }

        return EncodeKeyUncached(key);
    }

    private byte[] EncodeKeyUncached(TKey key) =>
        KeyCodec.Encode(key) ?? throw new InvalidOperationException($"The key codec of table '{Name}' encoded a key as null.");

    TableLookup ITableView.Lookup(string keyText)
    {
        if (!TableKeyText.TryParse<TKey>(keyText, out var key, out var badKey))
        {
            return badKey;
        }

        return Answer(TryGetValue(key, out var value), value);
    }

    TableLookup ITableView.LookupStandby(string keyText, int partition)
    {
        if (!TableKeyText.TryParse<TKey>(keyText, out var key, out var badKey))
        {
            return badKey;
        }

        return Stores.StoreOf(partition) is { } store && store.TryGet(EncodeKey(key), out var bytes)
            ? Answer(found: true, ValueCodec.Decode(bytes))
            : Answer(found: false, default!);
    }

    // The value held, else the table's default, else not found.
    private TableLookup Answer(bool found, TValue value) =>
        found ? new TableLookup(TableLookupStatus.Found, RenderJson(value))
        : _default is not null ? new TableLookup(TableLookupStatus.Default, RenderJson(_default()))
        : new TableLookup(TableLookupStatus.NotFound, null);

    // As the value codec writes JSON when it does (records with their envelope, decimals as strings, as Faust's
    // table view answers), else System.Text.Json's web defaults.
    private byte[] RenderJson(TValue value) =>
        ValueCodec is IJsonValueCodec<TValue> json && value is not null ? json.ToJson(value) : JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions);

    TablePage ITableView.Browse(int? partition, int offset, int limit) =>
        Stores.Browse(partition, offset, limit, key => TableKeyText.Format(KeyCodec.Decode(key)), value => RenderJson(ValueCodec.Decode(value)));

    int? ITableView.PartitionOf(string keyText) => PartitionOfKeyText(keyText);

    /// <summary>Raised when recovery of the worker's partitions of this table is done (Faust's <c>on_recover</c>).
    /// Runs on the recovery thread once every partition of the assignment is recovered; agents of partitions that
    /// recovered earlier may already be running (each partition resumes as soon as it is recovered).</summary>
    public event EventHandler<TableRecoveredEventArgs>? Recovered;

    /// <summary>Raised for each changelog record applied from the changelog rather than by this worker's own writes:
    /// during recovery (Faust's <c>on_changelog_event</c>). Runs on the recovery thread; the value is default for a
    /// deletion. Records are decoded only while someone is subscribed.</summary>
    public event EventHandler<ChangelogEventArgs<TKey, TValue>>? ChangelogEvent;

    /// <summary>Drops this worker's local state of every partition (Faust's <c>reset_state</c>); the changelog is
    /// untouched, so a restart recovers the table again.</summary>
    public void ResetLocalState() => Stores.Clear();

    void ITableView.ApplyChangelog(int partition, byte[] key, byte[]? value, long offset)
    {
        Stores.Require(partition).ApplyChangelog(key, value, offset);
        if (ChangelogEvent is { } handler)
        {
            handler(this, new ChangelogEventArgs<TKey, TValue>(KeyCodec.Decode(key), value is null ? default : ValueCodec.Decode(value), value is null, partition, offset));
        }
    }

    void ITableView.ApplyChangelogBatch(int partition, ReadOnlySpan<ChangelogEntry> entries)
    {
        Stores.Require(partition).ApplyChangelogBatch(entries);
        if (ChangelogEvent is { } handler)
        {
            foreach (var entry in entries)
            {
                if (entry.Key is { } key)
                {
                    handler(this, new ChangelogEventArgs<TKey, TValue>(KeyCodec.Decode(key), entry.Value is null ? default : ValueCodec.Decode(entry.Value), entry.Value is null, partition, entry.Offset));
                }
            }
        }
    }

    void ITableView.OnRecovered(IReadOnlyCollection<int> partitions, long applied) =>
        Recovered?.Invoke(this, new TableRecoveredEventArgs(partitions, applied));

    /// <inheritdoc />
    public override string ToString() => $"{(IsGlobal ? "Global table" : "Table")} {Name} (changelog {ChangelogTopic})";
}
