using Faust.Transport;

namespace Faust.Runtime;

// Commit bookkeeping for one partition of one agent.
//
// Invariant: the commit point is the offset of the first record handed to the agent and not yet acknowledged;
// when every delivered record is acknowledged it is the offset after the last one. A hole (an unacknowledged
// record with acknowledged records after it) is never skipped, so a crash re-delivers it instead of losing it.
// Offsets are tracked as delivered, not assumed contiguous: Kafka partitions have gaps (compaction,
// transaction markers), which broke Faust's gap arithmetic (fs#606).
internal sealed class AckTracker
{
    private readonly object _lock = new();
    private long[] _offsets = new long[256];
    private bool[] _acked = new bool[256];
    private int _head;
    private int _count;
    private long _lastDelivered = -1;

    public AckTracker(TopicPartition partition) => Partition = partition;

    public TopicPartition Partition { get; }

    /// <summary>Records handed out and not yet acknowledged.</summary>
    public int Outstanding
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Registers the records of a batch as delivered, in offset order.</summary>
    public void Delivered(RecordBatch batch)
    {
        lock (_lock)
        {
            EnsureCapacity(_count + batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                Append(batch.Records[i].Offset);
            }
        }
    }

    /// <summary>Registers one delivered offset (greater than any registered before).</summary>
    public void Delivered(long offset)
    {
        lock (_lock)
        {
            EnsureCapacity(_count + 1);
            Append(offset);
        }
    }

    private void Append(long offset)
    {
        var slot = (_head + _count) % _offsets.Length;
        _offsets[slot] = offset;
        _acked[slot] = false;
        _count++;
        _lastDelivered = offset;
    }

    /// <summary>Acknowledges one delivered offset. Unknown or repeated acknowledgements are ignored.</summary>
    public void Ack(long offset)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                return;
            }

            if (_offsets[_head] == offset)
            {
                Pop();
                while (_count > 0 && _acked[_head])
                {
                    Pop();
                }

                return;
            }

            var index = Find(offset);
            if (index >= 0)
            {
                _acked[index] = true;
            }
        }
    }

    /// <summary>The offset to commit, or null when nothing was ever delivered.</summary>
    public long? CommitPoint
    {
        get
        {
            lock (_lock)
            {
                if (_count > 0)
                {
                    return _offsets[_head];
                }

                return _lastDelivered >= 0 ? _lastDelivered + 1 : null;
            }
        }
    }

    private void Pop()
    {
        _acked[_head] = false;
        _head = (_head + 1) % _offsets.Length;
        _count--;
    }

    // Binary search over the ring: offsets are increasing from _head.
    private int Find(long offset)
    {
        int lo = 0, hi = _count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var value = _offsets[(_head + mid) % _offsets.Length];
            if (value == offset)
            {
                return (_head + mid) % _offsets.Length;
            }

            if (value < offset)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _offsets.Length)
        {
            return;
        }

        var size = _offsets.Length;
        while (size < needed)
        {
            size *= 2;
        }

        var offsets = new long[size];
        var acked = new bool[size];
        for (var i = 0; i < _count; i++)
        {
            offsets[i] = _offsets[(_head + i) % _offsets.Length];
            acked[i] = _acked[(_head + i) % _offsets.Length];
        }

        _offsets = offsets;
        _acked = acked;
        _head = 0;
    }
}
