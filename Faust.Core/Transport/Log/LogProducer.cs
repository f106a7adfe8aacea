namespace Faust.Transport.Log;

/// <summary>A producer of the in-process log broker. A transactional one buffers records until commit.</summary>
internal sealed class LogProducer(LogBroker broker, bool transactional) : ITransportProducer
{
    private readonly object _lock = new();
    private List<(TopicPartition, TransportRecord, Action<DeliveryResult, Exception?>?)> _transaction = [];
    private bool _inTransaction;

    public bool IsTransactional => transactional;

    public void Produce(TopicPartition partition, TransportRecord record, Action<DeliveryResult, Exception?>? onDelivered = null)
    {
        if (transactional)
        {
            lock (_lock)
            {
                if (!_inTransaction)
                {
                    throw new InvalidOperationException("A transactional producer needs BeginTransaction before it produces.");
                }

                _transaction.Add((partition, record, onDelivered));
            }

            return;
        }

        broker.Append(partition, record, onDelivered);
    }

    public Task<DeliveryResult> ProduceAsync(TopicPartition partition, TransportRecord record, CancellationToken ct = default)
    {
        if (transactional)
        {
            // Part of the open transaction: durable when it commits, offset given then.
            Produce(partition, record);
            return Task.FromResult(new DeliveryResult(partition.Topic, partition.Partition, -1));
        }

        var tcs = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        broker.Append(partition, record, (result, error) =>
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

    public Task FlushAsync(CancellationToken ct = default) => broker.FlushAsync(ct);

    public void BeginTransaction()
    {
        RequireTransactional();
        lock (_lock)
        {
            if (_inTransaction)
            {
                throw new InvalidOperationException("A transaction is already open.");
            }

            _inTransaction = true;
        }
    }

    public Task CommitTransactionAsync(IReadOnlyDictionary<TopicPartition, long> offsets, ITransportConsumer consumer, CancellationToken ct = default)
    {
        RequireTransactional();
        List<(TopicPartition, TransportRecord, Action<DeliveryResult, Exception?>?)> records;
        lock (_lock)
        {
            if (!_inTransaction)
            {
                throw new InvalidOperationException("No transaction is open.");
            }

            records = _transaction;
            _transaction = [];
            _inTransaction = false;
        }

        return broker.CommitTransactionAsync(records, consumer.GroupId, offsets, ct);
    }

    public void AbortTransaction()
    {
        RequireTransactional();
        lock (_lock)
        {
            _transaction = [];
            _inTransaction = false;
        }
    }

    private void RequireTransactional()
    {
        if (!transactional)
        {
            throw new InvalidOperationException("This producer is not transactional.");
        }
    }

    public void Dispose()
    {
    }
}
