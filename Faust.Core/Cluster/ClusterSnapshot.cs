using System.Collections.Frozen;
using Faust.Transport;

namespace Faust.Cluster;

/// <summary>
/// An immutable view of which worker holds which partition, built from the assignor topic (DESIGN decision 4).
/// </summary>
/// <remarks>
/// <para>Ownership invariant: <see cref="OwnerOf"/> names a worker only when exactly one worker claims the
/// partition. During a rebalance two workers may both claim it (the new owner published before the old one) or
/// none may (the old one let go first); both read as "unknown", so a router answers 503 and retries rather than
/// forwarding to a worker that may answer with a stale or empty value.</para>
/// <para>Snapshots are replaced as a whole; a reader holding one sees a consistent view. Thread safe.</para>
/// </remarks>
public sealed class ClusterSnapshot
{
    private readonly FrozenDictionary<TopicPartition, WorkerAssignment?> _owners;
    private readonly FrozenDictionary<TopicPartition, WorkerAssignment[]> _standbys;

    /// <summary>Builds a snapshot.</summary>
    /// <param name="generation">The view's generation: bumped on every change the view sees.</param>
    /// <param name="workers">Every worker's assignment, by worker id.</param>
    public ClusterSnapshot(long generation, IEnumerable<WorkerAssignment> workers)
    {
        ArgumentNullException.ThrowIfNull(workers);
        Generation = generation;
        Workers = workers.ToFrozenDictionary(w => w.WorkerId, StringComparer.Ordinal);

        var owners = new Dictionary<TopicPartition, WorkerAssignment?>();
        var standbys = new Dictionary<TopicPartition, List<WorkerAssignment>>();
        foreach (var worker in Workers.Values.OrderBy(w => w.WorkerId, StringComparer.Ordinal))
        {
            foreach (var tp in worker.Actives)
            {
                // A second claim makes the owner unknown (null), and it stays unknown whatever else claims it.
                owners[tp] = owners.ContainsKey(tp) ? null : worker;
            }

            foreach (var tp in worker.Standbys)
            {
                if (!standbys.TryGetValue(tp, out var list))
                {
                    standbys[tp] = list = [];
                }

                list.Add(worker);
            }
        }

        _owners = owners.ToFrozenDictionary();
        _standbys = standbys.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }

    /// <summary>The view before anything was read: no workers, generation 0.</summary>
    public static ClusterSnapshot Empty { get; } = new(0, []);

    /// <summary>The view's generation, bumped on every change the view sees.</summary>
    public long Generation { get; }

    /// <summary>Every worker's published assignment, by worker id.</summary>
    public FrozenDictionary<string, WorkerAssignment> Workers { get; }

    /// <summary>The one worker that claims the partition as active; null when none does or when more than one does
    /// (a rebalance in progress).</summary>
    /// <param name="partition">A source or changelog partition.</param>
    public WorkerAssignment? OwnerOf(TopicPartition partition) => _owners.GetValueOrDefault(partition);

    /// <summary>The workers that keep a standby replica of the partition (none when nobody does).</summary>
    /// <param name="partition">A changelog partition.</param>
    public IReadOnlyList<WorkerAssignment> StandbysOf(TopicPartition partition) =>
        _standbys.TryGetValue(partition, out var list) ? list : [];

    /// <summary>Whether more than one worker claims the partition as active.</summary>
    /// <param name="partition">A source or changelog partition.</param>
    public bool IsContested(TopicPartition partition) => _owners.TryGetValue(partition, out var owner) && owner is null;
}
