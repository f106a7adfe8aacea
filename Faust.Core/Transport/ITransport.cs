namespace Faust.Transport;

/// <summary>
/// A broker connection shaped after Kafka's client model: topics with partitions, producers, and consumers that
/// either join a group (subscribe) or read partitions they assign themselves (recovery readers).
/// The transport knows bytes, partitions and offsets; never tables or agents.
/// </summary>
internal interface ITransport : IAsyncDisposable
{
    /// <summary>Creates the topic if it does not exist.</summary>
    /// <returns>The partition count the topic has (which may differ from the spec when it already existed).</returns>
    Task<int> EnsureTopicAsync(TopicSpec spec, CancellationToken ct = default);

    /// <summary>The partition count of an existing topic, or null when the topic is unknown.</summary>
    int? GetPartitionCount(string topic);

    /// <summary>Creates a producer. A transactional producer buffers its records until the transaction commits.</summary>
    ITransportProducer CreateProducer(bool transactional = false);

    /// <summary>Creates a consumer. With a group id it subscribes as a group member; without one it only reads
    /// partitions it is assigned with <see cref="ITransportConsumer.Assign"/>.</summary>
    ITransportConsumer CreateConsumer(string? groupId, IRebalanceListener? listener = null);
}
