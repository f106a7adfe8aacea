using Faust.Agents;
using Faust.Processing;
using Faust.Runtime;
using Faust.Streams;
using Faust.Transport;

namespace Faust.Topics;

// AgentSource.Merge: one stream over several sources (flattened, so a merge of merges is one level).
internal sealed class MergedSource<TKey, TValue> : AgentSource<TKey, TValue>
{
    private readonly AgentSource<TKey, TValue>[] _sources;

    public MergedSource(AppRuntime app, AgentSource<TKey, TValue>[] sources)
        : this(app, Flatten(app, sources))
    {
    }

    private MergedSource(AppRuntime app, List<AgentSource<TKey, TValue>> sources)
        : base(app, () => string.Join('_', sources.Select(s => s.Name)))
    {
        _sources = [.. sources];
    }

    private static List<AgentSource<TKey, TValue>> Flatten(AppRuntime app, AgentSource<TKey, TValue>[] sources)
    {
        var flat = new List<AgentSource<TKey, TValue>>();
        foreach (var source in sources)
        {
            ArgumentNullException.ThrowIfNull(source);
            if (!ReferenceEquals(source.App, app))
            {
                throw new ArgumentException($"'{source.Name}' belongs to another app.", nameof(sources));
            }

            if (source is MergedSource<TKey, TValue> merged)
            {
                flat.AddRange(merged._sources);
            }
            else if (flat.Contains(source))
            {
                throw new ArgumentException($"'{source.Name}' is merged twice.", nameof(sources));
            }
            else
            {
                flat.Add(source);
            }
        }

        return flat;
    }

    internal override string? SubscribedTopic => _sources.Select(s => s.SubscribedTopic).FirstOrDefault(t => t is not null);

    internal override void CollectStreamTopics(List<string> topics)
    {
        foreach (var source in _sources)
        {
            source.CollectStreamTopics(topics);
        }
    }

    internal override void CollectForwarders(List<IForwarder> forwarders)
    {
        foreach (var source in _sources)
        {
            source.CollectForwarders(forwarders);
        }
    }

    internal override void Bind(string agentName)
    {
        foreach (var source in _sources)
        {
            source.Bind(agentName);
        }
    }

    internal override IEventReader<TKey, TValue> CreateReader(IWorkerRuntime worker, string agent, int? partition)
    {
        if (partition is not null)
        {
            throw new InvalidOperationException("Isolated partitions need a single topic source, not a merge.");
        }

        return new MergedReader<TKey, TValue>(
            [.. _sources.Select(s => s.CreateReader(worker, agent, null))],
            [.. _sources.Select(EventTopic)]);
    }

    // The topic (or channel) name the events of a source carry.
    private static string EventTopic(AgentSource<TKey, TValue> source) => source.SubscribedTopic ?? source.Name;

    internal override Task SendEventAsync(TKey key, TValue value, int? partition, IReadOnlyList<RecordHeader>? headers, DateTimeOffset? timestamp, CancellationToken ct) =>
        _sources[0].SendEventAsync(key, value, partition, headers, timestamp, ct);

    internal override ValueTask SendValueAsync(TValue value, CancellationToken ct) => _sources[0].SendValueAsync(value, ct);

    internal override TransportRecord ToRecord(in Event<TKey, TValue> failed)
    {
        foreach (var source in _sources)
        {
            if (string.Equals(EventTopic(source), failed.Topic, StringComparison.Ordinal))
            {
                return source.ToRecord(failed);
            }
        }

        return _sources[0].ToRecord(failed);
    }

    internal override Event<TKey, TValue> TestEvent(IWorkerRuntime worker, TKey key, TValue value, int? partition, long offset,
        IReadOnlyList<RecordHeader> headers, DateTimeOffset timestamp) =>
        _sources[0].TestEvent(worker, key, value, partition, offset, headers, timestamp);
}
