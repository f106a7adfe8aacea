using System.Collections.Concurrent;
using System.Diagnostics;
using Faust.Transport;

namespace Faust.Diagnostics;

// The worker's statistics, Faust's Monitor as a service: every part reports to it, the HTTP API, the dashboard, the
// Server-Sent Events stream, /metrics and FaustInstruments read its snapshot.
//
// Hot-path rule: nothing here takes a lock per record or per event. The poll thread counts per batch with plain
// stores (it is the only writer of received counts); agents count events, timings and table operations in counters
// each agent owns (AgentStats, TableOps); sends and everything rarer are interlocked. Once a second the sampler
// (a TimeProvider timer) reads the counters and the end offsets the consumer already knows (it asks the broker
// only for partitions it does not fetch, and only every BrokerQueryEverySamples samples), derives rates and lag, appends one
// point to a bounded history (5 minutes at 1 s) and publishes an immutable MonitorSnapshot. Readers only ever see
// snapshots, so a slow HTTP client never holds up a worker.
internal sealed partial class FaustMonitor : IDisposable
{
    /// <summary>Rates, mean and p99 are over this many seconds.</summary>
    public const int WindowSeconds = 10;

    /// <summary>Seconds of history kept for the charts.</summary>
    public const int HistorySeconds = 300;

