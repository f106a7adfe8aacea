using Faust.Agents;
using Faust.Runtime;
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
    private Action<DeliveryResult, Exception?>? _onReplyDelivered;

    /// <summary>Queues a record; from an agent under exactly_once, inside the worker's transaction.</summary>
    public void Produce(TopicPartition tp, TransportRecord record) =>
        ProducerForCaller().Produce(tp, record, _onOutputDelivered ??= OnOutputDelivered);

    /// <summary>Queues a reply outside any transaction: a reply is not state, and an asker must not wait for a commit
    /// to see it. A reply that cannot be written (the asker's topic is gone) is logged; the asker times out.</summary>
    public void ProduceReply(TopicPartition tp, TransportRecord record)
    {
        try
        {
            RequireProducer().Produce(tp, record, _onReplyDelivered ??= OnReplyDelivered);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            LogReplyFailed(Logger, ex, tp.Topic);
        }
    }

    private readonly SemaphoreSlim _repliesLock = new(1, 1);
    private ReplyConsumer? _replies;

    /// <summary>This worker's reply consumer (Faust's <c>reply_to</c> topic), started at the first request.</summary>
    /// <exception cref="ReplyTopicUnavailableException">The broker refused the reply topic.</exception>
    public async Task<ReplyConsumer> RepliesAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _replies) is { } replies)
        {
            return replies;
        }

        await _repliesLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_replies is null)
            {
                var topic = ReplyTopic ?? $"f-reply-{Guid.NewGuid()}";
                try
                {
                    _replies = await ReplyConsumer.StartAsync(_transport, topic, Logger, ct).ConfigureAwait(false);
                }
                catch (InvalidOperationException ex)
                {
                    throw new ReplyTopicUnavailableException(topic, ex);
                }
            }

            return _replies;
        }
        finally
        {
            _repliesLock.Release();
        }
    }

    private async Task StopRepliesAsync()
    {
        if (Interlocked.Exchange(ref _replies, null) is { } replies)
        {
            await replies.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void OnReplyDelivered(DeliveryResult result, Exception? error)
    {
        if (error is not null)
        {
            LogReplyFailed(Logger, error, result.Topic);
        }
    }

    private void OnOutputDelivered(DeliveryResult result, Exception? error)
    {
        if (error is not null)
        {
            _fault ??= error;
            LogOutputFailed(Logger, error, result.Topic, result.Partition);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A reply to {Topic} was not written; the asker will time out.")]
    private static partial void LogReplyFailed(ILogger logger, Exception ex, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "A record an agent sent to {Topic}[{Partition}] was not written; the next commit fails so the events are processed again.")]
    private static partial void LogOutputFailed(ILogger logger, Exception ex, string topic, int partition);
}
