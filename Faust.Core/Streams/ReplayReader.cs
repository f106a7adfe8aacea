using Faust.Runtime;

namespace Faust.Streams;

// After a crash, the restarted actor first gets the events that were in flight (to retry them), then the rest
// of its source. The replayed events were never acknowledged, so acknowledging them now is exact.
internal sealed class ReplayReader<TKey, TValue>(Event<TKey, TValue>[] replay, IEventReader<TKey, TValue> inner) : IEventReader<TKey, TValue>
{
    private int _next;

    public bool TryRead(out Event<TKey, TValue> next)
    {
        if (_next < replay.Length)
        {
            next = replay[_next++];
            return true;
        }

        return inner.TryRead(out next);
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken ct) =>
        _next < replay.Length ? new ValueTask<bool>(true) : inner.WaitToReadAsync(ct);

    public void Ack(in Event<TKey, TValue> processed) => inner.Ack(processed);
}
