namespace Faust.Streams;

// Stream.Echo: every event is also sent to the given topics before the agent sees it. Sends are queued at the
// producer, not awaited; a commit flushes the producer first, so an acknowledged event's copies are durable.
internal sealed class EchoReader<TKey, TValue>(IEventReader<TKey, TValue> inner, IEchoTarget<TKey, TValue>[] targets) : IEventReader<TKey, TValue>
{
    public bool TryRead(out Event<TKey, TValue> next)
    {
        if (!inner.TryRead(out next))
        {
            return false;
        }

        try
        {
            foreach (var target in targets)
            {
                target.Echo(next);
            }
        }
        catch (Exception ex)
        {
            throw new EventFailedException<TKey, TValue>(next, ex);
        }

        return true;
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken ct) => inner.WaitToReadAsync(ct);

    public void Ack(in Event<TKey, TValue> processed) => inner.Ack(processed);
}
