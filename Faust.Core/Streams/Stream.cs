using Faust.Processing;

namespace Faust.Streams;

/// <summary>
/// The events an agent receives, as an async sequence. Enumerating the stream itself yields values;
/// <see cref="Items"/> yields (key, value) pairs and <see cref="Events"/> whole events with their metadata.
/// </summary>
/// <remarks>
/// <para>An event is acknowledged when the loop moves past it, or when the loop ends (break, return or an
/// exception). A partition's committed offset never moves past an event that was not acknowledged.</para>
/// <para>Events of one partition arrive in offset order. A stream is enumerated by one loop at a time; when the
/// agent stops, the loop ends quietly (<c>MoveNextAsync</c> returns false).</para>
/// <para>A record whose key or value cannot be decoded is logged, counted and skipped; it never stops the agent.</para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class Stream<TKey, TValue> : IAsyncEnumerable<TValue>
{
    private readonly IEventReader<TKey, TValue> _reader;
    private readonly StreamContext? _context;
    private readonly ProcessingGate? _gate;
    private readonly CancellationToken _stopping;
    private int _enumerating;

    internal Stream(string name, IEventReader<TKey, TValue> reader, StreamContext? context, ProcessingGate? gate, CancellationToken stopping)
    {
        Name = name;
        _reader = reader;
        _context = context;
        _gate = gate;
        _stopping = stopping;
    }

    /// <summary>The name of the topic or channel the stream reads.</summary>
    public string Name { get; }

    /// <summary>The values of the stream.</summary>
    public IAsyncEnumerator<TValue> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        Enumerate(static e => e.Value, cancellationToken);

    /// <summary>The (key, value) pairs of the stream, as Faust's <c>stream.items()</c>.</summary>
    public IAsyncEnumerable<(TKey Key, TValue Value)> Items() => new Projection<(TKey, TValue)>(this, static e => (e.Key, e.Value));

    /// <summary>The events of the stream with headers, topic, partition, offset and timestamp, as Faust's <c>stream.events()</c>.</summary>
    public IAsyncEnumerable<Event<TKey, TValue>> Events() => new Projection<Event<TKey, TValue>>(this, static e => e);

    private IAsyncEnumerator<TOut> Enumerate<TOut>(Func<Event<TKey, TValue>, TOut> project, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _enumerating, 1) == 1)
        {
            throw new InvalidOperationException($"The stream of '{Name}' is already being enumerated; an agent reads its stream with one loop at a time.");
        }

        var stopping = _stopping;
        CancellationTokenSource? linked = null;
        if (ct.CanBeCanceled && ct != _stopping)
        {
            linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping, ct);
            stopping = linked.Token;
        }

        return new StreamEnumerator<TKey, TValue, TOut>(_reader, project, _context, _gate, stopping, () =>
        {
            linked?.Dispose();
            Volatile.Write(ref _enumerating, 0);
        });
    }

    private sealed class Projection<TOut>(Stream<TKey, TValue> stream, Func<Event<TKey, TValue>, TOut> project) : IAsyncEnumerable<TOut>
    {
        public IAsyncEnumerator<TOut> GetAsyncEnumerator(CancellationToken cancellationToken = default) => stream.Enumerate(project, cancellationToken);
    }
}
