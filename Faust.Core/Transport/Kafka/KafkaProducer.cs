using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using KafkaPartition = Confluent.Kafka.TopicPartition;

namespace Faust.Transport.Kafka;

// A Confluent producer behind ITransportProducer. The caller always names the partition (murmur2 in
// Routing.Partitioner, the same function as librdkafka's murmur2 partitioner); librdkafka batches per partition
// (linger.ms) and, with idempotence on, keeps each partition's order and never duplicates on retry.
//
// Durability invariant: FlushAsync completes only when every record produced before the call is acknowledged by
// the broker, and throws if any record ever failed. A failure is sticky: the worker cannot tell which events'
// effects were lost, so no later commit may succeed; the events after the last commit are processed again once
// the worker restarts. librdkafka retries transient errors itself (until message.timeout.ms), so a failure here
// is real.
//
// FlushAsync does not use rd_kafka_flush, which waits for the whole queue to drain and never returns while agents
// keep producing. Delivery reports of one partition arrive in produce order, so per partition "delivered >= the
// count produced when flush was called" means everything before the call is done.
internal sealed class KafkaProducer : ITransportProducer
{
    private static readonly TimeSpan QueueFullWait = TimeSpan.FromMilliseconds(5);
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly ILogger _logger;
    private readonly TimeSpan _transactionTimeout;
    private readonly ConcurrentDictionary<TopicPartition, Counter> _counters = new();
    private readonly Action<DeliveryReport<byte[]?, byte[]?>> _onReport;
    private readonly List<FlushWaiter> _waiters = [];
    private volatile int _waiterCount;
    private volatile Exception? _failure;
    private CachedHandler? _cachedHandler;
    private bool _inTransaction;

    public KafkaProducer(KafkaSettings settings, bool transactional, ILogger logger)
    {
        IsTransactional = transactional;
        _logger = logger;
        _transactionTimeout = settings.RequestTimeout * 3;
        _onReport = report => OnDelivered(report, null);
        _producer = new ProducerBuilder<byte[]?, byte[]?>(settings.Producer(transactional))
            .SetKeySerializer(Serializers.ByteArray!)
            .SetValueSerializer(Serializers.ByteArray!)
            .SetLogHandler((_, message) => KafkaLog.Librdkafka(logger, message))
            .SetErrorHandler((p, error) => KafkaLog.Error(logger, p.Name, error))
            .Build();
        TransactionalId = transactional ? settings.TransactionalId : null;
        if (transactional)
        {
            // Fences an earlier producer with this transactional.id (this worker's zombie) and aborts its open
            // transaction, so read_committed readers do not wait on it.
            _producer.InitTransactions(_transactionTimeout);
        }
    }

    public bool IsTransactional { get; }

    /// <summary>The transactional id, or null for a plain producer.</summary>
    public string? TransactionalId { get; }

    public void Produce(TopicPartition partition, TransportRecord record, Action<DeliveryResult, Exception?>? onDelivered = null)
    {
        if (IsTransactional && !_inTransaction)
        {
            throw new InvalidOperationException("A transactional producer needs BeginTransaction before it produces.");
        }

        var counter = _counters.GetOrAdd(partition, static _ => new Counter());
        var message = new Message<byte[]?, byte[]?>
        {
            Key = record.Key,
            Value = record.Value,
            Timestamp = new Timestamp(record.TimestampMs, TimestampType.CreateTime),
            Headers = ConvertHeaders(record.Headers),
        };
        var target = new KafkaPartition(partition.Topic, new Partition(partition.Partition));
        var handler = onDelivered is null ? _onReport : HandlerFor(onDelivered);
        while (true)
        {
            try
            {
                Interlocked.Increment(ref counter.Produced);
                _producer.Produce(target, message, handler);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The local queue is full (queue.buffering.max.messages): wait for deliveries, not spin.
                Interlocked.Decrement(ref counter.Produced);
                Thread.Sleep(QueueFullWait);
            }
            catch
            {
                Interlocked.Decrement(ref counter.Produced);
                throw;
            }
        }
    }

    public Task<DeliveryResult> ProduceAsync(TopicPartition partition, TransportRecord record, CancellationToken ct = default)
    {
        var tcs = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Produce(partition, record, (result, error) =>
        {
            if (error is null)
            {
                tcs.TrySetResult(result);
            }
            else
            {
                tcs.TrySetException(error);
            }
        });
        return ct.CanBeCanceled ? tcs.Task.WaitAsync(ct) : tcs.Task;
    }

    public Task FlushAsync(CancellationToken ct = default)
    {
        if (_failure is { } failed)
        {
            return Task.FromException(failed);
        }

        var targets = new List<(Counter, long)>();
        foreach (var (_, counter) in _counters)
        {
            var produced = Interlocked.Read(ref counter.Produced);
            if (Interlocked.Read(ref counter.Delivered) < produced)
            {
                targets.Add((counter, produced));
            }
        }

        if (targets.Count == 0)
        {
            return Task.CompletedTask;
        }

        var waiter = new FlushWaiter(targets);
        lock (_waiters)
        {
            _waiters.Add(waiter);
            _waiterCount = _waiters.Count;
        }

        // A report may have landed between the snapshot and the registration.
        CheckWaiters();
        return ct.CanBeCanceled ? waiter.Done.Task.WaitAsync(ct) : waiter.Done.Task;
    }

