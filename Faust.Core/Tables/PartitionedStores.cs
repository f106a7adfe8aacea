using System.Text.Json;
using Faust.Routing;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Stores;
using Faust.Streams;

namespace Faust.Tables;

// The local partitions of one table: which stores are open, which partition a read or write goes to.
//
// A standby partition (a replica of a partition another worker owns) is open and fed by the changelog follower, but
// invisible to reads, counts and iteration: those see what this worker owns (and, for a global table, every
// partition). It becomes visible when it is opened as owned.
//
// Write rule (co-partitioning): a write made while an agent processes an event goes to the partition numbered
// like the event's; any other write goes to the key's murmur2 partition. A read looks in that partition first and
// then in the others, because a key written by an agent whose source is keyed differently lives on the event's
// partition, not on its hash.
internal sealed class PartitionedStores(string table, Func<string> changelogTopic, Func<IStoreFactory> factory)
{
    private readonly object _openClose = new();
    private volatile IStore?[] _stores = [];
    private volatile bool[] _standby = [];

    /// <summary>The stores reads see: every open one but standbys (null entries for the others).</summary>
    public IStore?[] All
    {
        get
        {
            var stores = _stores;
            var standby = _standby;
            if (Array.IndexOf(standby, true) < 0)
            {
                return stores;
            }

            var visible = (IStore?[])stores.Clone();
            for (var p = 0; p < visible.Length && p < standby.Length; p++)
            {
                if (standby[p])
                {
                    visible[p] = null;
                }
            }

            return visible;
        }
    }

    public bool IsStandby(int partition)
    {
        var standby = _standby;
        return (uint)partition < (uint)standby.Length && standby[partition];
    }

    public int PartitionCount => _stores.Length;

    public IStore? StoreOf(int partition)
    {
        var stores = _stores;
        return (uint)partition < (uint)stores.Length ? stores[partition] : null;
    }

    public IStore Require(int partition) =>
        StoreOf(partition) ?? throw new InvalidOperationException($"Partition {partition} of table '{table}' is not assigned to this worker.");

    // Open and Close may run on the poll thread and on the recovery chain (standbys) at once: each copies the array,
    // so they are serialized, or one would lose the other's change.
    public void Open(IEnumerable<int> partitions, int partitionCount, bool standby = false)
    {
        lock (_openClose)
        {
            var stores = _stores.Length == partitionCount ? (IStore?[])_stores.Clone() : new IStore?[partitionCount];
            var flags = _standby.Length == partitionCount ? (bool[])_standby.Clone() : new bool[partitionCount];
            var storeFactory = factory();
            foreach (var p in partitions)
            {
                stores[p] ??= storeFactory.Open(table, p);
                flags[p] = standby;
            }

            _stores = stores;
            _standby = flags;
        }
    }

    /// <summary>Turns open partitions into standbys (hidden from reads) or back.</summary>
    public void SetStandby(IEnumerable<int> partitions, bool standby)
    {
        lock (_openClose)
        {
            var flags = (bool[])_standby.Clone();
            foreach (var p in partitions)
            {
                if ((uint)p < (uint)flags.Length)
                {
                    flags[p] = standby;
                }
            }

            _standby = flags;
        }
    }

    public void Close(IEnumerable<int> partitions)
    {
        lock (_openClose)
        {
            var stores = (IStore?[])_stores.Clone();
            foreach (var p in partitions)
            {
                if ((uint)p < (uint)stores.Length && stores[p] is { } store)
                {
                    stores[p] = null;
                    store.Dispose();
                }
            }

            _stores = stores;
            SetStandby(partitions, standby: false);
        }
    }

    public void Flush()
    {
        foreach (var store in _stores)
        {
            store?.Flush();
        }
    }

    public void Clear()
    {
        foreach (var store in _stores)
        {
            store?.Clear();
        }
    }

    public int Count
    {
        get
        {
            var count = 0;
            foreach (var store in All)
            {
                count += store?.Count ?? 0;
            }

            return count;
        }
    }

    /// <summary>The partition a read looks in first: the event's, else the key's hash; -1 when nothing is open.</summary>
    public int PreferredPartition(byte[] keyBytes) => PreferredPartition(keyBytes, StreamContext.Current);

    // The overloads taking the context let a caller that already read StreamContext.Current (an AsyncLocal) pass it on.
    public int PreferredPartition(byte[] keyBytes, StreamContext? context)
    {
        var stores = _stores;
        if (context is { InEvent: true } && context.Partition < stores.Length)
        {
            return context.Partition;
        }

        return stores.Length == 0 ? -1 : Partitioner.Default.PartitionFor(keyBytes.AsSpan(), stores.Length);
    }

