using Faust.App;
using Faust.Runtime;
using Faust.Tables;
using Faust.Transport;

namespace Faust.Processing;

// The topics a worker declares at start and their partition counts as the broker has them: the app's topics, the
// leader and assignor topics, and each table's changelog. Written once, while the worker starts; read-only after.
internal sealed class TopicCatalog(FaustOptions options) : ITopicCatalog
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ITableView> _tablesByChangelog = new(StringComparer.Ordinal);

    /// <summary>Every declared topic with its partition count.</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>The tables by their changelog topic.</summary>
    public IReadOnlyDictionary<string, ITableView> TablesByChangelog => _tablesByChangelog;

    /// <summary>The largest partition count of any declared topic (0 before start).</summary>
    public int MaxPartitions => _counts.Count == 0 ? 0 : _counts.Values.Max();

    public int this[string topic] => _counts[topic];

    public int PartitionCount(string topic) =>
        _counts.TryGetValue(topic, out var count) ? count
        : throw new InvalidOperationException($"Topic '{topic}' is not declared in app '{options.Id}'.");

    public bool TryGetPartitionCount(string topic, out int count) => _counts.TryGetValue(topic, out count);

    /// <summary>Creates every topic the worker uses (existing ones are kept) and records their partition counts.</summary>
    /// <exception cref="InvalidOperationException">A topic exists with another partition count than it was declared with.</exception>
    public async Task DeclareAsync(ITransport transport, WorkerDefinition definition, string leaderTopic, string assignorTopic, CancellationToken ct)
    {
        foreach (var topic in definition.Topics)
        {
            var wanted = topic.DeclaredPartitions ?? options.TopicPartitions;
            var actual = await transport.EnsureTopicAsync(new TopicSpec(topic.Name, wanted, Internal: topic.IsInternal), ct).ConfigureAwait(false);
            if (topic.DeclaredPartitions is { } declared && declared != actual)
            {
                throw new InvalidOperationException(
                    $"Topic '{topic.Name}' is declared with {declared} partitions but has {actual} on the broker. Declare it with {actual} partitions, or recreate the topic.");
            }

            _counts[topic.Name] = actual;
        }

        await transport.EnsureTopicAsync(new TopicSpec(leaderTopic, 1, Internal: true), ct).ConfigureAwait(false);
        _counts[leaderTopic] = 1;
        await transport.EnsureTopicAsync(new TopicSpec(assignorTopic, 1, Compacted: true, Internal: true), ct).ConfigureAwait(false);
        _counts[assignorTopic] = 1;
        foreach (var table in definition.Tables)
        {
            var wanted = table.DeclaredPartitions ?? options.TopicPartitions;
            var actual = await transport.EnsureTopicAsync(new TopicSpec(table.ChangelogTopic, wanted, Compacted: true, Internal: true), ct).ConfigureAwait(false);
            _counts[table.ChangelogTopic] = actual;
            _tablesByChangelog[table.ChangelogTopic] = table;
        }

        CheckCopartitioning(definition);
    }

    // A table write goes to the changelog partition numbered like the event's partition, so every source topic
    // and every changelog must have the same partition count (DESIGN decision 3).
    private void CheckCopartitioning(WorkerDefinition definition)
    {
        if (definition.Tables.Count == 0)
        {
            return;
        }

        var counts = definition.Agents.SelectMany(a => a.Subscriptions).Select(s => s.Topic)
            .Concat(definition.Tables.Select(t => t.ChangelogTopic))
            .Distinct(StringComparer.Ordinal)
            .Select(t => (Topic: t, Partitions: _counts[t]))
            .ToArray();
        if (counts.Select(c => c.Partitions).Distinct().Count() > 1)
        {
            throw new InvalidOperationException(
                "Source topics and table changelogs must have the same partition count (a table write goes to the changelog partition of the event being processed), but they differ: "
                + string.Join(", ", counts.Select(c => $"'{c.Topic}' has {c.Partitions}")) + ".");
        }
    }
}
