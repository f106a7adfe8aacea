using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using KafkaPartition = Confluent.Kafka.TopicPartition;

namespace Faust.Transport.Kafka;

// A Confluent consumer behind ITransportConsumer.
//
// Threads: one thread polls (Consume blocks; rebalance callbacks run inside it). Pause, Resume and CommitAsync
// may come from any thread: librdkafka's pause/resume/commit are thread safe, but a pause asked for inside the
// assigned callback (the worker pauses partitions that must recover first) would act before Confluent applies
// the assignment, so it is recorded and applied right after.
//
// Pause invariant: a record of a partition that is paused (in _paused) is never handed out. librdkafka may
// already hold fetched records of a partition when it is paused, and a partition paused in the assigned
// callback is fetching until the pause is applied; such records are held here, in order, and handed out first
// when the partition resumes, so nothing is skipped and nothing is read twice.
//
// Commit invariant: the worker commits what was acknowledged in the revoked callback, before the partitions go;
// after that this consumer refuses to commit them (a late commit could move the new owner's offset back).
//
// Once invariant: within one assignment of a partition an offset is handed out at most once. librdkafka's pause,
// resume and seek are asynchronous, and it has had races where a resume restarts a partition's fetch from an offset
// the application had already consumed (librdkafka issues 2593, 4637, 4686); under at-least-once that would count
// those events twice although nothing failed. A record below the next offset this consumer expects is therefore
// dropped (and the rewind logged); the expectation resets with the assignment, with Seek, and when librdkafka
// reports an offset reset.
internal sealed class KafkaConsumer : ITransportConsumer
{
    private const int MaxRecordsPerPoll = 4096;
    private const int BatchCapacity = 256;

    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly IRebalanceListener? _listener;
    private readonly ILogger _logger;
    private readonly TimeSpan _requestTimeout;
    private readonly object _lock = new();
    private readonly object _commitLock = new();
    private readonly ConcurrentDictionary<TopicPartition, byte> _paused = new();
    private readonly HashSet<TopicPartition> _applied = [];
    private readonly HashSet<TopicPartition> _pausedAtBroker = [];
    private readonly HashSet<TopicPartition> _assignment = [];
    private readonly Dictionary<TopicPartition, List<ConsumedRecord>> _held = [];
    private readonly Dictionary<TopicPartition, long> _eofAt = [];
    private readonly Dictionary<TopicPartition, long> _positions = [];
    private readonly Queue<RecordBatch> _ready = new();
    private readonly Dictionary<TopicPartition, Accumulator> _accumulators = [];
    private readonly List<Accumulator> _filled = [];
    private readonly List<TopicPartition> _pendingApply = [];
    private long _redelivered;
    private TopicPartition[] _assignmentSnapshot = [];
    private int _pollThread;
    private volatile bool _detached;
    private volatile bool _rejoinRequested;
    private string[] _topics = [];
    private bool _disposed;

