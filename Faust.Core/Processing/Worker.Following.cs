using Faust.Tables;
using Faust.Transport;

namespace Faust.Processing;

// Changelog partitions this worker keeps current without owning them: every partition of a global table that another
// worker owns (and, with standby replicas, the partitions it stands by for).
//
// Invariant: a store is written by exactly one of three parties at a time: the agents (owned partitions, resumed
// only after recovery), the recovery (owned partitions and, at each assignment, every global partition) or the
// follower (the rest). Changes of the followed set are chained on the recovery task, so the follower has let go of
// every partition (FollowAsync completed) before a recovery reads it, and takes up the non-owned ones only after.
// A global table's partitions stay open across a clean revocation (the follower goes on from the applied offset);
// after a lost assignment or a fence they are closed and reopened, dropping writes no commit covered.
internal sealed partial class Worker
{
    private ChangelogFollower? _follower;
    private volatile bool[] _owned = [];

    /// <summary>Whether this worker owns (processes) partition number <paramref name="partition"/> of its sources,
    /// and so writes that partition of every table. An app whose agents read no topic owns every partition.</summary>
    public bool OwnsPartition(int partition)
    {
        if (_inboxesByTopic.Count == 0)
        {
            return true;
        }

        var owned = _owned;
        return (uint)partition < (uint)owned.Length && owned[partition];
    }

    /// <summary>The changelog follower, when the app has global tables.</summary>
    internal ChangelogFollower? Follower => _follower;

    private void StartFollower()
    {
        if (_app.TableViews.Any(t => t.IsGlobal))
        {
            _follower = new ChangelogFollower(_transport, Logger, Time);
        }
    }

    private void MarkOwned(IEnumerable<int> partitions, bool owned)
    {
        var max = _partitionCounts.Count == 0 ? 0 : _partitionCounts.Values.Max();
        var next = new bool[Math.Max(max, _owned.Length)];
        Array.Copy(_owned, next, _owned.Length);
        foreach (var p in partitions)
        {
            if ((uint)p < (uint)next.Length)
            {
                next[p] = owned;
            }
        }

        _owned = next;
    }

    // Global tables: every partition is opened, and recovered at each assignment beside the owned ones.
    private IEnumerable<int> PartitionsToOpen(ITableView table, IReadOnlyCollection<int> owned) =>
        table.IsGlobal ? Enumerable.Range(0, _partitionCounts[table.ChangelogTopic]) : owned;

    private List<(ITableView Table, int Partition)> PartitionsToFollow()
    {
        var result = new List<(ITableView, int)>();
        foreach (var table in _app.TableViews)
        {
            if (!table.IsGlobal)
            {
                continue;
            }

            for (var p = 0; p < _partitionCounts[table.ChangelogTopic]; p++)
            {
                if (!OwnsPartition(p) && table.StoreOf(p) is not null)
                {
                    result.Add((table, p));
                }
            }
        }

        return result;
    }

    // Before a recovery: the follower lets go of everything the recovery may read.
    private Task StopFollowingAsync() => _follower?.FollowAsync([]) ?? Task.CompletedTask;

    // After a recovery or a revocation: follow what is not owned now.
    private Task FollowNotOwnedAsync() => _follower?.FollowAsync(PartitionsToFollow()) ?? Task.CompletedTask;

    // Chains a change of the followed set behind the running recovery (see the invariant above).
    private void FollowAfterRecovery()
    {
        if (_follower is null)
        {
            return;
        }

        var previous = _recovery;
        _recovery = Task.Run(async () =>
        {
            await previous.ConfigureAwait(false);
            try
            {
                await FollowNotOwnedAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogRecoveryFailed(Logger, ex);
            }
        });
    }

    // Global tables keep their partitions open across a clean revocation; else they are reopened from what was
    // last flushed (RocksDB: the committed state) or empty (memory), and the next recovery or the follower catches up.
    private void ReleaseGlobalPartitions(IReadOnlyCollection<int> partitions, bool clean)
    {
        if (clean)
        {
            return;
        }

        foreach (var table in _app.TableViews)
        {
            if (table.IsGlobal)
            {
                table.ClosePartitions(partitions);
                table.OpenPartitions(partitions, _partitionCounts[table.ChangelogTopic]);
            }
        }
    }

    private async Task StopFollowerAsync()
    {
        if (_follower is { } follower)
        {
            await follower.DisposeAsync().ConfigureAwait(false);
        }
    }
}