    private void OnDelivered(DeliveryReport<byte[]?, byte[]?> report, Action<DeliveryResult, Exception?>? callback)
    {
        var tp = new TopicPartition(report.Topic, report.Partition.Value);
        Exception? error = null;
        if (report.Error.IsError)
        {
            error = new KafkaException(report.Error);
            _failure ??= error;
            KafkaLog.DeliveryFailed(_logger, report.Topic, report.Partition.Value, report.Error.Reason);
        }

        if (_counters.TryGetValue(tp, out var counter))
        {
            Interlocked.Increment(ref counter.Delivered);
        }

        callback?.Invoke(new DeliveryResult(report.Topic, report.Partition.Value, report.Offset.Value), error);
        if (_waiterCount > 0)
        {
            CheckWaiters();
        }
    }

    private void CheckWaiters()
    {
        List<FlushWaiter>? done = null;
        lock (_waiters)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_failure is not null || _waiters[i].IsDone)
                {
                    (done ??= []).Add(_waiters[i]);
                    _waiters.RemoveAt(i);
                }
            }

            _waiterCount = _waiters.Count;
        }

        if (done is null)
        {
            return;
        }

        foreach (var waiter in done)
        {
            if (_failure is { } failed)
            {
                waiter.Done.TrySetException(failed);
            }
            else
            {
                waiter.Done.TrySetResult();
            }
        }
    }

    // Table writes pass the same callback every time: wrap it once, not per record.
    private Action<DeliveryReport<byte[]?, byte[]?>> HandlerFor(Action<DeliveryResult, Exception?> callback)
    {
        var cached = Volatile.Read(ref _cachedHandler);
        if (cached is not null && ReferenceEquals(cached.Callback, callback))
        {
            return cached.Handler;
        }

        var created = new CachedHandler(callback, report => OnDelivered(report, callback));
        Volatile.Write(ref _cachedHandler, created);
        return created.Handler;
    }

    private static Headers? ConvertHeaders(IReadOnlyList<RecordHeader>? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return null;
        }

        var result = new Headers();
        foreach (var header in headers)
        {
            result.Add(header.Key, header.Value);
        }

        return result;
    }

    // ---- transactions ----

    public void BeginTransaction()
    {
        RequireTransactional();
        if (_inTransaction)
        {
            throw new InvalidOperationException("A transaction is already open.");
        }

        _producer.BeginTransaction();
        _inTransaction = true;
    }

    public Task CommitTransactionAsync(IReadOnlyDictionary<TopicPartition, long> offsets, ITransportConsumer consumer, CancellationToken ct = default)
    {
        RequireTransactional();
        if (!_inTransaction)
        {
            throw new InvalidOperationException("No transaction is open.");
        }

        var kafkaConsumer = consumer as KafkaConsumer
            ?? throw new InvalidOperationException("A Kafka transaction commits the offsets of a Kafka consumer.");

        // Blocking librdkafka calls: off the caller's thread, except that the revoked callback (poll thread)
        // must finish the commit before it returns, and waiting on another thread from there is fine.
        return Task.Run(() =>
        {
            _inTransaction = false;
            try
            {
                var owned = kafkaConsumer.OwnedOffsets(offsets);
                if (owned.Count > 0)
                {
                    _producer.SendOffsetsToTransaction(owned, kafkaConsumer.GroupMetadata, _transactionTimeout);
                }

                _producer.CommitTransaction(_transactionTimeout);
            }
            catch (KafkaTxnRequiresAbortException)
            {
                _producer.AbortTransaction(_transactionTimeout);
                throw;
            }
            catch (KafkaException ex) when (ex.Error.IsFatal || ex.Error.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch)
            {
                throw new ProducerFencedException(TransactionalId!, ex);
            }
        }, ct);
    }

    public void AbortTransaction()
    {
        RequireTransactional();
        if (!_inTransaction)
        {
            throw new InvalidOperationException("No transaction is open.");
        }

        _inTransaction = false;
        _producer.AbortTransaction(_transactionTimeout);
    }

    private void RequireTransactional()
    {
        if (!IsTransactional)
        {
            throw new InvalidOperationException("This producer is not transactional.");
        }
    }

    public void Dispose()
    {
        try
        {
            // Whatever is still queued gets its chance (bounded), so a clean shutdown loses nothing.
            _producer.Flush(TimeSpan.FromSeconds(10));
        }
        catch (KafkaException)
        {
        }

        _producer.Dispose();
    }

    private sealed class Counter
    {
        public long Produced;
        public long Delivered;
    }

    private sealed class FlushWaiter(List<(Counter Counter, long Target)> targets)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsDone
        {
            get
            {
                foreach (var (counter, target) in targets)
                {
                    if (Interlocked.Read(ref counter.Delivered) < target)
                    {
                        return false;
                    }
                }

                return true;
            }
        }
    }

    private sealed record CachedHandler(Action<DeliveryResult, Exception?> Callback, Action<DeliveryReport<byte[]?, byte[]?>> Handler);
}
