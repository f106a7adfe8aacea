using Faust.Runtime;
using Faust.Transport;

namespace Faust.Tables;

// Which worker keeps a standby replica of which table partition.
//
// Invariant: the placement is a pure function of the cluster view (the workers and each partition's owner), so every
// worker computes the same answer from the same view without talking to the others. A partition's standbys are the
// `replicas` workers that follow its owner in ordinal worker-id order (wrapping around), never the owner; with fewer
// workers, every other worker. A partition whose owner is unknown (a rebalance in progress) gets no standbys from
// the placement: the caller keeps what it had until the view settles, so a standby is not dropped and rebuilt on
// every rebalance.
internal static class StandbyPlacement
{
    /// <summary>The standbys of one partition whose owner is <paramref name="owner"/>.</summary>
    /// <param name="owner">The partition's owner.</param>
    /// <param name="sortedWorkers">Every worker id, sorted ordinally.</param>
    /// <param name="replicas">Standbys per partition.</param>
    public static IReadOnlyList<string> StandbysOf(string owner, IReadOnlyList<string> sortedWorkers, int replicas)
    {
        var index = -1;
        for (var i = 0; i < sortedWorkers.Count; i++)
        {
            if (string.Equals(sortedWorkers[i], owner, StringComparison.Ordinal))
            {
                index = i;
                break;
            }
        }

        if (index < 0 || replicas <= 0)
        {
            return [];
        }

        var count = Math.Min(replicas, sortedWorkers.Count - 1);
        var standbys = new string[count];
        for (var k = 0; k < count; k++)
        {
            standbys[k] = sortedWorkers[(index + 1 + k) % sortedWorkers.Count];
        }

        return standbys;
    }

    /// <summary>The changelog partitions <paramref name="worker"/> stands by for, or null when some partition's owner
    /// is unknown (keep the current standbys until the view settles).</summary>
    /// <param name="worker">The worker asking.</param>
    /// <param name="workers">Every worker id in the view (any order).</param>
    /// <param name="ownerOf">A changelog partition's owner, or null when unknown.</param>
    /// <param name="changelogs">The changelogs of tables with standbys (not global ones) and their partition counts.</param>
    /// <param name="replicas">Standbys per partition (<c>Faust:TableStandbyReplicas</c>).</param>
    public static IReadOnlyList<TopicPartition>? StandbysFor(string worker, IEnumerable<string> workers, Func<TopicPartition, string?> ownerOf,
        IReadOnlyList<(string Changelog, int Partitions)> changelogs, int replicas)
    {
        var sorted = workers.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var mine = new List<TopicPartition>();
        if (replicas <= 0 || sorted.Length < 2)
        {
            return mine;
        }

        foreach (var (changelog, partitions) in changelogs)
        {
            for (var p = 0; p < partitions; p++)
            {
                var tp = new TopicPartition(changelog, p);
                if (ownerOf(tp) is not { } owner || Array.IndexOf(sorted, owner) < 0)
                {
                    return null;
                }

                foreach (var standby in StandbysOf(owner, sorted, replicas))
                {
                    if (string.Equals(standby, worker, StringComparison.Ordinal))
                    {
                        mine.Add(tp);
                    }
                }
            }
        }

        return mine;
    }
}
