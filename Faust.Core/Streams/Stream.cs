
using Faust.Runtime;

namespace Faust.Streams;

/// <summary>
/// The events an agent receives, as an async sequence. Enumerating the stream itself yields values;
/// <see cref="Items"/> yields (key, value) pairs and <see cref="Events"/> whole events with their metadata.
/// Operators (<see cref="Filter(Func{TValue, bool})"/>, <see cref="Echo"/>, <see cref="NoAck"/>,
/// <see cref="Chunk"/>, <see cref="Enumerate"/>) derive streams from it, as Faust's stream methods do.
/// </summary>
/// <remarks>
/// <para>An event is acknowledged when the loop moves past it. When the loop ends while it holds an event, the
/// agent's supervisor decides: after a <c>break</c> or <c>return</c> the event is acknowledged; after an
/// exception it is retried and then dead-lettered (see <see cref="Agents.AgentOptions"/>). A partition's
/// committed offset never moves past an event that was not acknowledged.</para>
/// <para>Events of one partition arrive in offset order (with <see cref="Agents.AgentOptions.Concurrency"/> 1).
/// A stream and the streams derived from it are enumerated by one loop at a time; when the agent stops, the loop
/// ends quietly (<c>MoveNextAsync</c> returns false).</para>
/// <para>A record whose key or value cannot be decoded is logged, counted and skipped; it never stops the agent.</para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class Stream<TKey, TValue> : IAsyncEnumerable<TValue>
{
    private readonly IEventReader<TKey, TValue> _reader;
    private readonly StreamRoot<TKey, TValue> _root;
    private readonly bool _autoAck;

    internal Stream(IEventReader<TKey, TValue> reader, StreamRoot<TKey, TValue> root, bool autoAck = true)
    {
        _reader = reader;
        _root = root;
        _autoAck = autoAck;
    }

    /// <summary>The name of the topic or channel the stream reads.</summary>
    public string Name => _root.Name;

    /// <summary>Whether moving past an event acknowledges it (false after <see cref="NoAck"/>).</summary>
    public bool AcknowledgesEvents => _autoAck;

    /// <summary>The values of the stream.</summary>
    public IAsyncEnumerator<TValue> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        Open(static e => e.Value, cancellationToken);

    /// <summary>The (key, value) pairs of the stream, as Faust's <c>stream.items()</c>.</summary>
    public IAsyncEnumerable<(TKey Key, TValue Value)> Items() => new Projection<(TKey, TValue)>(this, static e => (e.Key, e.Value));

    /// <summary>The events of the stream with headers, topic, partition, offset and timestamp, as Faust's <c>stream.events()</c>.</summary>
    public IAsyncEnumerable<Event<TKey, TValue>> Events() => new Projection<Event<TKey, TValue>>(this, static e => e);

    /// <summary>The values numbered from <paramref name="start"/>, as Faust's <c>stream.enumerate()</c>.</summary>
    /// <param name="start">The number of the first value.</param>
    public IAsyncEnumerable<(long Index, TValue Value)> Enumerate(long start = 0) => new Numbered(this, start);

    /// <summary>Only the values <paramref name="predicate"/> accepts, as Faust's <c>stream.filter()</c>. A rejected
    /// event is acknowledged at once, so the partition's committed offset moves past it.</summary>
    /// <param name="predicate">Agent code; an exception fails the event as if the loop had thrown on it.</param>
    public Stream<TKey, TValue> Filter(Func<TValue, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new Stream<TKey, TValue>(new FilterReader<TKey, TValue>(_reader, (_, v) => predicate(v)), _root, _autoAck);
    }

    /// <summary>Only the events whose key and value <paramref name="predicate"/> accepts; rejected events are acknowledged.</summary>
    /// <param name="predicate">Agent code; an exception fails the event as if the loop had thrown on it.</param>
    public Stream<TKey, TValue> Filter(Func<TKey, TValue, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new Stream<TKey, TValue>(new FilterReader<TKey, TValue>(_reader, predicate), _root, _autoAck);
    }

    /// <summary>Sends every event (key, value, headers) to <paramref name="topics"/> as well, and goes on with the same
    /// events, as Faust's <c>stream.echo()</c>.</summary>
    /// <remarks>The copies are queued at the producer when the event is read; a commit waits until they are durable,
    /// so an acknowledged event's copies are never lost.</remarks>
    /// <param name="topics">Topics of the same key and value types.</param>
    public Stream<TKey, TValue> Echo(params IEchoTarget<TKey, TValue>[] topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (topics.Length == 0)
        {
            throw new ArgumentException("Echo needs at least one topic.", nameof(topics));
        }

        return new Stream<TKey, TValue>(new EchoReader<TKey, TValue>(_reader, [.. topics]), _root, _autoAck);
    }

    /// <summary>The same stream in manual acknowledgement mode, as Faust's <c>stream.noack()</c>: moving past an
    /// event does not acknowledge it; call <see cref="Ack"/> once it is done.</summary>
    /// <remarks>An event never acknowledged holds its partition's committed offset where it is.</remarks>
    public Stream<TKey, TValue> NoAck() => new(_reader, _root, autoAck: false);

    /// <summary>Acknowledges an event of this stream (Faust's <c>stream.ack(event)</c>). Acknowledging an event twice,
    /// or one the stream already acknowledged, does nothing. Thread safe.</summary>
    /// <param name="processed">The event, as the stream handed it out.</param>
    public void Ack(Event<TKey, TValue> processed) => _reader.Ack(processed);

    /// <summary>Batches of values, as Faust's <c>stream.take(max, within)</c>: a batch is handed out when it holds
    /// <paramref name="max"/> values, or when <paramref name="within"/> has passed since its first value arrived.</summary>
    /// <remarks>A batch is never empty. Its events are acknowledged together when the loop asks for the next batch,
    /// so after the batch was processed. While a batch is processed, table writes go to the key's own partition
    /// (a batch may hold events of several partitions). Time comes from the app's <see cref="TimeProvider"/>.</remarks>
    /// <param name="max">The largest batch (1 or more).</param>
    /// <param name="within">How long a batch waits for more values after its first one.</param>
    public IAsyncEnumerable<IReadOnlyList<TValue>> Chunk(int max, TimeSpan within) => new Batches<TValue>(this, static e => e.Value, max, within);

    /// <summary>Batches of whole events (Faust's <c>stream.take_events()</c>); see <see cref="Chunk"/>.</summary>
    /// <param name="max">The largest batch (1 or more).</param>
    /// <param name="within">How long a batch waits for more events after its first one.</param>
    public IAsyncEnumerable<IReadOnlyList<Event<TKey, TValue>>> ChunkEvents(int max, TimeSpan within) =>
        new Batches<Event<TKey, TValue>>(this, static e => e, max, within);

    private StreamEnumerator<TKey, TValue, TOut> Open<TOut>(Func<Event<TKey, TValue>, TOut> project, CancellationToken ct)
    {
        var (stopping, release) = _root.Claim(ct);
        var enumerator = new StreamEnumerator<TKey, TValue, TOut>(_reader, project, _root, _autoAck, stopping, release);
        _root.Context.Holder = enumerator;
        return enumerator;
    }

    private sealed class Projection<TOut>(Stream<TKey, TValue> stream, Func<Event<TKey, TValue>, TOut> project) : IAsyncEnumerable<TOut>
    {
        public IAsyncEnumerator<TOut> GetAsyncEnumerator(CancellationToken cancellationToken = default) => stream.Open(project, cancellationToken);
    }

    private sealed class Numbered(Stream<TKey, TValue> stream, long start) : IAsyncEnumerable<(long Index, TValue Value)>
    {
        public IAsyncEnumerator<(long Index, TValue Value)> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            var index = start;
            return stream.Open(e => (index++, e.Value), cancellationToken);
        }
    }

    private sealed class Batches<TItem> : IAsyncEnumerable<IReadOnlyList<TItem>>
    {
        private readonly Stream<TKey, TValue> _stream;
        private readonly Func<Event<TKey, TValue>, TItem> _project;
        private readonly int _max;
        private readonly TimeSpan _within;

        public Batches(Stream<TKey, TValue> stream, Func<Event<TKey, TValue>, TItem> project, int max, TimeSpan within)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(within, TimeSpan.Zero);
            _stream = stream;
            _project = project;
            _max = max;
            _within = within;
        }

        public IAsyncEnumerator<IReadOnlyList<TItem>> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            var root = _stream._root;
            var (stopping, release) = root.Claim(cancellationToken);
            return new ChunkEnumerator<TKey, TValue, TItem>(_stream._reader, _project, root, _stream._autoAck, _max, _within, stopping, release);
        }
    }
}
