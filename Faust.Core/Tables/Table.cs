using System.Text.Json;
using Faust.Routing;
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
public sealed class Table<TKey, TValue> : ITableView
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly FaustApp _app;
    private readonly Func<TValue>? _default;
    private volatile IStore?[] _stores = [];

    internal Table(FaustApp app, string name, Func<TValue>? defaultFactory, int? partitions, string? help,
        ICodec<TKey>? keyCodec, ICodec<TValue>? valueCodec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _app = app;
        Name = name;
        _default = defaultFactory;
        DeclaredPartitions = partitions;
        Help = help;
        KeyCodec = keyCodec ?? Codecs.Default<TKey>();
        ValueCodec = valueCodec ?? Codecs.Default<TValue>();
    }

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>A description shown by <c>GET /table/</c>.</summary>
    public string? Help { get; }

    /// <summary>The partition count given at declaration, or null for the app's <c>TopicPartitions</c>.</summary>
    public int? DeclaredPartitions { get; }

    /// <summary>The changelog topic: <c>{app id}-{table}-changelog</c>.</summary>
    public string ChangelogTopic => $"{_app.Options.GroupId}-{Name}-changelog";

    /// <summary>Whether missing keys read as a default value.</summary>
    public bool HasDefault => _default is not null;

    /// <summary>Encodes keys (for the store, the changelog and routing).</summary>
    public ICodec<TKey> KeyCodec { get; }

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
        var keyBytes = EncodeKey(key);
        if (TryGetBytes(keyBytes, PreferredPartition(keyBytes), out var bytes))
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
        ThrowIfConcurrent(StreamContext.Current);
        var keyBytes = EncodeKey(key);
        var stores = _stores;
        var preferred = PreferredPartition(keyBytes);
        for (var i = -1; i < stores.Length; i++)
        {
            var p = i < 0 ? preferred : i;
            if (p >= 0 && (i < 0 || p != preferred) && stores[p] is { } store && store.Delete(keyBytes))
            {
                _app.RequireWorker().ProduceChangelog(new TopicPartition(ChangelogTopic, p), keyBytes, null);
                return true;
            }
        }

        return false;
    }

    /// <summary>Keys held by this worker (all its partitions).</summary>
    public IEnumerable<TKey> Keys => Items().Select(static kv => kv.Key);

    /// <summary>Values held by this worker.</summary>
    public IEnumerable<TValue> Values => Items().Select(static kv => kv.Value);

    /// <summary>Number of keys held by this worker.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var store in _stores)
            {
                count += store?.Count ?? 0;
            }

            return count;
        }
    }

    /// <summary>Key/value pairs held by this worker; a snapshot per partition, safe to use while agents write.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Items()
    {
        foreach (var store in _stores)
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
        var partition = WritePartition(keyBytes);
        RequireStore(partition).Put(keyBytes, valueBytes);
        _app.RequireWorker().ProduceChangelog(new TopicPartition(ChangelogTopic, partition), keyBytes, valueBytes);
    }

    private byte[] EncodeKey(TKey key) =>
        KeyCodec.Encode(key) ?? throw new InvalidOperationException($"The key codec of table '{Name}' encoded a key as null.");

    private int PreferredPartition(byte[] keyBytes)
    {
        var context = StreamContext.Current;
        var stores = _stores;
        if (context is { InEvent: true } && context.Partition < stores.Length)
        {
            return context.Partition;
        }

        return stores.Length == 0 ? -1 : Partitioner.Default.PartitionFor(keyBytes.AsSpan(), stores.Length);
    }

    private int WritePartition(byte[] keyBytes)
    {
        var stores = _stores;
        if (stores.Length == 0)
        {
            throw new InvalidOperationException($"Table '{Name}' is not open yet: write to it once the app has started.");
        }

        var context = StreamContext.Current;
        ThrowIfConcurrent(context);
        if (context is { InEvent: true })
        {
            if (context.Partition >= stores.Length)
            {
                throw new InvalidOperationException(
                    $"Agent {context.AgentName} wrote to table '{Name}' while processing partition {context.Partition} of '{context.Topic}', but the changelog '{ChangelogTopic}' has {stores.Length} partitions. Give the table and its source topics the same partition count.");
            }

            return context.Partition;
        }

        return Partitioner.Default.PartitionFor(keyBytes.AsSpan(), stores.Length);
    }

    private void ThrowIfConcurrent(StreamContext? context)
    {
        if (context is { Concurrency: > 1 })
        {
            throw new InvalidOperationException(
                $"Agent {context.AgentName} runs with concurrency {context.Concurrency}, so its events are processed out of order and it cannot write table '{Name}' (as in Faust). Give the agent concurrency 1, or isolated partitions, to write tables.");
        }
    }

    private IStore RequireStore(int partition) =>
        _stores[partition] ?? throw new InvalidOperationException($"Partition {partition} of table '{Name}' is not assigned to this worker.");

    // The preferred partition first (the event's, or the key's hash), then the others: a key written from an
    // agent whose source is keyed differently lives on the event's partition, not the key's hash.
    private bool TryGetBytes(byte[] keyBytes, int preferred, out byte[] value)
    {
        var stores = _stores;
        if (preferred >= 0 && stores[preferred] is { } first && first.TryGet(keyBytes, out value))
        {
            return true;
        }

        for (var p = 0; p < stores.Length; p++)
        {
            if (p != preferred && stores[p] is { } store && store.TryGet(keyBytes, out value))
            {
                return true;
            }
        }

        value = null!;
        return false;
    }

    int ITableView.Count => Count;

    TableLookup ITableView.Lookup(string keyText)
    {
        TKey key;
        try
        {
            key = ParseKey(keyText);
        }
        catch (Exception ex) when (ex is CodecException or JsonException or FormatException)
        {
            return new TableLookup(TableLookupStatus.BadKey, null, $"Key '{keyText}' is not a valid {typeof(TKey).Name}: {ex.Message}");
        }

        if (TryGetValue(key, out var value))
        {
            return new TableLookup(TableLookupStatus.Found, JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions));
        }

        return _default is not null
            ? new TableLookup(TableLookupStatus.Default, JsonSerializer.SerializeToUtf8Bytes(_default(), JsonOptions))
            : new TableLookup(TableLookupStatus.NotFound, null);
    }

    int? ITableView.PartitionOf(string keyText)
    {
        var stores = _stores;
        return stores.Length == 0 ? null : Partitioner.Default.PartitionFor(EncodeKey(ParseKey(keyText)).AsSpan(), stores.Length);
    }

    // A path segment is the key's text: raw for string keys, JSON for other types (42, true, a quoted GUID or
    // the bare GUID).
    private TKey ParseKey(string keyText)
    {
        if (typeof(TKey) == typeof(string))
        {
            return (TKey)(object)keyText;
        }

        TKey? key;
        try
        {
            key = JsonSerializer.Deserialize<TKey>(keyText, JsonOptions);
        }
        catch (JsonException)
        {
            key = JsonSerializer.Deserialize<TKey>(JsonSerializer.Serialize(keyText), JsonOptions);
        }

        return key ?? throw new FormatException("a key cannot be null");
    }

    void ITableView.OpenPartitions(IEnumerable<int> partitions, int partitionCount)
    {
        var stores = _stores.Length == partitionCount ? (IStore?[])_stores.Clone() : new IStore?[partitionCount];
        foreach (var p in partitions)
        {
            stores[p] ??= _app.StoreFactory.Open(Name, p);
        }

        _stores = stores;
    }

    IStore? ITableView.StoreOf(int partition)
    {
        var stores = _stores;
        return partition < stores.Length ? stores[partition] : null;
    }

    void ITableView.ClosePartitions(IEnumerable<int> partitions)
    {
        var stores = (IStore?[])_stores.Clone();
        foreach (var p in partitions)
        {
            if (p < stores.Length && stores[p] is { } store)
            {
                stores[p] = null;
                store.Dispose();
            }
        }

        _stores = stores;
    }

    /// <inheritdoc />
    public override string ToString() => $"Table {Name} (changelog {ChangelogTopic})";
}
