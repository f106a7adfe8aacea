using Faust.Agents;
using Faust.Processing;
using Faust.Runtime;
using Faust.Serialization;
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

    internal Channel(AppRuntime app, string name, int capacity) : base(app, name)
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
        _events.Writer.WriteAsync(new Event<TKey, TValue>(key, value, headers ?? NoHeaders, Name, -1, -1, App.Time.GetUtcNow()), ct);

    internal override void CollectStreamTopics(List<string> topics)
    {
    }

    internal override IEventReader<TKey, TValue> CreateReader(IWorkerRuntime worker, string agent, int? partition) =>
        partition is null ? new Reader(_events.Reader) : throw new InvalidOperationException($"Channel '{Name}' has no partitions: isolated partitions need a topic.");

    internal override async Task SendEventAsync(TKey key, TValue value, int? partition, IReadOnlyList<RecordHeader>? headers, DateTimeOffset? timestamp, CancellationToken ct) =>
        await _events.Writer.WriteAsync(new Event<TKey, TValue>(key, value, headers ?? NoHeaders, Name, -1, -1, timestamp ?? App.Time.GetUtcNow()), ct).ConfigureAwait(false);

    internal override ValueTask SendValueAsync(TValue value, CancellationToken ct) =>
        _events.Writer.WriteAsync(new Event<TKey, TValue>(default!, value, NoHeaders, Name, -1, -1, App.Time.GetUtcNow()), ct);

    internal override TransportRecord ToRecord(in Event<TKey, TValue> failed) =>
        new(failed.Key is null ? null : App.Codecs.Default<TKey>().Encode(failed.Key), failed.Value is null ? null : App.Codecs.Default<TValue>().Encode(failed.Value),
            failed.Headers.Count == 0 ? null : failed.Headers, failed.Timestamp.ToUnixTimeMilliseconds());

    internal override Event<TKey, TValue> TestEvent(IWorkerRuntime worker, TKey key, TValue value, int? partition, long offset,
        IReadOnlyList<RecordHeader> headers, DateTimeOffset timestamp) =>
        new(key, value, headers, Name, partition ?? -1, offset, timestamp);

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
    internal Channel(AppRuntime app, string name, int capacity) : base(app, name, capacity)
    {
    }

    /// <summary>Puts a value into the channel; waits while it is full.</summary>
    public ValueTask SendAsync(T value, CancellationToken ct = default) => SendAsync(null, value, null, ct);
}
