namespace Faust.Transport;

/// <summary>Writes records to explicit partitions (the caller partitions with <see cref="Routing.Partitioner"/>).</summary>
/// <remarks>Thread safe. Records sent to one partition by one thread keep their order.</remarks>
internal interface ITransportProducer : IDisposable
{
    bool IsTransactional { get; }

    /// <summary>Queues a record; <paramref name="onDelivered"/> (may be null) runs when it is durable or failed.
    /// In a transaction the offset is -1: offsets are given when the transaction commits.</summary>
    void Produce(TopicPartition partition, TransportRecord record, Action<DeliveryResult, Exception?>? onDelivered = null);

    /// <summary>Writes a record and completes when it is durable.</summary>
    Task<DeliveryResult> ProduceAsync(TopicPartition partition, TransportRecord record, CancellationToken ct = default);

    /// <summary>Completes when everything produced before the call is durable; throws if any of it failed.</summary>
    Task FlushAsync(CancellationToken ct = default);

    /// <summary>Starts a transaction (transactional producers only).</summary>
    void BeginTransaction();

    /// <summary>Commits the records of the current transaction together with the consumer's offsets, atomically.</summary>
    Task CommitTransactionAsync(IReadOnlyDictionary<TopicPartition, long> offsets, ITransportConsumer consumer, CancellationToken ct = default);

    /// <summary>Drops the records of the current transaction.</summary>
    void AbortTransaction();
}