    /// <summary>The partition a write goes to (see the write rule above).</summary>
    public int WritePartition(byte[] keyBytes) => WritePartition(keyBytes, StreamContext.Current);

    public int WritePartition(byte[] keyBytes, StreamContext? context)
    {
        var stores = _stores;
        if (stores.Length == 0)
        {
            throw new InvalidOperationException($"Table '{table}' is not open yet: write to it once the app has started.");
        }

        ThrowIfConcurrent(context);
        if (context is { InEvent: true })
        {
            if (context.Partition >= stores.Length)
            {
                throw new InvalidOperationException(
                    $"Agent {context.AgentName} wrote to table '{table}' while processing partition {context.Partition} of '{context.Topic}', but the changelog '{changelogTopic()}' has {stores.Length} partitions. Give the table and its source topics the same partition count.");
            }

            return context.Partition;
        }

        return Partitioner.Default.PartitionFor(keyBytes.AsSpan(), stores.Length);
    }

    /// <summary>Refuses a write from an agent whose actors share its stream (concurrency above 1): its events are
    /// processed out of order, so its writes could land out of order too (as in Faust).</summary>
    public void ThrowIfConcurrent(StreamContext? context)
    {
        if (context is { Concurrency: > 1 })
        {
            throw new InvalidOperationException(
                $"Agent {context.AgentName} runs with concurrency {context.Concurrency}, so its events are processed out of order and it cannot write table '{table}' (as in Faust). Give the agent concurrency 1, or isolated partitions, to write tables.");
        }
    }

    /// <summary>Finds a key: the preferred partition first, then the others.</summary>
    public bool TryGet(byte[] keyBytes, out byte[] value, out int partition) => TryGet(keyBytes, StreamContext.Current, out value, out partition);

    public bool TryGet(byte[] keyBytes, StreamContext? context, out byte[] value, out int partition)
    {
        var stores = All;
        var preferred = PreferredPartition(keyBytes, context);
        if (preferred >= 0 && stores[preferred] is { } first && first.TryGet(keyBytes, out value))
        {
            partition = preferred;
            return true;
        }

        for (var p = 0; p < stores.Length; p++)
        {
            if (p != preferred && stores[p] is { } store && store.TryGet(keyBytes, out value))
            {
                partition = p;
                return true;
            }
        }

        value = null!;
        partition = -1;
        return false;
    }

    /// <summary>A page of the local entries (see <see cref="ITableView.Browse"/>), rendered by the table's own key
    /// and value formatters. An entry that no longer decodes (the codec changed) is shown, not hidden: its key in
    /// base64 and the reason as the value.</summary>
    public TablePage Browse(int? partition, int offset, int limit, Func<byte[], string> keyText, Func<byte[], byte[]> valueJson)
    {
        var stores = All;
        var entries = new List<TableEntry>(Math.Clamp(limit, 0, 1000));
        var total = 0;
        for (var p = 0; p < stores.Length; p++)
        {
            if ((partition is { } only && p != only) || stores[p] is not { } store)
            {
                continue;
            }

            var skip = Math.Max(0, offset - total);
            var count = store.Count;
            total += count;
            if (entries.Count >= limit || skip >= count)
            {
                continue;
            }

            foreach (var (key, value) in store.Items())
            {
                if (skip > 0)
                {
                    skip--;
                    continue;
                }

                if (entries.Count >= limit)
                {
                    break;
                }

                entries.Add(Render(p, key, value, keyText, valueJson));
            }
        }

        return new TablePage(entries, total);
    }

    private static TableEntry Render(int partition, byte[] key, byte[] value, Func<byte[], string> keyText, Func<byte[], byte[]> valueJson)
    {
        string text;
        try
        {
            text = keyText(key);
        }
        catch (Exception ex) when (ex is CodecException or JsonException or FormatException or ArgumentException or NotSupportedException)
        {
            text = Convert.ToBase64String(key);
        }

        try
        {
            return new TableEntry(partition, text, valueJson(value));
        }
        catch (Exception ex) when (ex is CodecException or JsonException or FormatException or ArgumentException or NotSupportedException)
        {
            return new TableEntry(partition, text, JsonSerializer.SerializeToUtf8Bytes($"undecodable value: {ex.Message}"));
        }
    }
}
