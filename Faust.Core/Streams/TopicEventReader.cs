using Faust.Processing;
using Faust.Serialization;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Streams;

/// <summary>Decodes the records of an agent's inbox into events. A record that does not decode is logged,
/// counted and acknowledged (skipped): a bad record never stops the agent.</summary>
internal sealed partial class TopicEventReader<TKey, TValue>(
    AgentInbox inbox, ICodec<TKey> keyCodec, ICodec<TValue> valueCodec, ILogger logger) : IEventReader<TKey, TValue>
{
    private static readonly IReadOnlyList<RecordHeader> NoHeaders = [];
    private RecordBatch? _batch;
    private int _index;
    private long _skipped;

    public long Skipped => Interlocked.Read(ref _skipped);

    public bool TryRead(out Event<TKey, TValue> next)
    {
        while (true)
        {
            var batch = _batch;
            if (batch is null || _index >= batch.Count)
            {
                if (!inbox.TryRead(out batch))
                {
                    _batch = null;
                    next = default;
                    return false;
                }

                if (!inbox.IsAssigned(batch.Partition.Partition))
                {
                    continue;
                }

                _batch = batch;
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
        var record = consumed.Record;
        try
        {
            var key = record.Key is { } k ? keyCodec.Decode(k) : default!;
            var value = record.Value is { } v ? valueCodec.Decode(v) : default!;
            next = new Event<TKey, TValue>(key, value, record.Headers ?? NoHeaders, tp.Topic, tp.Partition, consumed.Offset,
                DateTimeOffset.FromUnixTimeMilliseconds(record.TimestampMs))
            { Raw = record };
            return true;
        }
        catch (Exception ex) when (ex is CodecException or ArgumentException or FormatException or InvalidOperationException)
        {
            Interlocked.Increment(ref _skipped);
            LogSkipped(logger, ex, inbox.AgentName, tp.Topic, tp.Partition, consumed.Offset, ex.Message);
            inbox.Ack(tp.Partition, consumed.Offset);
            next = default;
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {Agent} skipped the record at {Topic}[{Partition}]@{Offset}: it could not be decoded ({Reason}).")]
    private static partial void LogSkipped(ILogger logger, Exception ex, string agent, string topic, int partition, long offset, string reason);
}
