using Faust.Processing;
using Faust.Runtime;

namespace Faust.Streams;

// What every stream derived from an actor's stream shares: where events go to be acknowledged or parked, the
// per-actor context, the exactly_once gate, the token that ends the stream, and the one-loop-at-a-time rule.
internal sealed class StreamRoot<TKey, TValue>(
    string name,
    StreamContext context,
    ProcessingGate? gate,
    TimeProvider time,
    InterruptedEvents<TKey, TValue> interrupted,
    CancellationToken stopping)
{
    private int _enumerating;

    public string Name { get; } = name;

    public StreamContext Context { get; } = context;

    public ProcessingGate? Gate { get; } = gate;

    public TimeProvider Time { get; } = time;

    public InterruptedEvents<TKey, TValue> Interrupted { get; } = interrupted;

    public CancellationToken Stopping { get; } = stopping;

    /// <summary>Claims the stream for one loop; returns the token that ends it and the release action.</summary>
    public (CancellationToken Stopping, Action Release) Claim(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _enumerating, 1) == 1)
        {
            throw new InvalidOperationException($"The stream of '{Name}' is already being enumerated; an agent reads its stream with one loop at a time.");
        }

        if (!ct.CanBeCanceled || ct == Stopping)
        {
            return (Stopping, () => Volatile.Write(ref _enumerating, 0));
        }

        var linked = CancellationTokenSource.CreateLinkedTokenSource(Stopping, ct);
        return (linked.Token, () =>
        {
            linked.Dispose();
            Volatile.Write(ref _enumerating, 0);
        });
    }
}
