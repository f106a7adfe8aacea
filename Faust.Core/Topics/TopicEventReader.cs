using Faust.Processing;
using Faust.Runtime;
using Faust.Streams;
using Faust.Topics;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Topics;

/// <summary>Decodes the records of an agent's inbox into events. A record that does not decode goes to the agent's
/// dead-letter topic or is skipped, as the source's <see cref="DecodeErrorPolicy"/> says; either way it is logged,
/// counted and acknowledged: a bad record never stops the agent.</summary>
internal sealed partial class TopicEventReader<TKey, TValue>(
    AgentInbox inbox, EventDecoder<TKey, TValue> decoder, DecodeErrorPolicy policy, DeadLetterQueue? deadLetters, ILogger logger)
    : IEventReader<TKey, TValue>
{
    private RecordBatch? _batch;
    private AckTracker? _tracker;
    private int _index;
    private long _skipped;
    private long _deadLettered;

    public long Skipped => Interlocked.Read(ref _skipped);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    public bool TryRead(out Event<TKey, TValue> next)
    {
        while (true)
        {
            var batch = _batch;
            if (batch is null || _index >= batch.Count || !inbox.IsCurrent(batch.Partition.Partition, _tracker!))
            {
                // A partition revoked mid-batch: the rest of the batch belongs to the next owner.
                if (!inbox.TryRead(out batch, out var tracker))
                {
                    _batch = null;
                    next = default;
                    return false;
                }

                _batch = batch;
                _tracker = tracker;
                _index = 0;
            }

            var consumed = batch.Records[_index++];
            if (_index == batch.Count)
            {
                inbox.Consumed(batch);
            }

            if (TryDecode(batch.Partition, consumed, out next))
            {
                return true;
            }
        }
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken ct) => inbox.WaitToReadAsync(ct);

    public void Ack(in Event<TKey, TValue> processed) => inbox.Ack(processed.Partition, processed.Offset);

    private bool TryDecode(TopicPartition tp, ConsumedRecord consumed, out Event<TKey, TValue> next)
    {
        if (decoder.TryDecode(tp, consumed, out next, out var failure))
        {
            return true;
        }

        StreamContext.Current?.Stats?.OnRecordSkipped(failure.Error, tp, consumed.Offset);

        // The dead letter first, then the ack (see DeadLetterQueue).
        if (policy == DecodeErrorPolicy.DeadLetter
            && deadLetters?.Send(inbox.AgentName, tp, consumed.Offset, consumed.Record, failure.Stage, failure.Error) == true)
        {
            Interlocked.Increment(ref _deadLettered);
        }
        else
        {
            Interlocked.Increment(ref _skipped);
            LogSkipped(logger, failure.Error, inbox.AgentName, tp.Topic, tp.Partition, consumed.Offset, failure.Error.Message);
        }

        inbox.Ack(tp.Partition, consumed.Offset);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {Agent} skipped the record at {Topic}[{Partition}]@{Offset}: it could not be decoded ({Reason}).")]
    private static partial void LogSkipped(ILogger logger, Exception ex, string agent, string topic, int partition, long offset, string reason);
}