    public KafkaConsumer(KafkaSettings settings, string? groupId, IRebalanceListener? listener, ILogger logger)
    {
        GroupId = groupId;
        _listener = listener;
        _logger = logger;
        _requestTimeout = settings.RequestTimeout;
        var builder = new ConsumerBuilder<byte[]?, byte[]?>(settings.Consumer(groupId))
            .SetKeyDeserializer(Deserializers.ByteArray!)
            .SetValueDeserializer(Deserializers.ByteArray!)
            .SetLogHandler((_, message) => KafkaLog.Librdkafka(logger, message))
            .SetErrorHandler((c, error) => KafkaLog.Error(logger, c.Name, error));
        if (groupId is not null)
        {
            builder.SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
                .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions, lost: false))
                .SetPartitionsLostHandler((_, partitions) => OnRevoked(partitions, lost: true));
        }

        _consumer = builder.Build();
    }

    public string? GroupId { get; }

    /// <summary>Records librdkafka delivered again after this consumer had handed them out, and that it dropped.</summary>
    public long Redelivered => Interlocked.Read(ref _redelivered);

    public IReadOnlyCollection<TopicPartition> Assignment => Volatile.Read(ref _assignmentSnapshot);

    /// <summary>The group metadata a transactional producer sends with the offsets it commits.</summary>
    public IConsumerGroupMetadata GroupMetadata => _consumer.ConsumerGroupMetadata;

    public void Subscribe(IReadOnlyCollection<string> topics)
    {
        if (GroupId is null)
        {
            throw new InvalidOperationException("Subscribe needs a consumer created with a group id.");
        }

        _topics = [.. topics];
        _consumer.Subscribe(topics);
    }

    public void Rejoin() => _rejoinRequested = true;

    public void Assign(IReadOnlyCollection<KeyValuePair<TopicPartition, long>> partitionOffsets)
    {
        var list = new List<TopicPartitionOffset>(partitionOffsets.Count);
        lock (_lock)
        {
            _assignment.Clear();
            _applied.Clear();
            foreach (var (tp, offset) in partitionOffsets)
            {
                list.Add(new TopicPartitionOffset(tp.Topic, tp.Partition, offset));
                _assignment.Add(tp);
                _applied.Add(tp);
                _positions[tp] = offset;
                ExpectNext(tp, -1);
            }

            PublishAssignment();
        }

        _consumer.Assign(list);
    }

    public RecordBatch? Poll(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _pollThread = Environment.CurrentManagedThreadId;
        if (_rejoinRequested)
        {
            // Leaving revokes everything (through the listener, during the next Consume); joining again gets a
            // fresh assignment.
            _rejoinRequested = false;
            _consumer.Unsubscribe();
            _consumer.Subscribe(_topics);
        }

        if (_ready.Count == 0)
        {
            ReleaseHeld();
        }

        if (_ready.TryDequeue(out var ready))
        {
            return HandOut(ready);
        }

        var result = Consume(timeout);
        var taken = 0;
        while (result is not null)
        {
            Add(result);
            if (++taken >= MaxRecordsPerPoll)
            {
                break;
            }

            result = Consume(TimeSpan.Zero);
        }

        foreach (var accumulator in _filled)
        {
            _ready.Enqueue(new RecordBatch(accumulator.Partition, accumulator.Records, accumulator.Count));
            accumulator.Reset();
        }

        _filled.Clear();
        return _ready.TryDequeue(out ready) ? HandOut(ready) : null;
    }

    private void ExpectNext(TopicPartition partition, long offset)
    {
        if (_accumulators.TryGetValue(partition, out var accumulator))
        {
            accumulator.NextOffset = offset;
            accumulator.Rewound = false;
        }
    }

    /// <summary>Test hook: moves librdkafka's fetch position without telling this consumer, as its pause and resume
    /// races have done.</summary>
    internal void RewindFetchBehindTheConsumersBack(TopicPartition partition, long offset) =>
        _consumer.Seek(new TopicPartitionOffset(partition.Topic, partition.Partition, offset));

    private RecordBatch HandOut(RecordBatch batch)
    {
        _positions[batch.Partition] = batch.NextOffset;
        return batch;
    }

    private ConsumeResult<byte[]?, byte[]?>? Consume(TimeSpan timeout)
    {
        try
        {
            var result = _consumer.Consume(timeout);
            ApplyPending();
            if (result is { IsPartitionEOF: true })
            {
                _eofAt[new TopicPartition(result.Topic, result.Partition.Value)] = result.Offset.Value;
                return Consume(TimeSpan.Zero);
            }

            return result;
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal && ex.Error.Code != ErrorCode.Local_Application)
        {
            // A topic that vanished, an offset out of range that auto.offset.reset handles: log and go on.
            KafkaLog.ConsumeFailed(_logger, ex.Error.Code, ex.Error.Reason);
            if (ex.ConsumerRecord?.TopicPartition is { } reset)
            {
                // An offset reset (auto.offset.reset) may go back legitimately: expect anything next.
                ExpectNext(new TopicPartition(reset.Topic, reset.Partition.Value), -1);
            }

            ApplyPending();
            return null;
        }
    }

    private void Add(ConsumeResult<byte[]?, byte[]?> result)
    {
        var tp = new TopicPartition(result.Topic, result.Partition.Value);
        if (!_accumulators.TryGetValue(tp, out var accumulator))
        {
            _accumulators[tp] = accumulator = new Accumulator(tp);
        }

        var offset = result.Offset.Value;
        if (offset < accumulator.NextOffset)
        {
            // Handed out (or held) already in this assignment: see the once invariant.
            if (!accumulator.Rewound)
            {
                accumulator.Rewound = true;
                KafkaLog.Redelivered(_logger, tp.ToString(), offset, accumulator.NextOffset);
            }

            Interlocked.Increment(ref _redelivered);
            return;
        }

        accumulator.NextOffset = offset + 1;
        accumulator.Rewound = false;
        var message = result.Message;
        var record = new TransportRecord(message.Key, message.Value, ConvertHeaders(message.Headers), message.Timestamp.UnixTimestampMs);
        var consumed = new ConsumedRecord(offset, record);
        if (_paused.ContainsKey(tp) || _held.ContainsKey(tp))
        {
            if (!_held.TryGetValue(tp, out var held))
            {
                _held[tp] = held = [];
            }

            held.Add(consumed);
            return;
        }

        if (accumulator.Count == 0)
        {
            _filled.Add(accumulator);
        }

        accumulator.Add(consumed);
    }

    private static List<RecordHeader>? ConvertHeaders(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return null;
        }

        var list = new List<RecordHeader>(headers.Count);
        foreach (var header in headers)
        {
            list.Add(new RecordHeader(header.Key, header.GetValueBytes() ?? []));
        }

        return list;
    }

    // Records held while their partition was paused go out first once it resumes.
    private void ReleaseHeld()
    {
        if (_held.Count == 0)
        {
            return;
        }

        List<TopicPartition>? released = null;
        foreach (var (tp, records) in _held)
        {
            if (!_paused.ContainsKey(tp))
            {
                (released ??= []).Add(tp);
                if (records.Count > 0)
                {
                    _ready.Enqueue(new RecordBatch(tp, [.. records], records.Count));
                }
            }
        }

        if (released is not null)
        {
            foreach (var tp in released)
            {
                _held.Remove(tp);
            }
        }
    }

    // ---- rebalance callbacks (poll thread, inside Consume) ----

    private void OnAssigned(List<KafkaPartition> partitions)
    {
        var assigned = Convert(partitions);
        KafkaLog.Assigned(_logger, string.Join(", ", assigned));
        lock (_lock)
        {
            foreach (var tp in assigned)
            {
                _assignment.Add(tp);
            }

            PublishAssignment();
            _pendingApply.AddRange(assigned);
        }

        if (!_detached)
        {
            _listener?.OnAssigned(assigned);
        }
    }

    private void OnRevoked(List<TopicPartitionOffset> partitions, bool lost)
    {
        var revoked = new TopicPartition[partitions.Count];
        for (var i = 0; i < revoked.Length; i++)
        {
            revoked[i] = new TopicPartition(partitions[i].Topic, partitions[i].Partition.Value);
        }

        KafkaLog.Revoked(_logger, string.Join(", ", revoked));
        if (lost)
        {
            KafkaLog.PartitionsLost(_logger, string.Join(", ", revoked));
        }

        if (!_detached && _listener is { } listener)
        {
            if (lost)
            {
                listener.OnLost(revoked);
            }
            else
            {
                listener.OnRevoked(revoked);
            }
        }

        // After the listener's last commit: from here on these partitions belong to someone else.
        lock (_commitLock)
        lock (_lock)
        {
            foreach (var tp in revoked)
            {
                _assignment.Remove(tp);
                _applied.Remove(tp);
                _pausedAtBroker.Remove(tp);
                _paused.TryRemove(tp, out _);
                _held.Remove(tp);
                _positions.Remove(tp);
                _pendingApply.Remove(tp);
                ExpectNext(tp, -1);
                if (_accumulators.TryGetValue(tp, out var accumulator) && accumulator.Count > 0)
                {
                    // Read but never handed out, so never acknowledged: the next owner reads them again.
                    _filled.Remove(accumulator);
                    accumulator.Reset();
                }
            }

            PublishAssignment();
        }

        if (_ready.Count > 0)
        {
            var keep = _ready.Where(b => !Array.Exists(revoked, tp => tp == b.Partition)).ToArray();
            _ready.Clear();
            foreach (var batch in keep)
            {
                _ready.Enqueue(batch);
            }
        }
    }

    // Once Confluent has applied an assignment, bring the broker-side pause state of the new partitions in line
    // with what was asked (librdkafka may also remember a pause from an earlier assignment of the partition).
    private void ApplyPending()
    {
        if (_pendingApply.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            List<KafkaPartition>? pause = null;
            List<KafkaPartition>? resume = null;
            foreach (var tp in _pendingApply)
            {
                _applied.Add(tp);
                if (_paused.ContainsKey(tp))
                {
                    (pause ??= []).Add(new KafkaPartition(tp.Topic, tp.Partition));
                    _pausedAtBroker.Add(tp);
                }
                else
                {
                    (resume ??= []).Add(new KafkaPartition(tp.Topic, tp.Partition));
                }
            }

            _pendingApply.Clear();
            if (pause is not null)
            {
                _consumer.Pause(pause);
            }

            if (resume is not null)
            {
                _consumer.Resume(resume);
            }
        }
    }

    private void PublishAssignment() => Volatile.Write(ref _assignmentSnapshot, [.. _assignment]);

    // ---- thread-safe operations ----

    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            List<KafkaPartition>? now = null;
            foreach (var tp in partitions)
            {
                _paused[tp] = 0;
                if (_applied.Contains(tp) && _pausedAtBroker.Add(tp))
                {
                    (now ??= []).Add(new KafkaPartition(tp.Topic, tp.Partition));
                }
            }

            if (now is not null)
            {
                _consumer.Pause(now);
            }
        }
    }

    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            List<KafkaPartition>? now = null;
            foreach (var tp in partitions)
            {
                _paused.TryRemove(tp, out _);
                if (_pausedAtBroker.Remove(tp) && _applied.Contains(tp))
                {
                    (now ??= []).Add(new KafkaPartition(tp.Topic, tp.Partition));
                }
            }

            if (now is not null)
            {
                _consumer.Resume(now);
            }
        }
    }

    public void Seek(TopicPartition partition, long offset)
    {
        if (!_assignment.Contains(partition))
        {
            throw new InvalidOperationException($"{partition} is not assigned to this consumer.");
        }

        _held.Remove(partition);
        _eofAt.Remove(partition);
        _positions[partition] = offset;
        ExpectNext(partition, offset);
        _consumer.Seek(new TopicPartitionOffset(partition.Topic, partition.Partition, offset));
    }

    public long? GetCommittedOffset(TopicPartition partition)
    {
        if (GroupId is null)
        {
            return null;
        }

        var committed = _consumer.Committed([new KafkaPartition(partition.Topic, partition.Partition)], _requestTimeout);
        return committed.Count == 1 && committed[0].Offset.Value >= 0 ? committed[0].Offset.Value : null;
    }

    // Poll thread. The end of partition (enable.partition.eof, readers only) counts once every record before it
    // has been handed out: batches still queued here or held while paused come first.
    public long? GetPosition(TopicPartition partition)
    {
        var position = _positions.TryGetValue(partition, out var p) ? p : (long?)null;
        if (_eofAt.TryGetValue(partition, out var eof) && (position is null || eof > position) && !HasPending(partition))
        {
            return eof;
        }

        return position;
    }

    private bool HasPending(TopicPartition partition)
    {
        if (_held.ContainsKey(partition) || (_accumulators.TryGetValue(partition, out var accumulator) && accumulator.Count > 0))
        {
            return true;
        }

        foreach (var batch in _ready)
        {
            if (batch.Partition == partition)
            {
                return true;
            }
        }

        return false;
    }

    public Task CommitAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct = default)
    {
        if (GroupId is null)
        {
            throw new InvalidOperationException("Only a group consumer commits offsets.");
        }

        if (offsets.Count == 0)
        {
            return Task.CompletedTask;
        }

        // On the poll thread (the revoked callback) the commit must happen now, before the partitions go.
        if (Environment.CurrentManagedThreadId == _pollThread)
        {
            Commit(offsets);
            return Task.CompletedTask;
        }

        return Task.Run(() => Commit(offsets), ct);
    }

    private void Commit(IReadOnlyDictionary<TopicPartition, long> offsets)
    {
        // Under the commit lock, so the revoked callback cannot give the partitions away mid-commit.
        lock (_commitLock)
        {
            var list = OwnedOffsets(offsets);
            if (list.Count > 0)
            {
                _consumer.Commit(list);
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    KafkaLog.Committed(_logger, string.Join(", ", list.Select(o => $"{o.Topic}[{o.Partition.Value}]@{o.Offset.Value}")));
                }
            }
        }
    }

    /// <summary>Offsets of these partitions, restricted to what this consumer still owns (for a transaction).</summary>
    public List<TopicPartitionOffset> OwnedOffsets(IReadOnlyDictionary<TopicPartition, long> offsets)
    {
        var list = new List<TopicPartitionOffset>(offsets.Count);
        lock (_lock)
        {
            foreach (var (tp, offset) in offsets)
            {
                if (_assignment.Contains(tp))
                {
                    list.Add(new TopicPartitionOffset(tp.Topic, tp.Partition, offset));
                }
            }
        }

        return list;
    }

    public WatermarkOffsets GetWatermarks(TopicPartition partition, TimeSpan? timeout = null)
    {
        var marks = _consumer.QueryWatermarkOffsets(new KafkaPartition(partition.Topic, partition.Partition), timeout ?? _requestTimeout);
        return new WatermarkOffsets(Math.Max(0, marks.Low.Value), Math.Max(0, marks.High.Value));
    }

    // librdkafka keeps the high watermark of every partition it fetches (each fetch response carries it), and the
    // log start offset with it; no request is sent. A partition no longer assigned keeps its last values there, so
    // only the assignment's are answered.
    public WatermarkOffsets? GetCachedWatermarks(TopicPartition partition)
    {
        if (_disposed || Array.IndexOf(Volatile.Read(ref _assignmentSnapshot), partition) < 0)
        {
            return null;
        }

        var marks = _consumer.GetWatermarkOffsets(new KafkaPartition(partition.Topic, partition.Partition));
        return marks.High.Value < 0 ? null : new WatermarkOffsets(Math.Max(0, marks.Low.Value), marks.High.Value);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // The worker has committed and closed its tables by now: Close leaves the group (a static member stays
        // until session.timeout.ms) without calling back into it.
        _detached = true;
        try
        {
            if (GroupId is not null && _consumer.Subscription.Count > 0)
            {
                _consumer.Close();
            }
        }
        catch (KafkaException)
        {
            // Leaving a group the broker cannot be told about: the session times out instead.
        }
        finally
        {
            _consumer.Dispose();
        }
    }

    private static TopicPartition[] Convert(List<KafkaPartition> partitions)
    {
        var result = new TopicPartition[partitions.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new TopicPartition(partitions[i].Topic, partitions[i].Partition.Value);
        }

        return result;
    }

    private sealed class Accumulator(TopicPartition partition)
    {
        public TopicPartition Partition { get; } = partition;

        public ConsumedRecord[] Records { get; private set; } = new ConsumedRecord[BatchCapacity];

        public int Count { get; private set; }

        /// <summary>The offset after the last record received in this assignment, or -1: anything may come.</summary>
        public long NextOffset { get; set; } = -1;

        /// <summary>Whether records below <see cref="NextOffset"/> are arriving (logged once per rewind).</summary>
        public bool Rewound { get; set; }

        public void Add(ConsumedRecord record)
        {
            if (Count == Records.Length)
            {
                var bigger = new ConsumedRecord[Records.Length * 2];
                Array.Copy(Records, bigger, Count);
                Records = bigger;
            }

            Records[Count++] = record;
        }

        // The array went out with a batch: the next batch gets a new one.
        public void Reset()
        {
            Records = new ConsumedRecord[BatchCapacity];
            Count = 0;
        }
    }
}
