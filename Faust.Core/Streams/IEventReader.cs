using Faust.Runtime;

namespace Faust.Streams;

/// <summary>Where a stream's events come from: a topic's inbox or an in-process channel.</summary>
internal interface IEventReader<TKey, TValue>
{
    /// <summary>Takes the next event if one is ready now.</summary>
    bool TryRead(out Event<TKey, TValue> next);

    /// <summary>Waits until an event may be ready; false once the source has ended.</summary>
    ValueTask<bool> WaitToReadAsync(CancellationToken ct);

    /// <summary>Marks the event as processed.</summary>
    void Ack(in Event<TKey, TValue> processed);
}
