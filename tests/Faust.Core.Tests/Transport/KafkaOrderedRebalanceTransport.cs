using Faust.Transport;

namespace Faust.Core.Tests.Transport;

/// <summary>
/// Wraps a single-member transport so that its group consumer rebalances in Kafka's order when the test asks
/// (<see cref="Rebalance"/>): on its poll thread, the next poll revokes every partition and assigns them again (or
/// some of them). librdkafka publishes the new assignment (<see cref="ITransportConsumer.Assignment"/>) only after the
/// assigned callback has returned; this can hold that window open until <see cref="PublishAssignment"/>, so what the
/// worker answers inside it can be asserted deterministically.
/// </summary>
internal sealed class KafkaOrderedRebalanceTransport(ITransport inner) : ITransport
{
    private Consumer? _group;

    /// <summary>Asks the group consumer to rebalance on its next poll: revoke everything, then assign the partitions
    /// <paramref name="assign"/> accepts (all by default).</summary>
    /// <param name="assign">Which of the consumer's partitions the new assignment holds; null for all.</param>
    /// <param name="holdPublication">Whether the consumer keeps saying it holds nothing after the assigned callback,
    /// until <see cref="PublishAssignment"/>.</param>
    /// <returns>Completes when the assigned callback has returned.</returns>
    public Task Rebalance(Func<TopicPartition, bool>? assign = null, bool holdPublication = true) =>
        (_group ?? throw new InvalidOperationException("No group consumer yet.")).Rebalance(assign ?? (_ => true), holdPublication);

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

        return _group = new Consumer(consumer, listener);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private sealed class Consumer(ITransportConsumer inner, IRebalanceListener listener) : ITransportConsumer
    {
        private volatile Request? _request;
        private volatile IReadOnlyCollection<TopicPartition>? _published;
        private IReadOnlyCollection<TopicPartition> _assigned = [];

        public IReadOnlyCollection<TopicPartition> Assignment => _published ?? inner.Assignment;

        public string? GroupId => inner.GroupId;

        public Task Rebalance(Func<TopicPartition, bool> assign, bool holdPublication)
        {
            var request = new Request(assign, holdPublication);
            _request = request;
            return request.CallbackReturned.Task;
        }

        public void Publish() => _published = _assigned;

        public RecordBatch? Poll(TimeSpan timeout)
        {
            if (Interlocked.Exchange(ref _request, null) is { } request)
            {
                var revoked = Assignment.ToArray();
                _published = [];
                listener.OnRevoked(revoked);
                _assigned = [.. inner.Assignment.Where(request.Assign)];
                listener.OnAssigned(_assigned);
                if (!request.HoldPublication)
                {
                    Publish();
                }

                request.CallbackReturned.TrySetResult();
            }

            return inner.Poll(timeout);
        }

        private sealed record Request(Func<TopicPartition, bool> Assign, bool HoldPublication)
        {
            public TaskCompletionSource CallbackReturned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
