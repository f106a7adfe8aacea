using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faust.Transport.Log;

// The in-process broker behind memory:// and embedded://.
//
// Invariants:
// - Offsets are assigned under _lock, in append order, per partition, from 0 and without gaps.
// - A record is readable once it is durable: VisibleEnd only moves after the persistence wrote it (memory://
//   has no persistence, so appended = visible). A produce is acknowledged to its caller only once visible.
// - One writer thread drains everything appended since its last drain into ONE persistence batch, so a
//   transaction (records + consumer offsets appended under one lock) is never split across batches: after a
//   crash it is all there or none of it (exactly-once on the embedded transport).
// - Recent records stay in memory (the partition's tail); older ones are read back from the persistence.
internal sealed class LogBroker : ITransport
{
    private const int TailKeep = 1 << 17;

    private readonly object _lock = new();
    private readonly Dictionary<string, LogTopic> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Group, TopicPartition Partition), long> _committed = [];
    private readonly HashSet<string> _activeGroups = new(StringComparer.Ordinal);
    private readonly ILogPersistence? _persistence;
    private readonly ILogger _logger;
    private readonly Thread? _writer;
    private readonly List<PendingCallback> _pendingCallbacks = [];
    private readonly List<(long Sequence, TaskCompletionSource Done)> _flushWaiters = [];
    private LogWriteBatch _pending = new();
    private LogWriteBatch _spare = new();
    private long _appendedSequence;
    private long _durableSequence;
    private Exception? _fault;
    private bool _disposed;


    // The writer sleeps on _writerSignal; _writerWake makes appenders release it once per drain, not per record.
    private readonly SemaphoreSlim _writerSignal = new(0);
    private int _writerWake;

    private LogBroker(string name, ILogPersistence? persistence, ILogger? logger)
    {
        Name = name;
        _persistence = persistence;
        _logger = logger ?? NullLogger.Instance;
        if (persistence is null)
        {
            return;
        }

        foreach (var spec in persistence.LoadTopics())
        {
            var topic = new LogTopic(spec);
            for (var p = 0; p < spec.Partitions; p++)
            {
                var end = persistence.LoadEndOffset(new TopicPartition(spec.Name, p));
                topic.Partitions[p].Restore(end);
            }

            _topics[spec.Name] = topic;
        }

        foreach (var (group, partition, offset) in persistence.LoadCommittedOffsets())
        {
            _committed[(group, partition)] = offset;
        }

        _writer = new Thread(WriterLoop) { IsBackground = true, Name = $"faust-log-writer {name}" };
        _writer.Start();
    }

    public string Name { get; }

    public bool IsDurable => _persistence is not null;

    /// <summary>A volatile broker that lives as long as the object.</summary>
    public static LogBroker CreateInMemory(string name = "memory", ILogger? logger = null) => new(name, null, logger);

    /// <summary>A durable broker over the given persistence (which it owns and disposes).</summary>
    public static LogBroker CreateDurable(string name, ILogPersistence persistence, ILogger? logger = null) => new(name, persistence, logger);

    public Task<int> EnsureTopicAsync(TopicSpec spec, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Partitions, 1);
        long sequence;
        lock (_lock)
        {
            ThrowIfUnusable();
            if (_topics.TryGetValue(spec.Name, out var existing))
            {
                return Task.FromResult(existing.Partitions.Length);
            }

            _topics[spec.Name] = new LogTopic(spec);
            _pending.Topics.Add(spec);
            sequence = ++_appendedSequence;
        }

        WakeWriter();
        return WaitDurableAsync(sequence, ct).ContinueWith(static (_, n) => (int)n!, spec.Partitions, ct, TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    public int? GetPartitionCount(string topic)
    {
        lock (_lock)
        {
            return _topics.TryGetValue(topic, out var t) ? t.Partitions.Length : null;
        }
    }

    public IReadOnlyList<TopicSpec> Topics
    {
        get
        {
            lock (_lock)
            {
                return [.. _topics.Values.Select(t => t.Spec)];
            }
        }
    }

    public ITransportProducer CreateProducer(bool transactional = false) => new LogProducer(this, transactional);

    public ITransportConsumer CreateConsumer(string? groupId, IRebalanceListener? listener = null) => new LogConsumer(this, groupId, listener);

    // ---- producing ----

    /// <summary>Appends one record; returns the offset it got. The callback runs once the record is visible.</summary>
    internal long Append(TopicPartition tp, TransportRecord record, Action<DeliveryResult, Exception?>? onDelivered)
    {
        long offset;
        LogTopic topic;
        lock (_lock)
        {
            ThrowIfUnusable();
            topic = _topics.GetValueOrDefault(tp.Topic)!;
            var partition = GetPartition(tp);
            offset = partition.Append(record);
            if (_persistence is null)
            {
                partition.VisibleEnd = offset + 1;
            }
            else
            {
                _pending.Records.Add((tp, offset, record));
                ++_appendedSequence;
                if (onDelivered is not null)
                {
                    _pendingCallbacks.Add(new PendingCallback(_appendedSequence, new DeliveryResult(tp.Topic, tp.Partition, offset), onDelivered));
                    onDelivered = null;
                }
            }
        }

        if (_persistence is null)
        {
            topic.SignalListeners();
            onDelivered?.Invoke(new DeliveryResult(tp.Topic, tp.Partition, offset), null);
        }
        else
        {
            WakeWriter();
        }

        return offset;
    }

    /// <summary>Appends a transaction's records and the consumer offsets in one unit; completes when durable.</summary>
    internal Task CommitTransactionAsync(IReadOnlyList<(TopicPartition Partition, TransportRecord Record, Action<DeliveryResult, Exception?>? OnDelivered)> records,
        string? group, IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct)
    {
        if (records.Count == 0 && (group is null || offsets.Count == 0))
        {
            return Task.CompletedTask;
        }

        long sequence;
        var callbacks = new List<(DeliveryResult, Action<DeliveryResult, Exception?>)>();
        lock (_lock)
        {
            ThrowIfUnusable();
            foreach (var (tp, record, onDelivered) in records)
            {
                var partition = GetPartition(tp);
                var offset = partition.Append(record);
                if (_persistence is null)
                {
                    partition.VisibleEnd = offset + 1;
                }
                else
                {
                    _pending.Records.Add((tp, offset, record));
                }

                if (onDelivered is not null)
                {
                    callbacks.Add((new DeliveryResult(tp.Topic, tp.Partition, offset), onDelivered));
                }
            }

            if (group is not null)
            {
                foreach (var (tp, offset) in offsets)
                {
                    _committed[(group, tp)] = offset;
                    _pending.CommittedOffsets.Add((group, tp, offset));
                }
            }

            sequence = ++_appendedSequence;
            foreach (var (result, callback) in callbacks)
            {
                _pendingCallbacks.Add(new PendingCallback(sequence, result, callback));
            }

            if (_persistence is null)
            {
                _pendingCallbacks.Clear();
            }
        }

        if (_persistence is null)
        {
            SignalTopics(records.Select(r => r.Partition.Topic));
            foreach (var (result, callback) in callbacks)
            {
                callback(result, null);
            }

            return Task.CompletedTask;
        }

        WakeWriter();
        return WaitDurableAsync(sequence, ct);
    }

    /// <summary>Completes when everything appended so far is durable.</summary>
    internal Task FlushAsync(CancellationToken ct)
    {
        if (_persistence is null)
        {
            return _fault is null ? Task.CompletedTask : Task.FromException(_fault);
        }

        long sequence;
        lock (_lock)
        {
            sequence = _appendedSequence;
        }

        return WaitDurableAsync(sequence, ct);
    }

    // ---- consuming ----

    internal void JoinGroup(string group)
    {
        lock (_lock)
        {
            ThrowIfUnusable();
            if (!_activeGroups.Add(group))
            {
                throw new InvalidOperationException(
                    $"The {Name} broker already has a member in consumer group '{group}'. The memory and embedded transports run one worker per app; use kafka:// to run several workers of one app.");
            }
        }
    }

    internal void LeaveGroup(string group)
    {
        lock (_lock)
        {
            _activeGroups.Remove(group);
        }
    }

    internal IReadOnlyList<TopicPartition> PartitionsOf(IEnumerable<string> topics)
    {
        var result = new List<TopicPartition>();
        lock (_lock)
        {
            foreach (var name in topics)
            {
                if (!_topics.TryGetValue(name, out var topic))
                {
                    throw new InvalidOperationException($"Topic '{name}' does not exist on the {Name} broker; declare it before subscribing.");
                }

                for (var p = 0; p < topic.Partitions.Length; p++)
                {
                    result.Add(new TopicPartition(name, p));
                }
            }
        }

        return result;
    }

    internal long? GetCommitted(string group, TopicPartition tp)
    {
        lock (_lock)
        {
            return _committed.TryGetValue((group, tp), out var offset) ? offset : null;
        }
    }

    internal Task CommitAsync(string group, IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct)
    {
        if (offsets.Count == 0)
        {
            return Task.CompletedTask;
        }

        long sequence;
        lock (_lock)
        {
            ThrowIfUnusable();
            foreach (var (tp, offset) in offsets)
            {
                _committed[(group, tp)] = offset;
                if (_persistence is not null)
                {
                    _pending.CommittedOffsets.Add((group, tp, offset));
                }
            }

            if (_persistence is null)
            {
                return Task.CompletedTask;
            }

            sequence = ++_appendedSequence;
        }

        WakeWriter();
        return WaitDurableAsync(sequence, ct);
    }

    internal WatermarkOffsets GetWatermarks(TopicPartition tp)
    {
        lock (_lock)
        {
            return new WatermarkOffsets(0, GetPartition(tp).VisibleEnd);
        }
    }

    /// <summary>Reads visible records of a partition from <paramref name="from"/>; null when there are none.</summary>
    internal RecordBatch? Read(TopicPartition tp, long from, int max)
    {
        long diskEnd;
        lock (_lock)
        {
            var partition = GetPartition(tp);
            var end = partition.VisibleEnd;
            if (from >= end)
            {
                return null;
            }

            if (from >= partition.TailStart)
            {
                var count = (int)Math.Min(max, end - from);
                var records = new ConsumedRecord[count];
                var start = (int)(from - partition.TailStart);
                for (var i = 0; i < count; i++)
                {
                    records[i] = new ConsumedRecord(from + i, partition.Tail[start + i]);
                }

                return new RecordBatch(tp, records, count);
            }

            diskEnd = Math.Min(end, partition.TailStart);
        }

        // Older than the in-memory tail: only a durable broker trims its tail, so the persistence has it.
        var fromDisk = new List<ConsumedRecord>(Math.Min(max, 1024));
        _persistence!.Read(tp, from, diskEnd, max, fromDisk);
        return fromDisk.Count == 0 ? null : new RecordBatch(tp, [.. fromDisk], fromDisk.Count);
    }

    /// <summary>Registers a consumer to be woken when these topics get records.</summary>
    internal void Listen(ConsumerSignal signal, IEnumerable<string> topics)
    {
        lock (_lock)
        {
            foreach (var name in topics)
            {
                if (_topics.TryGetValue(name, out var topic) && Array.IndexOf(topic.Listeners, signal) < 0)
                {
                    topic.Listeners = [.. topic.Listeners, signal];
                }
            }
        }
    }

    internal void Unlisten(ConsumerSignal signal)
    {
        lock (_lock)
        {
            foreach (var topic in _topics.Values)
            {
                if (Array.IndexOf(topic.Listeners, signal) >= 0)
                {
                    topic.Listeners = [.. topic.Listeners.Where(l => l != signal)];
                }
            }
        }
    }

    // ---- the writer ----

    private void WakeWriter()
    {
        if (Interlocked.Exchange(ref _writerWake, 1) == 0)
        {
            _writerSignal.Release();
        }
    }

    private void WriterLoop()
    {
        while (true)
        {
            _writerSignal.Wait();
            Interlocked.Exchange(ref _writerWake, 0);
            LogWriteBatch batch;
            long sequence;
            List<PendingCallback>? callbacks = null;
            lock (_lock)
            {
                if (_pending.IsEmpty)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    continue;
                }

                batch = _pending;
                _pending = _spare;
                _spare = batch;
                sequence = _appendedSequence;
                if (_pendingCallbacks.Count > 0)
                {
                    callbacks = [.. _pendingCallbacks];
                    _pendingCallbacks.Clear();
                }
            }

            Exception? error = null;
            try
            {
                _persistence!.Write(batch);
            }
            catch (Exception ex)
            {
                error = ex;
                _logger.LogError(ex, "The {Broker} broker could not write to disk; it stops accepting writes.", Name);
            }

            List<(long, TaskCompletionSource)> done = [];
            lock (_lock)
            {
                if (error is null)
                {
                    foreach (var (tp, offset, _) in batch.Records)
                    {
                        var partition = GetPartition(tp);
                        if (offset + 1 > partition.VisibleEnd)
                        {
                            partition.VisibleEnd = offset + 1;
                        }
                    }

                    foreach (var topic in _topics.Values)
                    {
                        foreach (var partition in topic.Partitions)
                        {
                            partition.TrimTail(TailKeep);
                        }
                    }

                    _durableSequence = sequence;
                }
                else
                {
                    _fault ??= error;
                }

                for (var i = _flushWaiters.Count - 1; i >= 0; i--)
                {
                    if (_fault is not null || _flushWaiters[i].Sequence <= _durableSequence)
                    {
                        done.Add(_flushWaiters[i]);
                        _flushWaiters.RemoveAt(i);
                    }
                }

                batch.Clear();
                if (!_pending.IsEmpty || _disposed)
                {
                    WakeWriter();
                }
            }

            if (error is null)
            {
                SignalTopics(batch.Records.Select(r => r.Partition.Topic));
            }

            if (callbacks is not null)
            {
                foreach (var callback in callbacks)
                {
                    callback.Callback(callback.Result, error);
                }
            }

            foreach (var (_, tcs) in done)
            {
                if (error is null && _fault is null)
                {
                    tcs.TrySetResult();
                }
                else
                {
                    tcs.TrySetException(_fault ?? error!);
                }
            }
        }
    }

    private void SignalTopics(IEnumerable<string> names)
    {
        string? last = null;
        foreach (var name in names)
        {
            if (name == last)
            {
                continue;
            }

            last = name;
            LogTopic? topic;
            lock (_lock)
            {
                topic = _topics.GetValueOrDefault(name);
            }

            topic?.SignalListeners();
        }
    }

    private Task WaitDurableAsync(long sequence, CancellationToken ct)
    {
        if (_persistence is null)
        {
            return Task.CompletedTask;
        }

        TaskCompletionSource tcs;
        lock (_lock)
        {
            if (_fault is not null)
            {
                return Task.FromException(_fault);
            }

            if (_durableSequence >= sequence)
            {
                return Task.CompletedTask;
            }

            tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushWaiters.Add((sequence, tcs));
        }

        WakeWriter();
        return ct.CanBeCanceled ? tcs.Task.WaitAsync(ct) : tcs.Task;
    }

    private LogPartition GetPartition(TopicPartition tp)
    {
        if (!_topics.TryGetValue(tp.Topic, out var topic))
        {
            throw new InvalidOperationException($"Topic '{tp.Topic}' does not exist on the {Name} broker.");
        }

        if ((uint)tp.Partition >= (uint)topic.Partitions.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(tp), $"Topic '{tp.Topic}' has {topic.Partitions.Length} partitions; there is no partition {tp.Partition}.");
        }

        return topic.Partitions[tp.Partition];
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_fault is not null)
        {
            throw new InvalidOperationException($"The {Name} broker failed to write to disk and stopped accepting writes.", _fault);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        WakeWriter();
        _writer?.Join();
        _persistence?.Dispose();
        SignalTopics(_topics.Keys.ToArray());
    }

    private readonly record struct PendingCallback(long Sequence, DeliveryResult Result, Action<DeliveryResult, Exception?> Callback);

    private sealed class LogTopic
    {
        public LogTopic(TopicSpec spec)
        {
            Spec = spec;
            Partitions = new LogPartition[spec.Partitions];
            for (var i = 0; i < Partitions.Length; i++)
            {
                Partitions[i] = new LogPartition();
            }
        }

        public TopicSpec Spec { get; }

        public LogPartition[] Partitions { get; }

        /// <summary>Consumers reading this topic (copy on write under the broker lock).</summary>
        public ConsumerSignal[] Listeners { get; set; } = [];

        public void SignalListeners()
        {
            foreach (var listener in Listeners)
            {
                listener.Signal();
            }
        }
    }

    private sealed class LogPartition
    {
        public List<TransportRecord> Tail { get; } = [];

        /// <summary>The offset of Tail[0].</summary>
        public long TailStart { get; private set; }

        public long NextOffset => TailStart + Tail.Count;

        public long VisibleEnd { get; set; }

        public void Restore(long endOffset)
        {
            TailStart = endOffset;
            VisibleEnd = endOffset;
        }

        public long Append(TransportRecord record)
        {
            Tail.Add(record);
            return NextOffset - 1;
        }

        /// <summary>Drops the oldest durable half of the tail once it holds twice <paramref name="keep"/> records.</summary>
        public void TrimTail(int keep)
        {
            if (Tail.Count < 2 * keep)
            {
                return;
            }

            var drop = (int)Math.Min(Tail.Count - keep, VisibleEnd - TailStart);
            if (drop <= 0)
            {
                return;
            }

            Tail.RemoveRange(0, drop);
            TailStart += drop;
        }
    }
}
