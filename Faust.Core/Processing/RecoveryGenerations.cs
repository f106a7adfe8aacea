using Faust.Transport;

namespace Faust.Processing;

// Recovery generations: an eager rebalance can revoke and reassign a partition while its previous recovery is still
// running. Each assignment records its generation per source partition, and a recovery resumes a partition (as soon
// as that partition's tables are recovered) only when the partition's latest assignment is its own; a later recovery
// resumes the others. The same bookkeeping says which assigned partitions are recovered (readiness, HTTP lookups): a
// partition counts as recovered from the end of the recovery of its latest assignment until it is revoked or lost.
internal sealed class RecoveryGenerations(Func<string, bool> isSourceTopic)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, long> _generation = [];
    private readonly HashSet<TopicPartition> _recovered = [];
    private readonly HashSet<TopicPartition> _assignedSources = [];
    private long _assignGeneration;

    /// <summary>Starts a generation for newly assigned source partitions: they read as recovering until it ends.</summary>
    public long MarkRecovering(IReadOnlyCollection<TopicPartition> sources)
    {
        lock (_lock)
        {
            var generation = ++_assignGeneration;
            foreach (var tp in sources)
            {
                _generation[tp] = generation;
                _recovered.Remove(tp);
                _assignedSources.Add(tp);
            }

            return generation;
        }
    }

    /// <summary>The partitions of <paramref name="sources"/> whose latest assignment is <paramref name="generation"/>,
    /// now marked recovered; the others belong to a later recovery.</summary>
    public List<TopicPartition> StillRecoveredBy(long generation, IReadOnlyCollection<TopicPartition> sources)
    {
        lock (_lock)
        {
            var result = new List<TopicPartition>(sources.Count);
            foreach (var tp in sources)
            {
                if (_generation.TryGetValue(tp, out var latest) && latest == generation)
                {
                    result.Add(tp);
                    _recovered.Add(tp);
                }
            }

            return result;
        }
    }

    /// <summary>Revoked or lost partitions are no longer assigned nor recovered.</summary>
    public void Forget(IReadOnlyCollection<TopicPartition> partitions)
    {
        lock (_lock)
        {
            _recovered.ExceptWith(partitions);
            _assignedSources.ExceptWith(partitions);
        }
    }

    /// <summary>Whether any source partition numbered <paramref name="partition"/> is recovered.</summary>
    public bool AnyRecovered(int partition)
    {
        lock (_lock)
        {
            foreach (var tp in _recovered)
            {
                if (tp.Partition == partition)
                {
                    return true;
                }
            }
        }

        return false;
    }

    // Whether every assigned source partition (of the given number, or all) is recovered. Assigned means either: the
    // consumer has published it (which may happen before the worker's assigned callback runs) or the callback has
    // marked it recovering (which happens before the consumer publishes it). Either way a rebalance never reads as
    // ready, and a partition being handed to this worker never reads as recovered.
    public bool AllAssignedRecovered(IReadOnlyCollection<TopicPartition> assignment, int? partition)
    {
        lock (_lock)
        {
            return AllRecovered(assignment, partition) && AllRecovered(_assignedSources, partition);
        }
    }

    private bool AllRecovered(IEnumerable<TopicPartition> assigned, int? partition)
    {
        foreach (var tp in assigned)
        {
            if ((partition is null || tp.Partition == partition) && isSourceTopic(tp.Topic) && !_recovered.Contains(tp))
            {
                return false;
            }
        }

        return true;
    }
}