    private const int RecentErrorCount = 20;

    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);

    // What the sampler may ask the broker for (watermarks of partitions the consumer does not fetch, the group's
    // committed offsets before this worker has committed): once every this many samples, each request bounded by
    // BrokerQueryTimeout, so a sample stays short even when the broker is slow or down.
    private const int BrokerQueryEverySamples = 10;
    private static readonly TimeSpan BrokerQueryTimeout = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, AgentStats> _agents = new(StringComparer.Ordinal);
    private readonly List<TableStats> _tables = [];
    private readonly ConcurrentDictionary<string, TopicStats> _topics = new(StringComparer.Ordinal);
    private readonly MonitorPoint[] _history = new MonitorPoint[HistorySeconds + 1];
    private readonly Queue<ErrorEntry> _recentErrors = new();
    private readonly object _sampleLock = new();
    private TimeProvider _time = TimeProvider.System;
    private IMonitorSource? _worker;
    private ITimer? _timer;
    private DateTimeOffset? _startedAt;
    private MonitorSnapshot _snapshot = MonitorSnapshot.Empty;
    private volatile bool _stopSampling;
    private long _samples;
    private int _historyHead = -1;
    private int _historyCount;
    private int _state;
    private int _generation;
    private long _rebalances;
    private long _workerErrors;
    private long _commits;
    private long _commitTicks;
    private long _lastCommitTicks;
    private long _lastCommitAtMs;
    private long _assignStartedAt;
    private long _assignments;
    private long _assignTicks;
    private long _lastAssignTicks;
    private long _lastAssignAtMs;

    // Poll thread only: the topic of the previous batch, so a run of batches of one topic skips the lookup.
    private string? _lastTopic;
    private TopicStats? _lastTopicStats;

    /// <summary>The latest snapshot (<see cref="MonitorSnapshot.Empty"/> before the first sample).</summary>
    public MonitorSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public WorkerState State => (WorkerState)Volatile.Read(ref _state);

    /// <summary>How many assignments this worker has received (Kafka's group generation, as seen by one member).</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>The clock of the worker the monitor is attached to.</summary>
    public TimeProvider Time => _time;

    /// <summary>When the worker started, or null before.</summary>
    public DateTimeOffset? StartedAt => _startedAt;

    /// <summary>Where instruments record what they cannot observe from snapshots; null when none listen.</summary>
    public FaustInstruments? Instruments { get; set; }

    // ---- registration ----

    /// <summary>Registers a table at declaration; the index addresses its counters in every agent.</summary>
    public TableStats RegisterTable(string name)
    {
        lock (_tables)
        {
            var stats = new TableStats(_tables.Count, name);
            _tables.Add(stats);
            return stats;
        }
    }

    /// <summary>The statistics of one actor of an agent (the same object across restarts of its function);
    /// <paramref name="actor"/> defaults to the agent's name (an agent with one actor).</summary>
    public AgentStats Agent(string name, string? actor = null) =>
        _agents.GetOrAdd(actor ?? name, static (key, state) => new AgentStats(state.Monitor, state.Name, key), (Monitor: this, Name: name));

    /// <summary>Starts sampling a worker that is about to start.</summary>
    public void Attach(IMonitorSource worker, TimeProvider time)
    {
        lock (_sampleLock)
        {
            _worker = worker;
            _stopSampling = false;
            _time = time;
            _startedAt = time.GetUtcNow();
            Volatile.Write(ref _state, (int)WorkerState.Starting);

            // A zero point at start: what happens before the first sample counts towards the first rates.
            Push(new MonitorPoint(_startedAt.Value.ToUnixTimeMilliseconds(), 0, 0, 0, -1, 0));
            _timer?.Dispose();
            _timer = time.CreateTimer(static state => ((FaustMonitor)state!).Sample(), this, SampleInterval, SampleInterval);
        }
    }

    /// <summary>Stops sampling the worker, waiting for a sample under way: it returns before the worker closes its
    /// consumer, so no sample queries a closed one. A sample under way skips its remaining broker requests.</summary>
    public void StopSampling()
    {
        _stopSampling = true;
        lock (_sampleLock)
        {
            _timer?.Dispose();
            _timer = null;
            _worker = null;
        }
    }

    /// <summary>Stops sampling once the worker has stopped; the last snapshot stays readable.</summary>
    public void Detach()
    {
        StopSampling();
        Volatile.Write(ref _state, (int)WorkerState.Stopped);
        lock (_sampleLock)
        {
            Publish(BuildSnapshot(null));
        }
    }

    public void Dispose()
    {
        lock (_sampleLock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    // ---- hooks: the poll loop ----

    /// <summary>The poll thread received a batch.</summary>
    public void OnReceived(RecordBatch batch)
    {
        var topic = batch.Partition.Topic;
        var stats = ReferenceEquals(topic, _lastTopic) ? _lastTopicStats : null;
        if (stats is null)
        {
            stats = TopicOf(topic, batch.Partition.Partition);
            _lastTopic = topic;
            _lastTopicStats = stats;
        }

        var p = batch.Partition.Partition;
        if ((uint)p < (uint)stats.Partitions)
        {
            Volatile.Write(ref stats.Received[p], stats.Received[p] + batch.Count);
            Volatile.Write(ref stats.Read[p], batch.NextOffset);
        }
    }

    /// <summary>A record was sent to a topic (any thread).</summary>
    public void OnSent(string topic, int partition)
    {
        var stats = TopicOf(topic, partition);
        if ((uint)partition < (uint)stats.Partitions)
        {
            Interlocked.Increment(ref stats.Sent[partition]);
        }
    }

    private TopicStats TopicOf(string topic, int partition)
    {
        if (_topics.TryGetValue(topic, out var stats))
        {
            return stats;
        }

        var count = _worker is { } worker && worker.TryGetPartitionCount(topic, out var known) ? known : partition + 1;
        return _topics.GetOrAdd(topic, static (name, count) => new TopicStats(name, count), Math.Max(count, partition + 1));
    }

    // ---- hooks: assignment, commits, stopping ----

    /// <summary>Partitions were assigned; recovery of their tables starts.</summary>
    public void OnAssigned(IReadOnlyCollection<TopicPartition> partitions)
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _assignStartedAt, Stopwatch.GetTimestamp());
        SetState(WorkerState.Recovering);
    }

    /// <summary>The assigned partitions have recovered and their streams resume.</summary>
    public void OnAssignmentDone()
    {
        var ticks = Stopwatch.GetTimestamp() - Volatile.Read(ref _assignStartedAt);
        Interlocked.Increment(ref _assignments);
        Interlocked.Add(ref _assignTicks, ticks);
        Volatile.Write(ref _lastAssignTicks, ticks);
        Volatile.Write(ref _lastAssignAtMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        Instruments?.RecordAssignLatency(LatencyHistogram.TicksToMilliseconds(ticks));
        SetState(WorkerState.Running);
    }

    /// <summary>Partitions were revoked: a rebalance started.</summary>
    public void OnRevoked(IReadOnlyCollection<TopicPartition> partitions)
    {
        Interlocked.Increment(ref _rebalances);
        SetState(WorkerState.Rebalancing);
    }

    /// <summary>Offsets were committed; <paramref name="startedAt"/> is the Stopwatch timestamp the commit began.</summary>
    public void OnCommitted(IReadOnlyDictionary<TopicPartition, long> offsets, long startedAt)
    {
        var ticks = Stopwatch.GetTimestamp() - startedAt;
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _commitTicks, ticks);
        Volatile.Write(ref _lastCommitTicks, ticks);
        Volatile.Write(ref _lastCommitAtMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        foreach (var (tp, offset) in offsets)
        {
            var stats = TopicOf(tp.Topic, tp.Partition);
            if ((uint)tp.Partition < (uint)stats.Partitions)
            {
                Volatile.Write(ref stats.Committed[tp.Partition], offset);
            }
        }

        Instruments?.RecordCommitLatency(LatencyHistogram.TicksToMilliseconds(ticks));
    }

    /// <summary>The worker is stopping.</summary>
    public void OnStopping() => Volatile.Write(ref _state, (int)WorkerState.Stopping);

    /// <summary>An agent's function threw.</summary>
    public void OnAgentCrashed(string agent, Exception error) => Agent(agent).OnCrashed(error);

    /// <summary>A worker-level error (not an agent's): counted and kept among the recent errors.</summary>
    public void OnWorkerError(string kind, Exception error)
    {
        Interlocked.Increment(ref _workerErrors);
        RecordError("worker", kind, error);
    }

    internal ErrorEntry RecordError(string source, string kind, Exception error, string? where = null)
    {
        var entry = new ErrorEntry(_time.GetUtcNow(), source, kind, error.GetType().Name, error.Message, where);
        lock (_recentErrors)
        {
            _recentErrors.Enqueue(entry);
            while (_recentErrors.Count > RecentErrorCount)
            {
                _recentErrors.Dequeue();
            }
        }

        return entry;
    }

    private void SetState(WorkerState state)
    {
        while (true)
        {
            var current = Volatile.Read(ref _state);
            if (current is (int)WorkerState.Stopping or (int)WorkerState.Stopped)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _state, (int)state, current) == current)
            {
                return;
            }
        }
    }
}
