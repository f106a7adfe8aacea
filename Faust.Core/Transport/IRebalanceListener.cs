namespace Faust.Transport;

/// <summary>Assignment callbacks of a group consumer. They run on the thread that calls
/// <see cref="ITransportConsumer.Poll"/>, as Kafka's do.</summary>
internal interface IRebalanceListener
{
    void OnAssigned(IReadOnlyCollection<TopicPartition> partitions);

    void OnRevoked(IReadOnlyCollection<TopicPartition> partitions);
}
