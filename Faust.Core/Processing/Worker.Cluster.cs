using Faust.App;
using Faust.Cluster;
using Faust.Runtime;
using Faust.Transport;

namespace Faust.Processing;

// What this worker tells the other workers it holds (DESIGN decision 4): after every assignment change (assigned,
// revoked, lost) it publishes its actives, the consumer's partitions plus the changelog partitions numbered like its
// source partitions (co-partitioning), and the standbys another component keeps. Publishing runs on the poll thread
// inside the rebalance callbacks and never blocks it (see ClusterView).
internal sealed partial class Worker
{
    private readonly HashSet<TopicPartition> _held = [];

    /// <summary>This worker's id (<c>Faust:WorkerId</c>, or the one kept in the data directory).</summary>
    public string WorkerId { get; }

    /// <summary>The cluster view: every worker's published assignment, read from <c>{group}-__assignor</c>.</summary>
    public ClusterView Cluster { get; }

    /// <summary>The topic the assignments are published to.</summary>
    public string AssignorTopic => ClusterView.TopicOf(_options.GroupId);

    /// <summary>Publishes the changelog partitions this worker keeps standby replicas of. Thread safe; publishes only
    /// when the set changed.</summary>
    public void PublishStandbys(IReadOnlyList<TopicPartition> standbys)
    {
        ArgumentNullException.ThrowIfNull(standbys);
        Cluster.PublishStandbys(standbys);
    }

    /// <summary>Publishes the URL other workers reach this one at (known once the HTTP server listens).</summary>
    public void PublishUrl(string? url) => Cluster.PublishUrl(url);

    private static string ResolveWorkerId(FaustOptions options) =>
        WorkerIdentity.Resolve(options, persist: !options.Broker.StartsWith("memory:", StringComparison.OrdinalIgnoreCase));

    private void OnHeldChanged(IReadOnlyCollection<TopicPartition> partitions, bool assigned)
    {
        List<TopicPartition> actives;
        lock (_held)
        {
            if (assigned)
            {
                _held.UnionWith(partitions);
            }
            else
            {
                _held.ExceptWith(partitions);
            }

            actives = [.. _held];
            foreach (var p in TablePartitionsOf(_held))
            {
                foreach (var table in _app.Tables)
                {
                    if (p < _topics[table.ChangelogTopic])
                    {
                        actives.Add(new TopicPartition(table.ChangelogTopic, p));
                    }
                }
            }
        }

        Cluster.PublishActives(actives);
    }
}
