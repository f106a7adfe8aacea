using Faust.Runtime;
using Faust.Stores;
using Faust.Transport;

namespace Faust.Processing;

// Table writes reach the changelog once per key per commit, not once per write (Kafka Streams' record cache):
// a counter updated 100 times between two commits sends one record, its last value. The store is written at once
// (reads see every write); only the changelog is deferred. Invariant: the buffer is drained into the producer
// before every commit (and under exactly_once into the transaction), so an offset is never committed before the
// changelog records of the events it covers are produced; a bounded size keeps memory flat between commits.
internal sealed class ChangelogBuffer(int maxEntries)
{
    private readonly object _lock = new();
    private Dictionary<TopicPartition, Dictionary<byte[], byte[]?>> _pending = [];
    private int _count;

    // The partition written last and its keys: consecutive writes of one agent go to the same changelog partition, so
    // the common case skips hashing the topic name. Reset whenever _pending changes other than by Add.
    private TopicPartition _lastPartition;
    private Dictionary<byte[], byte[]?>? _lastKeys;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Keeps the latest value of a key; true when the buffer is full and should be drained now.</summary>
    public bool Add(TopicPartition partition, byte[] key, byte[]? value)
    {
        lock (_lock)
        {
            var keys = _lastKeys;
            if (keys is null || _lastPartition.Partition != partition.Partition || !ReferenceEquals(_lastPartition.Topic, partition.Topic))
            {
                if (!_pending.TryGetValue(partition, out keys))
                {
                    keys = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
                    _pending[partition] = keys;
                }

                _lastPartition = partition;
                _lastKeys = keys;
            }

            var before = keys.Count;
            keys[key] = value;
            _count += keys.Count - before;
            return _count >= maxEntries;
        }
    }

    /// <summary>Forgets what was buffered for these partition numbers (revoked: their events were not committed, so
    /// the next owner processes them again and writes the changelog itself).</summary>
    public void Drop(IReadOnlyCollection<int> partitions)
    {
        lock (_lock)
        {
            foreach (var tp in _pending.Keys.Where(tp => partitions.Contains(tp.Partition)).ToArray())
            {
                _count -= _pending[tp].Count;
                _pending.Remove(tp);
            }

            _lastKeys = null;
        }
    }

    /// <summary>Takes everything buffered, in no particular key order (one record per key and partition).</summary>
    public Dictionary<TopicPartition, Dictionary<byte[], byte[]?>> Drain()
    {
        lock (_lock)
        {
            var drained = _pending;
            _pending = [];
            _lastKeys = null;
            _count = 0;
            return drained;
        }
    }
}
