using Faust.Cluster;
using Faust.Tables;
using Faust.Transport;

namespace Faust.Hosting;

/// <summary>What a host (the HTTP server, the dashboard, metrics) reads of the running worker: who it is, what it owns
/// and holds, how its tables recover, and the cluster it sees.</summary>
/// <remarks>Every member is thread safe; the answers change at every rebalance.</remarks>
internal interface IWorkerView
{
    /// <summary>This worker's id.</summary>
    string WorkerId { get; }

    /// <summary>Every worker's published assignment.</summary>
    ClusterView Cluster { get; }

    /// <summary>The tables' recovery progress.</summary>
    TableRecovery Recovery { get; }

    /// <summary>The partitions the worker's consumer holds now.</summary>
    IReadOnlyCollection<TopicPartition> Assignment { get; }

    /// <summary>The changelog partitions this worker keeps standby replicas of.</summary>
    IReadOnlySet<TopicPartition> Standbys { get; }

    /// <summary>Whether this worker owns partition <paramref name="partition"/> of its sources and tables.</summary>
    bool OwnsPartition(int partition);

    /// <summary>Whether the tables' partition <paramref name="partition"/> has recovered.</summary>
    bool IsRecovered(int partition);

    /// <summary>A topic's partition count, when the app declared it.</summary>
    bool TryGetPartitionCount(string topic, out int count);

    /// <summary>How far a standby partition of <paramref name="table"/> is behind its changelog, or null.</summary>
    long? StandbyLag(ITableView table, int partition);

    /// <summary>Why the worker stopped working (the poll loop, a recovery or a write failed), or null.</summary>
    Exception? Fault { get; }

    /// <summary>True while the poll thread runs.</summary>
    bool IsPolling { get; }

    /// <summary>Publishes the URL other workers reach this one at.</summary>
    void PublishUrl(string? url);
}
