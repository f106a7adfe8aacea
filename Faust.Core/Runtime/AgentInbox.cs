using System.Threading.Channels;
using Faust.Transport;

namespace Faust.Runtime;

// What the poll loop hands to one agent: batches of its source topic's partitions, in partition order.
//
// Backpressure: each partition may have at most maxBuffered records waiting for the agent; past that the
// partition is paused at the consumer (the poll loop never blocks), and it is resumed once the agent has
// worked the buffer down to half. Pause and resume decisions are taken under _flowLock with a fresh count,
// so a partition can never stay paused with an empty buffer.
//
// Rebalance: each delivery carries the AckTracker of the assignment it was read under. A revoked partition's
// tracker is dropped, and a reassignment gets a new one, so batches still buffered from before (an eager
// rebalance revokes everything and gives most partitions back) are recognised as stale and dropped: the
// consumer reads them again from the committed offset under the new tracker, and nothing is processed twice.
//
// Isolated partitions: the inbox keeps one view per assigned partition (a channel of that partition's batches,
// read by that partition's actor). A view lives for one assignment: revoking the partition completes it, so its
// actor's stream ends, and a later assignment opens a new view; batches and acknowledgements of an old view are
// ignored. Backpressure and commit bookkeeping stay with the inbox.
internal sealed class AgentInbox
{
    private readonly Channel<Delivery> _batches = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly AgentInbox? _owner;
    private readonly int _viewPartition = -1;
    private readonly AgentInbox?[]? _views;
    private readonly object _flowLock = new();
    private readonly int _maxBuffered;
    private readonly ITransportConsumer _consumer;
    private readonly int[] _buffered;
    private readonly bool[] _paused;
    private readonly AckTracker?[] _trackers;

    public AgentInbox(string agentName, string topic, int partitions, int maxBuffered, ITransportConsumer consumer, bool isolated = false)
    {
        AgentName = agentName;
        Topic = topic;
        _maxBuffered = maxBuffered;
        _consumer = consumer;
        _buffered = new int[partitions];
        _paused = new bool[partitions];
        _trackers = new AckTracker?[partitions];
        _views = isolated ? new AgentInbox?[partitions] : null;
    }

    private AgentInbox(AgentInbox owner, int partition)
    {
        _owner = owner;
        _viewPartition = partition;
        AgentName = owner.AgentName;
        Topic = owner.Topic;
        _consumer = owner._consumer;
        _buffered = [];
        _paused = [];
        _trackers = [];
    }

    public string AgentName { get; }

    public string Topic { get; }

    public int PartitionCount => (_owner ?? this)._trackers.Length;

    /// <summary>Whether the inbox hands each partition to its own reader (<see cref="PartitionView"/>).</summary>
    public bool IsIsolated => _views is not null;

    /// <summary>Told (on the poll thread) when a partition is assigned (true) or revoked (false). Must not block.</summary>
    public Action<int, bool>? AssignmentChanged { get; set; }

    public void Assign(int partition)
    {
        Volatile.Write(ref _trackers[partition], new AckTracker(new TopicPartition(Topic, partition)));
        if (_views is not null)
        {
            var previous = Interlocked.Exchange(ref _views[partition], new AgentInbox(this, partition));
            previous?.Complete();
        }

        AssignmentChanged?.Invoke(partition, true);
    }

    public void Revoke(int partition)
    {
        Volatile.Write(ref _trackers[partition], null);
        lock (_flowLock)
        {
            _buffered[partition] = 0;
            _paused[partition] = false;
        }

        if (_views is not null)
        {
            Interlocked.Exchange(ref _views[partition], null)?.Complete();
        }

        AssignmentChanged?.Invoke(partition, false);
    }

    /// <summary>The current view of an assigned partition of an isolated inbox.</summary>
    public AgentInbox PartitionView(int partition)
    {
        if (_views is null)
        {
            throw new InvalidOperationException($"The inbox of agent {AgentName} on '{Topic}' is not isolated.");
        }

        return Volatile.Read(ref _views[partition]) ?? throw new InvalidOperationException($"Partition {partition} of '{Topic}' is not assigned.");
    }

