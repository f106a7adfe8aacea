using Faust.Agents;
using Faust.Processing;
using Faust.Streams;
using Faust.Transport;
using Tasks = System.Threading.Channels;

namespace Faust.Topics;

/// <summary>An in-process channel (Faust's <c>app.channel()</c>): agents read it like a topic, but events never
/// leave the process and are not durable. Events carry a key and a value; partition and offset are -1.</summary>
/// <remarks><see cref="SendAsync"/> is thread safe and waits while the channel is full (bounded, backpressure).</remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public class Channel<TKey, TValue> : AgentSource<TKey, TValue>
{
    private static readonly IReadOnlyList<RecordHeader> NoHeaders = [];
    private readonly Tasks.Channel<Event<TKey, TValue>> _events;

    internal Channel(FaustApp app, string name, int capacity) : base(app, name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _events = Tasks.Channel.CreateBounded<Event<TKey, TValue>>(new Tasks.BoundedChannelOptions(capacity)
        {
            FullMode = Tasks.BoundedChannelFullMode.Wait,
        });
    }

    internal override string? SubscribedTopic => null;

    /// <summary>Puts an event into the channel; waits while it is full.</summary>
    public ValueTask SendAsync(TKey key, TValue value, IReadOnlyList<RecordHeader>? headers = null, CancellationToken ct = default) =>
        _events.Writer.WriteAsync(new Event<TKey, TValue>(key, value, headers ?? NoHeaders, Name, -1, -1, DateTimeOffset.UtcNow), ct);

    internal override IEventReader<TKey, TValue> CreateReader(Worker worker, IAgent agent) => new Reader(_events.Reader);

    private sealed class Reader(Tasks.ChannelReader<Event<TKey, TValue>> reader) : IEventReader<TKey, TValue>
    {
        public bool TryRead(out Event<TKey, TValue> next) => reader.TryRead(out next);

        public ValueTask<bool> WaitToReadAsync(CancellationToken ct) => reader.WaitToReadAsync(ct);

        public void Ack(in Event<TKey, TValue> processed)
        {
        }
    }
}

/// <summary>An in-process channel of values without meaningful keys.</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class Channel<T> : Channel<string?, T>
{
    internal Channel(FaustApp app, string name, int capacity) : base(app, name, capacity)
    {
    }

    /// <summary>Puts a value into the channel; waits while it is full.</summary>
    public ValueTask SendAsync(T value, CancellationToken ct = default) => SendAsync(null, value, null, ct);
}
