using Faust.Transport;

namespace Faust.Core.Tests.Transport;

/// <summary>
/// Wraps a single-member transport so that its group consumer rebalances in Kafka's order: on <see
/// cref="ITransportConsumer.Rejoin"/> the next poll revokes every partition and assigns them again, and the consumer
/// publishes the new assignment (<see cref="ITransportConsumer.Assignment"/>) only when the test calls <see
/// cref="PublishAssignment"/>. librdkafka publishes it only after the assigned callback has returned; this holds
/// that window open, so what the worker answers inside it can be asserted deterministically.
/// </summary>
internal sealed class KafkaOrderedRebalanceTransport(ITransport inner) : ITransport
{
    private readonly TaskCompletionSource _assignedCallbackReturned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Consumer? _group;

    /// <summary>Completes when the rebalance's assigned callback has returned (the assignment is still unpublished).</summary>
    public Task AssignedCallbackReturned => _assignedCallbackReturned.Task;

    /// <summary>Asks the group consumer to rebalance on its next poll.</summary>
    public void Rebalance() => (_group ?? throw new InvalidOperationException("No group consumer yet.")).Rejoin();

    /// <summary>Publishes the reassigned partitions as the consumer's assignment.</summary>
    public void PublishAssignment() => _group!.Publish();

    public Task<int> EnsureTopicAsync(TopicSpec spec, CancellationToken ct = default) => inner.EnsureTopicAsync(spec, ct);

    public int? GetPartitionCount(string topic) => inner.GetPartitionCount(topic);

    public ITransportProducer CreateProducer(bool transactional = false) => inner.CreateProducer(transactional);

    public ITransportConsumer CreateConsumer(string? groupId, IRebalanceListener? listener = null)
    {
        var consumer = inner.CreateConsumer(groupId, listener);
        if (groupId is null || listener is null)
        {
            return consumer;
        }

        return _group = new Consumer(consumer, listener, _assignedCallbackReturned);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private sealed class Consumer(ITransportConsumer inner, IRebalanceListener listener, TaskCompletionSource assignedCallbackReturned) : ITransportConsumer
    {
        private volatile bool _rejoin;
        private volatile IReadOnlyCollection<TopicPartition>? _published;

        public IReadOnlyCollection<TopicPartition> Assignment => _published ?? inner.Assignment;

        public string? GroupId => inner.GroupId;

        public void Rejoin() => _rejoin = true;

        public void Publish() => _published = null;

        public RecordBatch? Poll(TimeSpan timeout)
        {
            if (_rejoin)
            {
                _rejoin = false;
                var partitions = inner.Assignment.ToArray();
                _published = [];
                listener.OnRevoked(partitions);
                listener.OnAssigned(partitions);
                assignedCallbackReturned.TrySetResult();
            }

            return inner.Poll(timeout);
        }

        public void Subscribe(IReadOnlyCollection<string> topics) => inner.Subscribe(topics);

        public void Assign(IReadOnlyCollection<KeyValuePair<TopicPartition, long>> partitionOffsets) => inner.Assign(partitionOffsets);

        public void Pause(IEnumerable<TopicPartition> partitions) => inner.Pause(partitions);

        public void Resume(IEnumerable<TopicPartition> partitions) => inner.Resume(partitions);

        public void Seek(TopicPartition partition, long offset) => inner.Seek(partition, offset);

        public long? GetCommittedOffset(TopicPartition partition) => inner.GetCommittedOffset(partition);

        public Task CommitAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct = default) => inner.CommitAsync(offsets, ct);

        public long? GetPosition(TopicPartition partition) => inner.GetPosition(partition);

        public WatermarkOffsets GetWatermarks(TopicPartition partition, TimeSpan? timeout = null) => inner.GetWatermarks(partition, timeout);

        public WatermarkOffsets? GetCachedWatermarks(TopicPartition partition) => inner.GetCachedWatermarks(partition);

        public void Dispose() => inner.Dispose();
    }
}
