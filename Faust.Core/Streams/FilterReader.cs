using Faust.Runtime;

namespace Faust.Streams;

// Stream.Filter: events the predicate rejects are acknowledged at once, so a filtered partition's committed
// offset keeps moving (Faust acks filtered events too).
internal sealed class FilterReader<TKey, TValue>(IEventReader<TKey, TValue> inner, Func<TKey, TValue, bool> predicate) : IEventReader<TKey, TValue>
{
    public bool TryRead(out Event<TKey, TValue> next)
    {
        while (inner.TryRead(out next))
        {
            bool keep;
            try
            {
                keep = predicate(next.Key, next.Value);
            }
            catch (Exception ex)
            {
                // The predicate is agent code: let the agent's supervisor see the failure with this event in flight.
                throw new EventFailedException<TKey, TValue>(next, ex);
            }

            if (keep)
            {
                return true;
            }

            inner.Ack(next);
        }

        return false;
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken ct) => inner.WaitToReadAsync(ct);

    public void Ack(in Event<TKey, TValue> processed) => inner.Ack(processed);
}
