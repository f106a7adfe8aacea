using Faust.Processing;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Transport;

namespace Faust.Streams;

// Turns a consumed record into an event with the source's codecs (or the codecs the schema's header hooks pick).
// Any exception a codec throws is a decode failure, never an agent crash: a record that was handed out of the
// inbox and not acknowledged would hold the partition's commit forever.
internal sealed class EventDecoder<TKey, TValue>(
    ICodec<TKey> keyCodec,
    ICodec<TValue> valueCodec,
    Func<IReadOnlyList<RecordHeader>, ICodec<TKey>?>? keyFromHeaders = null,
    Func<IReadOnlyList<RecordHeader>, ICodec<TValue>?>? valueFromHeaders = null)
{
    private static readonly IReadOnlyList<RecordHeader> NoHeaders = [];

    public bool TryDecode(TopicPartition tp, in ConsumedRecord consumed, out Event<TKey, TValue> next, out DecodeFailure failure)
    {
        var record = consumed.Record;
        var headers = record.Headers ?? NoHeaders;
        TKey key = default!;
        var stage = DeadLetterHeaders.StageKey;
        try
        {
            if (record.Key is { } k)
            {
                key = (keyFromHeaders?.Invoke(headers) ?? keyCodec).Decode(k);
            }

            stage = DeadLetterHeaders.StageValue;
            var value = record.Value is { } v ? (valueFromHeaders?.Invoke(headers) ?? valueCodec).Decode(v) : default!;
            next = new Event<TKey, TValue>(key, value, headers, tp.Topic, tp.Partition, consumed.Offset,
                DateTimeOffset.FromUnixTimeMilliseconds(record.TimestampMs))
            { Raw = record };
            failure = default;
            return true;
        }
        catch (Exception ex)
        {
            next = default;
            failure = new DecodeFailure(stage, ex);
            return false;
        }
    }
}
