using Faust.Agents;
using Faust.Processing;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Streams;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Topics;

// RepartitionBy and Through: the agent reads `target`; a forwarder owned by the agent reads `upstream` and sends
// every event to `target` under its new key (murmur2 partition of that key), then acknowledges it. The commit
// flushes the producer before it commits the upstream offsets, so a forwarded event is never lost; a crash
// between the two forwards it again (at least once). Under exactly_once the forward and the upstream offset
// commit in one transaction.
internal sealed partial class ForwardedSource<TKey, TValue, TNewKey> : AgentSource<TNewKey, TValue>, IForwarder
{
    private readonly AgentSource<TKey, TValue> _upstream;
    private readonly Func<TKey, TValue, TNewKey> _keySelector;
    private readonly Func<TValue, TNewKey>? _valueKeySelector;
    private readonly Topic<TNewKey, TValue> _target;
    private readonly Binding _binding;

    private ForwardedSource(AgentSource<TKey, TValue> upstream, Func<TKey, TValue, TNewKey> keySelector, Func<TValue, TNewKey>? valueKeySelector,
        Topic<TNewKey, TValue> target, Binding binding)
        : base(upstream.App, () => target.Name)
    {
        _upstream = upstream;
        _keySelector = keySelector;
        _valueKeySelector = valueKeySelector;
        _target = target;
        _binding = binding;
    }

    private bool IsRepartition => _valueKeySelector is not null;

    /// <summary>RepartitionBy: an internal topic <c>{app id}-{agent}-{upstream}-{name}-repartition</c>.</summary>
    public static ForwardedSource<TKey, TValue, TNewKey> Repartition(AgentSource<TKey, TValue> upstream, Func<TValue, TNewKey> keySelector, string name,
        ICodec<TNewKey>? keyCodec, int? partitions)
    {
        var app = upstream.App;
        var binding = new Binding();
        var target = new Topic<TNewKey, TValue>(app,
            () => $"{app.Options.GroupId}-{binding.AgentName ?? throw new InvalidOperationException("Declare an agent on a repartitioned source before using it.")}-{upstream.Name}-{name}-repartition",
            partitions, new Schema<TNewKey, TValue> { KeyCodec = keyCodec, ValueCodec = upstream.ValueCodecOrNull });
        return new ForwardedSource<TKey, TValue, TNewKey>(upstream, (_, value) => keySelector(value), keySelector, target, binding);
    }

    /// <summary>Through: a topic the user declared, with the same key type.</summary>
    public static ForwardedSource<TKey, TValue, TNewKey> Through(AgentSource<TKey, TValue> upstream, Topic<TNewKey, TValue> target)
    {
        if (!ReferenceEquals(target.App, upstream.App))
        {
            throw new ArgumentException($"Topic '{target.Name}' belongs to another app.", nameof(target));
        }

        return new ForwardedSource<TKey, TValue, TNewKey>(upstream, static (key, _) => (TNewKey)(object?)key!, null, target, new Binding());
    }

    private sealed class Binding
    {
        public string? AgentName { get; set; }
    }

    internal override string? SubscribedTopic => _target.Name;

    internal override void CollectStreamTopics(List<string> topics) => topics.Add(_target.Name);

    internal override void CollectForwarders(List<IForwarder> forwarders)
    {
        _upstream.CollectForwarders(forwarders);
        forwarders.Add(this);
    }

    internal override void Bind(string agentName)
    {
        if (_binding.AgentName is { } bound)
        {
            throw new InvalidOperationException(
                $"This {(IsRepartition ? "repartitioned" : "through")} source already feeds agent '{bound}'; call {(IsRepartition ? "RepartitionBy" : "Through")} again for agent '{agentName}'.");
        }

        _binding.AgentName = agentName;
        _upstream.Bind(agentName);
        if (IsRepartition)
        {
            App.DeclareInternalTopic(_target);
        }
    }

    internal override IEventReader<TNewKey, TValue> CreateReader(IWorkerRuntime worker, string agent, int? partition) => _target.CreateReader(worker, agent, partition);

    internal override Task SendEventAsync(TNewKey key, TValue value, int? partition, IReadOnlyList<RecordHeader>? headers, DateTimeOffset? timestamp, CancellationToken ct) =>
        IsRepartition
            ? _upstream.SendEventAsync(default!, value, null, headers, timestamp, ct) // the forwarder keys it by the value
            : _upstream.SendEventAsync((TKey)(object?)key!, value, partition, headers, timestamp, ct);

    internal override ValueTask SendValueAsync(TValue value, CancellationToken ct) => _upstream.SendValueAsync(value, ct);

    internal override TransportRecord ToRecord(in Event<TNewKey, TValue> failed) => _target.ToRecord(failed);

    internal override Event<TNewKey, TValue> TestEvent(IWorkerRuntime worker, TNewKey key, TValue value, int? partition, long offset,
        IReadOnlyList<RecordHeader> headers, DateTimeOffset timestamp) =>
        _target.TestEvent(worker, _valueKeySelector is { } selector ? selector(value) : key, value, partition, offset, headers, timestamp);

    internal override ICodec<TValue>? ValueCodecOrNull => _target.ValueCodec;

    private protected override int? DeclaredPartitionsOrNull => _target.DeclaredPartitions;

    void IForwarder.CollectTopics(List<string> topics) => _upstream.CollectStreamTopics(topics);

    async Task IForwarder.RunAsync(IWorkerRuntime worker, string agent, IFailedEventSink failures, CancellationToken stopping)
    {
        var reader = _upstream.CreateReader(worker, agent, null);
        var context = new StreamContext { AgentName = agent };
        StreamContext.Current = context;
        var interrupted = new InterruptedEvents<TKey, TValue>();
        var root = new StreamRoot<TKey, TValue>(_upstream.Name, context, worker.Gate, worker.Time, interrupted, stopping);
        var sourceCodec = _upstream.ValueCodecOrNull;
        var target = _target;
        LogForwarding(worker.Logger, agent, _upstream.Name, target.Name);
        await foreach (var e in new Stream<TKey, TValue>(reader, root).Events().WithCancellation(stopping).ConfigureAwait(false))
        {
            try
            {
                target.Forward(e, _keySelector(e.Key, e.Value), sourceCodec);
            }
            catch (Exception ex)
            {
                // Faust skips an event whose new key cannot be computed; here it goes where the agent's failed events go.
                failures.OnFailed(_upstream.ToRecord(e), e.Topic, e.Partition, e.Offset, ex, attempts: 1);
            }
        }

        // The stream ends when the worker stops; anything in flight was acknowledged or is read again after a restart.
        StreamContext.Current = null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Agent {Agent} forwards {Upstream} to {Target}.")]
    private static partial void LogForwarding(ILogger logger, string agent, string upstream, string target);
}