    /// <summary>The partitions assigned now.</summary>
    public IReadOnlyList<int> AssignedPartitions
    {
        get
        {
            var owner = _owner ?? this;
            var assigned = new List<int>();
            for (var p = 0; p < owner._trackers.Length; p++)
            {
                if (Volatile.Read(ref owner._trackers[p]) is not null)
                {
                    assigned.Add(p);
                }
            }

            return assigned;
        }
    }

    public bool IsAssigned(int partition) => _owner is { } owner
        ? IsCurrentView(owner, partition) && owner.IsAssigned(partition)
        : Volatile.Read(ref _trackers[partition]) is not null;

    public AckTracker? TrackerFor(int partition) => _owner is { } owner ? owner.TrackerFor(partition) : Volatile.Read(ref _trackers[partition]);

    /// <summary>Poll thread: hands a batch to the agent.</summary>
    public void Deliver(RecordBatch batch)
    {
        var p = batch.Partition.Partition;
        var tracker = Volatile.Read(ref _trackers[p]);
        if (tracker is null)
        {
            return;
        }

        var target = this;
        if (_views is not null && (target = Volatile.Read(ref _views[p])) is null)
        {
            return;
        }

        tracker.Delivered(batch);
        if (Interlocked.Add(ref _buffered[p], batch.Count) > _maxBuffered)
        {
            lock (_flowLock)
            {
                if (!_paused[p] && Volatile.Read(ref _buffered[p]) > _maxBuffered)
                {
                    _paused[p] = true;
                    _consumer.Pause([batch.Partition]);
                }
            }
        }

        target._batches.Writer.TryWrite(new Delivery(batch, tracker));
    }

    public bool TryRead(out RecordBatch batch) => TryRead(out batch, out _);

    /// <summary>Agent: the next batch of a partition still assigned under the same assignment; stale batches are
    /// dropped.</summary>
    public bool TryRead(out RecordBatch batch, out AckTracker tracker)
    {
        while (_batches.Reader.TryRead(out var delivery))
        {
            if (IsCurrent(delivery.Batch.Partition.Partition, delivery.Tracker))
            {
                batch = delivery.Batch;
                tracker = delivery.Tracker;
                return true;
            }
        }

        batch = null!;
        tracker = null!;
        return false;
    }

    /// <summary>Whether records read under <paramref name="tracker"/> may still be processed.</summary>
    public bool IsCurrent(int partition, AckTracker tracker) => _owner is { } owner
        ? IsCurrentView(owner, partition) && owner.IsCurrent(partition, tracker)
        : ReferenceEquals(Volatile.Read(ref _trackers[partition]), tracker);

    public ValueTask<bool> WaitToReadAsync(CancellationToken ct) => _batches.Reader.WaitToReadAsync(ct);

    /// <summary>Agent: every record of the batch has been handed out.</summary>
    public void Consumed(RecordBatch batch)
    {
        if (_owner is { } owner)
        {
            owner.Consumed(batch);
            return;
        }

        var p = batch.Partition.Partition;
        if (Volatile.Read(ref _trackers[p]) is null)
        {
            // Revoked: its buffer count was reset with the revocation.
            return;
        }

        var left = Interlocked.Add(ref _buffered[p], -batch.Count);
        if (left <= _maxBuffered / 2 && Volatile.Read(ref _paused[p]))
        {
            lock (_flowLock)
            {
                if (_paused[p] && Volatile.Read(ref _buffered[p]) <= _maxBuffered / 2)
                {
                    _paused[p] = false;
                    _consumer.Resume([batch.Partition]);
                }
            }
        }
    }

    public void Ack(int partition, long offset)
    {
        if (_owner is { } owner)
        {
            if (IsAssigned(partition))
            {
                owner.Ack(partition, offset);
            }

            return;
        }

        Volatile.Read(ref _trackers[partition])?.Ack(offset);
    }

    public void Complete()
    {
        _batches.Writer.TryComplete();
        if (_views is not null)
        {
            for (var p = 0; p < _views.Length; p++)
            {
                Volatile.Read(ref _views[p])?.Complete();
            }
        }
    }

    private bool IsCurrentView(AgentInbox owner, int partition) =>
        partition == _viewPartition && ReferenceEquals(Volatile.Read(ref owner._views![partition]), this);

    private readonly record struct Delivery(RecordBatch Batch, AckTracker Tracker);
}
