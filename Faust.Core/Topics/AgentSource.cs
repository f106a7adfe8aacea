using Faust.Agents;
using Faust.Processing;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Streams;
using Faust.Transport;

namespace Faust.Topics;

/// <summary>Something an agent can read: a <see cref="Topic{TKey, TValue}"/>, an in-process
/// <see cref="Channel{TKey, TValue}"/>, or a source derived from them with <see cref="RepartitionBy"/>,
/// <see cref="Through"/> or <see cref="Merge"/>.</summary>
/// <remarks>
/// <para>Sources are declared before the app starts, like topics and agents: the worker subscribes once, at start, to
/// every topic its agents read, repartition topics included. (Faust declares <c>group_by</c> and <c>through</c>
/// inside the agent's loop and re-subscribes at run time; here they are part of the agent's declaration.)</para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public abstract class AgentSource<TKey, TValue>
{
    private readonly string? _name;
    private readonly Func<string>? _lazyName;
    private string? _resolvedName;

    private protected AgentSource(AppRuntime app, string name)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        App = app;
        _name = name;
    }

    // Internal topics are named after the app id, which the host may set after declaration (FaustApp.Configure).
    private protected AgentSource(AppRuntime app, Func<string> lazyName)
    {
        ArgumentNullException.ThrowIfNull(app);
        App = app;
        _lazyName = lazyName;
    }

    /// <summary>The topic or channel name.</summary>
    public string Name => _name ?? _resolvedName ?? ResolveName();

    internal AppRuntime App { get; }

    /// <summary>The topic an agent on this source subscribes to, or null for in-process channels.</summary>
    internal abstract string? SubscribedTopic { get; }

    /// <summary>Adds the topics whose events the agent's stream reads.</summary>
    internal abstract void CollectStreamTopics(List<string> topics);

    /// <summary>Adds the forwarders (repartition, through) that feed this source, with the topics they read.</summary>
    internal virtual void CollectForwarders(List<IForwarder> forwarders)
    {
    }

    /// <summary>Called once when an agent is declared on the source: internal topics get their names.</summary>
    internal virtual void Bind(string agentName)
    {
    }

    /// <summary>A reader of the events the agent's stream gets; of one partition for isolated partitions.</summary>
    internal abstract IEventReader<TKey, TValue> CreateReader(IWorkerRuntime worker, string agent, int? partition);

    /// <summary>Sends an event into the source, where the agent will read it (Faust's <c>agent.send</c>).</summary>
    internal abstract Task SendEventAsync(TKey key, TValue value, int? partition, IReadOnlyList<RecordHeader>? headers, DateTimeOffset? timestamp, CancellationToken ct);

    /// <summary>Queues a value without a key (a sink's delivery); durable before the next commit.</summary>
    internal abstract ValueTask SendValueAsync(TValue value, CancellationToken ct);

    /// <summary>The record of an event, for the dead-letter topic: the bytes read when there are any.</summary>
    internal abstract TransportRecord ToRecord(in Event<TKey, TValue> failed);

    /// <summary>The event an agent of this source would get for a test put (see <see cref="Testing.AgentTestContext{TKey, TValue}"/>).</summary>
    internal abstract Event<TKey, TValue> TestEvent(IWorkerRuntime worker, TKey key, TValue value, int? partition, long offset,
        IReadOnlyList<RecordHeader> headers, DateTimeOffset timestamp);

    /// <summary>The codec of values read from this source, or null when events are not records (channels).</summary>
    internal virtual ICodec<TValue>? ValueCodecOrNull => null;

    /// <summary>A source over the repartition topic <c>{app id}-{agent}-{source}-{name}-repartition</c>, keyed by
    /// <paramref name="keySelector"/>: Faust's <c>stream.group_by</c>.</summary>
    /// <remarks>
    /// <para>A forwarder owned by the agent reads this source and sends each event, unchanged but for its key, to the
    /// repartition topic, on the murmur2 partition of the new key; then it acknowledges the event. The agent reads
    /// the repartition topic, so while it processes an event, the event's partition is the one that owns the new
    /// key: a table keyed by the new key is written on the partition the HTTP router and every other worker expect.</para>
    /// <para>The repartition topic is internal, declared with this source's partition count (or the app's default).
    /// When the key selector throws, the event is dead-lettered (or skipped, as the agent's
    /// <see cref="AgentOptions.OnFailedEvent"/> says) and the forwarder goes on.</para>
    /// </remarks>
    /// <typeparam name="TNewKey">The new key type.</typeparam>
    /// <param name="keySelector">The new key of a value.</param>
    /// <param name="name">The field or purpose, part of the topic name (Faust's <c>name=</c>); letters, digits, '.', '_', '-'.</param>
    /// <param name="keyCodec">The codec of the new key; default as for topics (raw UTF-8 for string).</param>
    /// <param name="partitions">The repartition topic's partition count; default this source's declared count, or the app's.</param>
    public AgentSource<TNewKey, TValue> RepartitionBy<TNewKey>(Func<TValue, TNewKey> keySelector, string name, ICodec<TNewKey>? keyCodec = null, int? partitions = null)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            throw new ArgumentException($"'{name}' cannot be part of a topic name: use letters, digits, '.', '_' and '-'.", nameof(name));
        }

        return ForwardedSource<TKey, TValue, TNewKey>.Repartition(this, keySelector, name, keyCodec, partitions ?? DeclaredPartitionsOrNull);
    }

    /// <summary>A source over <paramref name="topic"/>, fed with this source's events: Faust's <c>stream.through(topic)</c>.
    /// A forwarder owned by the agent sends every event (key, value, headers) to the topic, and the agent reads the topic.</summary>
    /// <param name="topic">A topic of the same key and value types.</param>
    public AgentSource<TKey, TValue> Through(Topic<TKey, TValue> topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return ForwardedSource<TKey, TValue, TKey>.Through(this, topic);
    }

    /// <summary>A source that merges this one with <paramref name="others"/> (Faust's <c>s1 &amp; s2</c>,
    /// <c>stream.combine</c>). The agent takes from each in turn; each partition's events keep their order.</summary>
    /// <param name="others">Sources of the same key and value types, of the same app.</param>
    public AgentSource<TKey, TValue> Merge(params AgentSource<TKey, TValue>[] others)
    {
        ArgumentNullException.ThrowIfNull(others);
        if (others.Length == 0)
        {
            throw new ArgumentException("Merge needs at least one other source.", nameof(others));
        }

        return new MergedSource<TKey, TValue>(App, [this, .. others]);
    }

    private protected virtual int? DeclaredPartitionsOrNull => null;

    private string ResolveName()
    {
        var name = _lazyName!();
        if (App.HasStarted)
        {
            _resolvedName = name;
        }

        return name;
    }
}
