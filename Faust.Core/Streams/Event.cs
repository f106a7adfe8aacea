using Faust.Runtime;
using Faust.Transport;

namespace Faust.Streams;

/// <summary>One event of a stream: the decoded key and value and where the record came from.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Key">The decoded key (default when the record had none).</param>
/// <param name="Value">The decoded value.</param>
/// <param name="Headers">The record's headers (empty when none).</param>
/// <param name="Topic">The source topic (the channel's name for in-process channels).</param>
/// <param name="Partition">The source partition (-1 for in-process channels).</param>
/// <param name="Offset">The record's offset in its partition (-1 for in-process channels).</param>
/// <param name="Timestamp">The record's timestamp.</param>
public readonly record struct Event<TKey, TValue>(
    TKey Key,
    TValue Value,
    IReadOnlyList<RecordHeader> Headers,
    string Topic,
    int Partition,
    long Offset,
    DateTimeOffset Timestamp)
{
    /// <summary>The record as it was read (its exact key and value bytes), for forwarding and dead-lettering;
    /// null for events that never were a record (channels). Not part of equality.</summary>
    internal TransportRecord? Raw { get; init; }

    /// <summary>Whether two events are the same: equal key, value, headers reference, topic, partition, offset and
    /// timestamp.</summary>
    public bool Equals(Event<TKey, TValue> other) =>
        EqualityComparer<TKey>.Default.Equals(Key, other.Key)
        && EqualityComparer<TValue>.Default.Equals(Value, other.Value)
        && ReferenceEquals(Headers, other.Headers)
        && Topic == other.Topic
        && Partition == other.Partition
        && Offset == other.Offset
        && Timestamp == other.Timestamp;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Value, Topic, Partition, Offset, Timestamp);
}
