using Faust.Processing;
using Faust.Runtime;
using Faust.Streams;
using Faust.Topics;
using Faust.Transport;

namespace Faust.Agents;

/// <summary>
/// A stream processor: an async function over the stream of a topic or channel (Faust's <c>@app.agent</c>).
/// </summary>
/// <remarks>
/// <para>The function runs as one actor, or as <see cref="AgentOptions.Concurrency"/> actors sharing the stream
/// round-robin, or as one actor per assigned partition (<see cref="AgentOptions.IsolatedPartitions"/>).</para>
/// <para>When the function throws while it holds an event, the actor starts again with the same event, up to
/// <see cref="AgentOptions.MaxRetries"/> times with a growing wait; then the event goes to the agent's dead-letter
/// topic <c>{app id}-{agent}-dlq</c> (see <see cref="AgentOptions.OnFailedEvent"/>) and is acknowledged. A bad
/// event never stops the worker unless the options say so. When the worker stops, the stream ends and the
/// function is expected to return.</para>
/// <para><see cref="SendAsync"/> and <see cref="CastAsync"/> are thread safe.</para>
/// </remarks>
/// <typeparam name="TKey">The key type of the source.</typeparam>
/// <typeparam name="TValue">The value type of the source.</typeparam>
public class Agent<TKey, TValue> : IAgent
{
    private readonly Func<Stream<TKey, TValue>, CancellationToken, Task>? _handler;
    private IReadOnlyList<AgentSubscription>? _subscriptions;
    private long _crashes;
    private long _deadLettered;
    private long _skipped;

    internal Agent(string name, AgentSource<TKey, TValue> source, AgentOptions options, Func<Stream<TKey, TValue>, CancellationToken, Task> handler)
        : this(name, source, options)
    {
        _handler = handler;
    }

    private protected Agent(string name, AgentSource<TKey, TValue> source, AgentOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            throw new ArgumentException($"Agent name '{name}' is not valid: use letters, digits, '.', '_' and '-' (it names the agent's internal topics).", nameof(name));
        }

        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Agent {name}: " + string.Join(" ", errors), nameof(options));
        }

        if (options.IsolatedPartitions && (source.SubscribedTopic is null || source is MergedSource<TKey, TValue>))
        {
            throw new ArgumentException($"Agent {name}: isolated partitions need a single topic source, not '{source.Name}'.", nameof(options));
        }

        Name = name;
        Source = source;
        Options = options;
    }

    /// <summary>The agent's name (unique in the app).</summary>
    public string Name { get; }

    /// <summary>What the agent reads.</summary>
    public AgentSource<TKey, TValue> Source { get; }

    /// <summary>How the agent runs.</summary>
    public AgentOptions Options { get; }

    /// <summary>How many times the agent's code has thrown (each retry counts).</summary>
    public long Crashes => Interlocked.Read(ref _crashes);

    /// <summary>How many events went to the dead-letter topic.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>How many failed events were skipped (<see cref="FailedEventAction.Skip"/>).</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>The agent's dead-letter topic, <c>{app id}-{agent}-dlq</c>, once the app runs; null before, or when the
    /// agent has none (it neither dead-letters failed events nor reads a topic that dead-letters decode errors).</summary>
    public string? DeadLetterTopicName => App.WorkerOrNull?.DeadLetters?.TopicOf(Name);

    internal AppRuntime App => Source.App;

    /// <summary>Sends an event to the agent: into its source, where it reads it (Faust's <c>agent.send</c>).</summary>
    /// <param name="key">The key; it picks the partition of a topic source unless <paramref name="partition"/> is given.</param>
    /// <param name="value">The value.</param>
    /// <param name="partition">An explicit partition.</param>
    /// <param name="headers">Headers to attach.</param>
    /// <param name="replyTo">A topic where a yielding agent sends what it yields for this event (Faust's <c>reply_to</c>).</param>
    /// <param name="correlationId">The correlation id the reply carries; default a new one when <paramref name="replyTo"/> is given.</param>
    /// <param name="ct">Cancels waiting (not the send).</param>
    /// <returns>Completes when the event is durable in a topic source, or queued in a channel source.</returns>
    public Task SendAsync(TKey key, TValue value, int? partition = null, IReadOnlyList<RecordHeader>? headers = null,
        string? replyTo = null, string? correlationId = null, CancellationToken ct = default)
    {
        if (replyTo is not null)
        {
            headers = ReplyHeaders.With(headers, replyTo, correlationId ?? Guid.NewGuid().ToString());
        }

        return Source.SendEventAsync(key, value, partition, headers, null, ct);
    }

    /// <summary>Sends a value to the agent without waiting for any reply (Faust's <c>agent.cast</c>).</summary>
    /// <param name="value">The value.</param>
    /// <param name="key">The key; default none.</param>
    /// <param name="partition">An explicit partition.</param>
    /// <param name="headers">Headers to attach.</param>
    /// <param name="ct">Cancels waiting (not the send).</param>
    public Task CastAsync(TValue value, TKey key = default!, int? partition = null, IReadOnlyList<RecordHeader>? headers = null, CancellationToken ct = default) =>
        Source.SendEventAsync(key, value, partition, headers, null, ct);

    /// <inheritdoc />
    public override string ToString() => $"Agent {Name} on {Source.Name}";

    string? IAgent.SourceTopic => Source.SubscribedTopic;

    string IAgent.SourceName => Source.Name;

    IReadOnlyList<AgentSubscription> IAgent.Subscriptions => _subscriptions ??= ComputeSubscriptions();

    bool IAgent.DeadLettersFailedEvents => Options.OnFailedEvent == FailedEventAction.DeadLetter;

    Task IWorkerTask.RunAsync(IWorkerRuntime worker, CancellationToken stopping) => new AgentRuntime<TKey, TValue>(this, worker).RunAsync(stopping);

    internal virtual Task RunHandlerAsync(Stream<TKey, TValue> stream, StreamContext context, CancellationToken ct) => _handler!(stream, ct);

    /// <summary>Called once by the app when the agent is declared: names the internal topics of its source.</summary>
    internal void Declare() => Source.Bind(Name);

    internal void CountCrash() => Interlocked.Increment(ref _crashes);

    internal void CountDeadLettered() => Interlocked.Increment(ref _deadLettered);

    internal void CountSkipped() => Interlocked.Increment(ref _skipped);

    private List<AgentSubscription> ComputeSubscriptions()
    {
        var stream = new List<string>();
        Source.CollectStreamTopics(stream);
        var subscriptions = stream.Select(t => new AgentSubscription(t, Options.IsolatedPartitions)).ToList();
        var forwarders = new List<IForwarder>();
        Source.CollectForwarders(forwarders);
        foreach (var forwarder in forwarders)
        {
            var topics = new List<string>();
            forwarder.CollectTopics(topics);
            subscriptions.AddRange(topics.Select(t => new AgentSubscription(t, Isolated: false)));
        }

        var twice = subscriptions.GroupBy(s => s.Topic, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new InvalidOperationException($"Agent {Name} reads topic '{twice.Key}' twice (directly, merged or through a forwarder); read each topic once.");
        }

        return subscriptions;
    }
}
