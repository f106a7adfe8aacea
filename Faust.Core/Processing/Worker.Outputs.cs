using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Processing;

// Records an agent queues without waiting for them: forwards (repartition, through, echo), sink deliveries,
// dead letters, replies. At least once: the commit flushes the producer before it commits offsets, so the
// record of an acknowledged event is durable first. Exactly once: sent from an agent, they join the worker's
// transaction.
internal sealed partial class Worker
{
    private Action<DeliveryResult, Exception?>? _onOutputDelivered;

    /// <summary>Queues a record; from an agent under exactly_once, inside the worker's transaction.</summary>
    public void Produce(TopicPartition tp, TransportRecord record) =>
        ProducerForCaller().Produce(tp, record, _onOutputDelivered ??= OnOutputDelivered);

    /// <summary>Queues a record outside any transaction (replies: a reply is not state, and an asker must not
    /// wait for a commit to see it).</summary>
    public void ProduceNow(TopicPartition tp, TransportRecord record) =>
        RequireProducer().Produce(tp, record, _onOutputDelivered ??= OnOutputDelivered);

    private void OnOutputDelivered(DeliveryResult result, Exception? error)
    {
        if (error is not null)
        {
            _fault ??= error;
            LogOutputFailed(Logger, error, result.Topic, result.Partition);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A record an agent sent to {Topic}[{Partition}] was not written; the next commit fails so the events are processed again.")]
    private static partial void LogOutputFailed(ILogger logger, Exception ex, string topic, int partition);
}
