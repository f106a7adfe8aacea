using Faust.Cluster;
using Faust.Runtime;
using Faust.Tables;
using Faust.Transport;

namespace Faust.Processing;

// Changelog partitions this worker keeps current without owning them: every partition of a global table that another
// worker owns, and the table partitions it keeps standby replicas of (Faust:TableStandbyReplicas).
//
// Invariant: a store is written by exactly one of three parties at a time: the agents (owned partitions, resumed
// only after recovery), the recovery (owned partitions and, at each assignment, every global partition) or the
// follower (the rest). Every change of the followed set is chained on the recovery task, so the follower has let go
// of every partition (FollowAsync completed) before a recovery reads it, and takes up the non-owned ones only after.
// A standby or global partition that becomes owned keeps its store, so its recovery reads only the changelog after
// the offset the follower applied. A clean revocation keeps global and standby partitions open (the follower goes on
// from the applied offset); after a lost assignment or a fence they are closed and reopened, dropping writes no
// commit covered. Standbys are placed by StandbyPlacement from the cluster view; while some owner is unknown (a
// rebalance) the worker keeps the standbys it has.
internal sealed partial class Worker
{
    private readonly object _chainLock = new();
    private readonly object _lagLock = new();

    // Taken while a partition's ownership changes together with its stores (the poll thread's assign and release),
    // and while a standby change checks ownership and then opens or closes a store (the chain), so an assignment can
    // never fall between the check and the act: a partition just assigned is never turned into a standby or closed.
    private readonly object _ownershipLock = new();
    private ChangelogFollower? _follower;
    private volatile bool[] _owned = [];
    private volatile IReadOnlySet<TopicPartition> _standbys = new HashSet<TopicPartition>();
    private IReadOnlyList<TopicPartition>? _standbyTarget;
    private static readonly TimeSpan ChangelogEndCacheFor = TimeSpan.FromSeconds(1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TopicPartition, (long High, long AskedAt)> _changelogEnds = new();
    private ITransportConsumer? _lagReader;

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

    /// <summary>Test hook: called when a standby change has found a partition not owned, just before it opens the
    /// partition's store as a standby (a window an assignment must not fall into).</summary>
    internal Action<TopicPartition>? BeforeStandbyOpens { get; set; }

    /// <summary>The changelog follower, when the app has global tables or standby replicas.</summary>
    internal ChangelogFollower? Follower => _follower;

    /// <summary>The changelog partitions this worker stands by for (placed, whether or not it owns them now).</summary>
    public IReadOnlySet<TopicPartition> Standbys => _standbys;

    /// <summary>How many changelog records a standby partition of <paramref name="table"/> is behind its changelog's
    /// end; null when this worker is not a standby of that partition (or owns it). For reads served from a standby.
    /// Thread safe; the changelog's end is asked of the broker at most once a second per partition, so the lag may
    /// leave out what the changelog received in the last second.</summary>
    public long? StandbyLag(ITableView table, int partition)
    {
        ArgumentNullException.ThrowIfNull(table);
        var tp = new TopicPartition(table.ChangelogTopic, partition);
        if (table.IsGlobal || !_standbys.Contains(tp) || OwnsPartition(partition) || table.StoreOf(partition) is not { } store)
        {
            return null;
        }

        return Math.Max(0, ChangelogEnd(tp) - (store.AppliedOffset + 1));
    }

    // The changelog's end for standby reads: asked of the broker at most once per ChangelogEndCacheFor and partition.
    // Standby reads happen when an owner cannot answer, often many at once: one request refreshes while the others
    // use the end it last saw, so they never queue behind a broker round trip (which may take the request timeout).
    // Only a request that has no end at all to go by waits for one.
    private long ChangelogEnd(TopicPartition tp)
    {
        var known = _changelogEnds.TryGetValue(tp, out var cached);
        if (known && Time.GetElapsedTime(cached.AskedAt) < ChangelogEndCacheFor)
        {
            return cached.High;
        }

        if (!System.Threading.Monitor.TryEnter(_lagLock))
        {
            if (known)
            {
                return cached.High;
            }

            System.Threading.Monitor.Enter(_lagLock);
        }

        try
        {
            _lagReader ??= _transport.CreateConsumer(groupId: null);
            var high = _lagReader.GetWatermarks(tp).High;
            _changelogEnds[tp] = (high, Time.GetTimestamp());
            return high;
        }
        finally
        {
            System.Threading.Monitor.Exit(_lagLock);
        }
    }

    private bool WantsStandbys => _options.TableStandbyReplicas > 0 && _app.Tables.Any(t => !t.IsGlobal);

    private void StartFollower()
    {
        if (_app.Tables.Any(t => t.IsGlobal) || WantsStandbys)
        {
            _follower = new ChangelogFollower(_transport, Logger, Time);
        }

        if (WantsStandbys)
        {
            Cluster.Changed += OnClusterChanged;
            OnClusterChanged(this, Cluster.Current);
        }
    }

    // Runs on the cluster view's reader thread: only computes, the change itself is chained (see the invariant).
    private void OnClusterChanged(object? sender, ClusterSnapshot snapshot)
    {
        var changelogs = _app.Tables.Where(t => !t.IsGlobal).Select(t => (t.ChangelogTopic, _topics[t.ChangelogTopic])).ToArray();
        var placed = StandbyPlacement.StandbysFor(WorkerId, snapshot.Workers.Keys, tp => snapshot.OwnerOf(tp)?.WorkerId, changelogs, _options.TableStandbyReplicas);
        if (placed is null || _standbys.SetEquals(placed))
        {
            return;
        }

        Volatile.Write(ref _standbyTarget, placed);
        Chain(ApplyStandbysAsync);
    }

    private async Task ApplyStandbysAsync()
    {
        if (Interlocked.Exchange(ref _standbyTarget, null) is not { } target || _stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            var previous = _standbys;
            var next = target.ToHashSet();
            lock (_ownershipLock)
            {
                foreach (var tp in next)
                {
                    if (!previous.Contains(tp) && !OwnsPartition(tp.Partition) && _topics.TablesByChangelog.TryGetValue(tp.Topic, out var table))
                    {
                        BeforeStandbyOpens?.Invoke(tp);
                        table.SetStandby([tp.Partition], _topics[tp.Topic], standby: true);
                    }
                }

                _standbys = next;
            }

            await FollowNotOwnedAsync().ConfigureAwait(false);

            // The follower has let go of the dropped ones: close them unless they are owned now.
            lock (_ownershipLock)
            {
                foreach (var tp in previous)
                {
                    if (!next.Contains(tp) && !OwnsPartition(tp.Partition) && _topics.TablesByChangelog.TryGetValue(tp.Topic, out var table))
                    {
                        table.ClosePartitions([tp.Partition]);
                    }
                }
            }

            // TopicPartition is not comparable: Order() would throw, and the standbys would never be published.
            TopicPartition[] ordered = [.. next.OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition)];
            PublishStandbys(ordered);
            LogStandbys(Logger, next.Count, string.Join(", ", ordered.Select(tp => $"{tp.Topic}[{tp.Partition}]")));
        }
        catch (Exception ex)
        {
            LogRecoveryFailed(Logger, ex);
        }
    }

