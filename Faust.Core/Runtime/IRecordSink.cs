using Faust.Transport;

namespace Faust.Runtime;

/// <summary>Where topics, forwards, sinks and dead letters send records: the worker's producers.</summary>
/// <remarks>Thread safe. From an agent under exactly_once, a record joins the worker's transaction.</remarks>
internal interface IRecordSink
{
    /// <summary>Sends a record and completes when it is durable (or buffered in the transaction: offset -1).</summary>
    Task<DeliveryResult> ProduceAsync(TopicPartition tp, TransportRecord record, CancellationToken ct);

    /// <summary>Queues a record; the next commit makes it durable before it commits the offsets.</summary>
    void Produce(TopicPartition tp, TransportRecord record);

    /// <summary>Queues a reply outside any transaction: an asker must not wait for a commit to see it.</summary>
    void ProduceReply(TopicPartition tp, TransportRecord record);
}
