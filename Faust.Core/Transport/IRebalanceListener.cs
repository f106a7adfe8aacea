namespace Faust.Transport;

/// <summary>Assignment callbacks of a group consumer. They run on the thread that calls
/// <see cref="ITransportConsumer.Poll"/>, as Kafka's do.</summary>
internal interface IRebalanceListener
{
    void OnAssigned(IReadOnlyCollection<TopicPartition> partitions);

    void OnRevoked(IReadOnlyCollection<TopicPartition> partitions);

    /// <summary>The partitions were taken away without a revocation (the session timed out, the producer was
    /// fenced): another member may own them already, so nothing may be committed for them.</summary>
    void OnLost(IReadOnlyCollection<TopicPartition> partitions) => OnRevoked(partitions);
}