    // Serializes recoveries and changes of the followed set (see the invariant above).
    private void Chain(Func<Task> step)
    {
        lock (_chainLock)
        {
            var previous = _recovery;
            _recovery = Task.Run(async () =>
            {
                await previous.ConfigureAwait(false);
                await step().ConfigureAwait(false);
            });
        }
    }

    private void MarkOwned(IEnumerable<int> partitions, bool owned)
    {
        var max = _topics.MaxPartitions;
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
        table.IsGlobal ? Enumerable.Range(0, _topics[table.ChangelogTopic]) : owned;

    private bool KeepsLocally(ITableView table, int partition) =>
        table.IsGlobal || _standbys.Contains(new TopicPartition(table.ChangelogTopic, partition));

    private List<(ITableView Table, int Partition)> PartitionsToFollow()
    {
        var result = new List<(ITableView, int)>();
        foreach (var table in _app.Tables)
        {
            for (var p = 0; p < _topics[table.ChangelogTopic]; p++)
            {
                if (KeepsLocally(table, p) && !OwnsPartition(p) && table.StoreOf(p) is not null)
                {
                    result.Add((table, p));
                }
            }
        }

        return result;
    }

    // Before a recovery: the follower lets go of everything the recovery may read.
    private Task StopFollowingAsync() => _follower?.FollowAsync([]) ?? Task.CompletedTask;

    // After a recovery or a revocation: follow what is kept locally but not owned now.
    private Task FollowNotOwnedAsync() => _follower?.FollowAsync(PartitionsToFollow()) ?? Task.CompletedTask;

    private void FollowAfterRecovery()
    {
        if (_follower is null)
        {
            return;
        }

        Chain(async () =>
        {
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

    // Released partitions close, except global and standby ones after a clean revocation. After an unclean one
    // those are reopened from what was last flushed (RocksDB: the committed state) or empty (memory), and the
    // follower or the next recovery catches up.
    private void ReleaseTablePartitions(IReadOnlyCollection<int> partitions, bool clean)
    {
        foreach (var table in _app.Tables)
        {
            var kept = partitions.Where(p => KeepsLocally(table, p)).ToArray();
            table.ClosePartitions(clean ? partitions.Except(kept) : partitions);
            if (!clean && kept.Length > 0)
            {
                table.OpenPartitions(kept, _topics[table.ChangelogTopic]);
            }

            if (!table.IsGlobal && kept.Length > 0)
            {
                table.SetStandby(kept, _topics[table.ChangelogTopic], standby: true);
            }
        }
    }

    private async Task StopFollowerAsync()
    {
        if (WantsStandbys)
        {
            Cluster.Changed -= OnClusterChanged;
        }

        if (_follower is { } follower)
        {
            await follower.DisposeAsync().ConfigureAwait(false);
        }

        lock (_lagLock)
        {
            _lagReader?.Dispose();
            _lagReader = null;
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "This worker now keeps {Count} standby table partitions: {Partitions}.")]
    private static partial void LogStandbys(Microsoft.Extensions.Logging.ILogger logger, int count, string partitions);
}
