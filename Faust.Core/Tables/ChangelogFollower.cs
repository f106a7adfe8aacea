using Faust.Runtime;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Tables;

// Keeps local copies of table partitions this worker does not write current, by reading their changelogs
// continuously: standby replicas (so a failover recovers only the tail) and the partitions of global tables that
// other workers own.
//
// Invariant: a followed partition's store only ever receives changelog records in offset order, starting after
// the offset the store has applied; its applied offset is flushed with its data, so following resumes where it
// stopped after a restart. The set of followed partitions is replaced as a whole (on each rebalance) and picked
// up by the follower's own thread, the only thread that touches its consumer.
internal sealed partial class ChangelogFollower : IAsyncDisposable
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);
    private readonly ITransport _transport;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _thread;
    private volatile FollowRequest? _requested;
    private volatile IReadOnlyDictionary<TopicPartition, ITableView> _followed = new Dictionary<TopicPartition, ITableView>();
    private long _applied;
    private volatile TaskCompletionSource? _paused;

    public ChangelogFollower(ITransport transport, ILogger logger, TimeProvider time)
    {
        _transport = transport;
        _logger = logger;
        _time = time;
        _thread = new Thread(Run) { IsBackground = true, Name = "faust-changelog-follower" };
        _thread.Start();
    }

    /// <summary>Changelog records applied since start.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>The partitions followed now.</summary>
    public IReadOnlyCollection<TopicPartition> Followed => [.. _followed.Keys];

    /// <summary>Replaces the set of followed partitions. Their stores must be open in their tables.</summary>
    public void Follow(IEnumerable<(ITableView Table, int Partition)> partitions) => _ = FollowAsync(partitions);

    /// <summary>Replaces the set of followed partitions; completes once the follower's thread has flushed the old
    /// set and stopped applying to it, so a partition left out may then be written by someone else (recovery).</summary>
    public Task FollowAsync(IEnumerable<(ITableView Table, int Partition)> partitions)
    {
        var requested = new Dictionary<TopicPartition, ITableView>();
        foreach (var (table, partition) in partitions)
        {
            requested[new TopicPartition(table.ChangelogTopic, partition)] = table;
        }

        var request = new FollowRequest(requested);
        Interlocked.Exchange(ref _requested, request)?.Adopted.TrySetResult(); // superseded before it was picked up
        if (!_thread.IsAlive)
        {
            request.Adopted.TrySetResult();
        }

        return request.Adopted.Task;
    }

    /// <summary>Test hook: from when the returned task completes, the follower adopts new sets but applies nothing
    /// more (a standby falling behind). The task completes on the follower's thread between two polls, so a batch
    /// polled before the pause is applied before it, never after.</summary>
    public Task PauseAsync()
    {
        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        paused = Interlocked.CompareExchange(ref _paused, paused, null) ?? paused;
        if (!_thread.IsAlive)
        {
            paused.TrySetResult();
        }

        return paused.Task;
    }

    /// <summary>Whether a partition is followed now.</summary>
    public bool IsFollowing(TopicPartition partition) => _followed.ContainsKey(partition);

    /// <summary>How far a followed partition is behind its changelog's end, or null when it is not followed.</summary>
    public long? Lag(TopicPartition partition, ITransportConsumer reader)
    {
        if (!_followed.TryGetValue(partition, out var table) || table.StoreOf(partition.Partition) is not { } store)
        {
            return null;
        }

        return Math.Max(0, reader.GetWatermarks(partition).High - (store.AppliedOffset + 1));
    }

    private void Run()
    {
        using var reader = _transport.CreateConsumer(groupId: null);
        var lastFlush = _time.GetTimestamp();
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                if (Interlocked.Exchange(ref _requested, null) is { } request)
                {
                    try
                    {
                        FlushAll();
                        var requested = request.Partitions;
                        _followed = requested;
                        reader.Assign([.. requested.Select(kv => new KeyValuePair<TopicPartition, long>(kv.Key, StartOf(kv.Key, kv.Value)))]);
                        LogFollowing(_logger, requested.Count);
                    }
                    finally
                    {
                        request.Adopted.TrySetResult();
                    }
                }

                var paused = _paused;
                paused?.TrySetResult();
                if (_followed.Count == 0 || paused is not null)
                {
                    _stopping.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100));
                    continue;
                }

                var batch = reader.Poll(TimeSpan.FromMilliseconds(100));
                if (batch is not null && _followed.TryGetValue(batch.Partition, out var table) && table.StoreOf(batch.Partition.Partition) is { } store)
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        var consumed = batch.Records[i];
                        if (consumed.Record.Key is { } key)
                        {
                            table.ApplyChangelog(batch.Partition.Partition, key, consumed.Record.Value, consumed.Offset);
                        }
                        else
                        {
                            store.SetAppliedOffset(consumed.Offset);
                        }
                    }

                    Interlocked.Add(ref _applied, batch.Count);
                }

                if (_time.GetElapsedTime(lastFlush) >= FlushEvery)
                {
                    FlushAll();
                    lastFlush = _time.GetTimestamp();
                }
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                // A store closed under us (revocation) or a broker hiccup: log and retry; the next Follow replaces the set.
                LogFailed(_logger, ex);
                _stopping.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(500));
            }
        }

        FlushAll();
        Interlocked.Exchange(ref _requested, null)?.Adopted.TrySetResult();
    }

    private sealed class FollowRequest(IReadOnlyDictionary<TopicPartition, ITableView> partitions)
    {
        public IReadOnlyDictionary<TopicPartition, ITableView> Partitions { get; } = partitions;

        public TaskCompletionSource Adopted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static long StartOf(TopicPartition partition, ITableView table) =>
        (table.StoreOf(partition.Partition)?.AppliedOffset ?? -1) + 1;

    private void FlushAll()
    {
        foreach (var (tp, table) in _followed)
        {
            table.StoreOf(tp.Partition)?.Flush();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _thread.Join();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Following {Partitions} changelog partitions (standbys and global tables).")]
    private static partial void LogFollowing(ILogger logger, int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Following changelogs failed; retrying.")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
