using System.Collections.Concurrent;

namespace Faust.Transport.Log;

/// <summary>
/// A consumer of the in-process log broker. A group consumer is the group's only member: it is assigned every
/// partition of its topics, starting from the group's committed offsets (or the beginning, as Faust's
/// <c>auto_offset_reset=earliest</c>).
/// </summary>
internal sealed class LogConsumer(LogBroker broker, string? groupId, IRebalanceListener? listener) : ITransportConsumer
{
    private const int MaxBatch = 2048;

    private readonly Dictionary<TopicPartition, long> _positions = [];
    private readonly ConsumerSignal _signal = new();
    private readonly ConcurrentDictionary<TopicPartition, byte> _paused = new();
    private TopicPartition[] _order = [];
    private int _next;
    private IReadOnlyCollection<TopicPartition>? _pendingAssignment;
    private bool _joined;
    private bool _disposed;

    public string? GroupId => groupId;

    public IReadOnlyCollection<TopicPartition> Assignment => _order;

    public void Subscribe(IReadOnlyCollection<string> topics)
    {
        if (groupId is null)
        {
            throw new InvalidOperationException("Subscribe needs a consumer created with a group id.");
        }

        if (!_joined)
        {
            broker.JoinGroup(groupId);
            _joined = true;
        }

        var partitions = broker.PartitionsOf(topics);
        broker.Listen(_signal, topics);
        _positions.Clear();
        foreach (var tp in partitions)
        {
            _positions[tp] = broker.GetCommitted(groupId, tp) ?? 0;
        }

        _order = [.. partitions];
        _pendingAssignment = partitions;
    }

    public void Assign(IReadOnlyCollection<KeyValuePair<TopicPartition, long>> partitionOffsets)
    {
        _positions.Clear();
        foreach (var (tp, offset) in partitionOffsets)
        {
            _positions[tp] = offset;
        }

        _order = [.. _positions.Keys];
        broker.Listen(_signal, _positions.Keys.Select(tp => tp.Topic).Distinct());
    }

    public RecordBatch? Poll(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pendingAssignment is { } assigned)
        {
            _pendingAssignment = null;
            listener?.OnAssigned(assigned);
        }

        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var seen = _signal.Version;
            var order = _order;
            for (var i = 0; i < order.Length; i++)
            {
                var tp = order[(_next + i) % order.Length];
                if (_paused.ContainsKey(tp))
                {
                    continue;
                }

                var batch = broker.Read(tp, _positions[tp], MaxBatch);
                if (batch is not null)
                {
                    _positions[tp] = batch.NextOffset;
                    _next = (_next + i + 1) % order.Length;
                    return batch;
                }
            }

            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 || _disposed)
            {
                return null;
            }

            _signal.Wait(seen, TimeSpan.FromMilliseconds(remaining));
        }
    }

    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            _paused[tp] = 0;
        }
    }

    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            _paused.TryRemove(tp, out _);
        }

        _signal.Signal();
    }

    public void Seek(TopicPartition partition, long offset)
    {
        if (!_positions.ContainsKey(partition))
        {
            throw new InvalidOperationException($"{partition} is not assigned to this consumer.");
        }

        _positions[partition] = offset;
    }

    public long? GetCommittedOffset(TopicPartition partition) => groupId is null ? null : broker.GetCommitted(groupId, partition);

    public Task CommitAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct = default)
    {
        if (groupId is null)
        {
            throw new InvalidOperationException("Only a group consumer commits offsets.");
        }

        return broker.CommitAsync(groupId, offsets, ct);
    }

    public WatermarkOffsets GetWatermarks(TopicPartition partition, TimeSpan? timeout = null) => broker.GetWatermarks(partition);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_joined && groupId is not null)
        {
            broker.LeaveGroup(groupId);
        }

        broker.Unlisten(_signal);
        _signal.Signal();
    }
}
