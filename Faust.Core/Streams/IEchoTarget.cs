namespace Faust.Streams;

/// <summary>Where <see cref="Stream{TKey, TValue}.Echo"/> can send copies of a stream's events: a topic of the same key
/// and value types.</summary>
public interface IEchoTarget<TKey, TValue>
{
    /// <summary>Queues a copy of <paramref name="source"/> (key, value, headers, timestamp).</summary>
    internal void Echo(in Event<TKey, TValue> source);
}
