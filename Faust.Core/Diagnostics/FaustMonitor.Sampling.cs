using Faust.Transport;

namespace Faust.Diagnostics;

// The sampler: once a second, counters in, one immutable snapshot out (see FaustMonitor).
internal sealed partial class FaustMonitor
{
    /// <summary>Takes a sample now. The timer calls it every second. Samples never overlap: a call made while one
    /// runs returns at once, so the timer never blocks on a slow sample.</summary>
    public void Sample()
    {
        if (!Monitor.TryEnter(_sampleLock))
        {
            return;
        }

        try
        {
            SampleLocked();
        }
        finally
        {
            Monitor.Exit(_sampleLock);
        }
    }

    /// <summary>Takes a sample now, waiting for one under way: the snapshot published when it returns was built after
    /// the call. For tests, which would otherwise wait for the timer (or read an older snapshot when the timer's
    /// sample holds the lock).</summary>
    public void SampleNow()
    {
        lock (_sampleLock)
        {
            SampleLocked();
        }
    }

    // Holds the sample lock.
    private void SampleLocked()
    {
        try
        {
            Publish(BuildSnapshot(_worker));
        }
        catch (Exception ex)
        {
            // The sampler must never take the worker down; the snapshot before stays in place.
            RecordError("monitor", "sampling failed", ex);
        }
    }

    private void Publish(MonitorSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    private MonitorSnapshot BuildSnapshot(IMonitorSource? worker)
    {
        var now = _time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var state = State;

        var agents = SampleAgents(nowMs);
        long events = 0;
        long errors = Interlocked.Read(ref _workerErrors);
        foreach (var agent in agents)
        {
            events += agent.Processed;
            errors += agent.Errors;
        }

        var tables = SampleTables();
        var topics = SampleTopics(worker, state, nowMs, out var received, out var sent, out var totalLag);

        Push(new MonitorPoint(nowMs, events, received, sent, totalLag ?? -1, errors));
        var newest = _history[_historyHead];
        var back = Math.Min(WindowSeconds, _historyCount - 1);
        double? eventsRate = null;
        double? receivedRate = null;
        double? sentRate = null;
        if (back > 0)
        {
            var oldest = _history[(_historyHead - back + _history.Length) % _history.Length];
            var seconds = (newest.TimeMs - oldest.TimeMs) / 1000.0;
            if (seconds > 0)
            {
                eventsRate = (newest.Events - oldest.Events) / seconds;
                receivedRate = (newest.Received - oldest.Received) / seconds;
                sentRate = (newest.Sent - oldest.Sent) / seconds;
            }
        }

        ErrorEntry[] recent;
        lock (_recentErrors)
        {
            recent = [.. _recentErrors];
        }

        return new MonitorSnapshot(
            now, state, Generation, _startedAt, eventsRate, receivedRate, sentRate, events, received, sent, totalLag, errors,
            Interlocked.Read(ref _rebalances),
            Summary(ref _commits, ref _commitTicks, ref _lastCommitTicks, ref _lastCommitAtMs),
            Summary(ref _assignments, ref _assignTicks, ref _lastAssignTicks, ref _lastAssignAtMs),
            agents, topics, tables, recent, worker?.Fault?.Message, History());
    }

    // Each actor's sample, added up per agent: counts and times add; the window's p99 comes from the actors'
    // histograms merged.
    private List<AgentSnapshot> SampleAgents(long nowMs)
    {
        var byAgent = new SortedDictionary<string, List<ActorSample>>(StringComparer.Ordinal);
        foreach (var stats in _agents.Values)
        {
            if (!byAgent.TryGetValue(stats.Name, out var samples))
            {
                byAgent[stats.Name] = samples = [];
            }

            samples.Add(stats.Sample(nowMs));
        }

        var result = new List<AgentSnapshot>(byAgent.Count);
        foreach (var (name, samples) in byAgent)
        {
            long processed = 0, windowProcessed = 0, windowTimed = 0, windowTicks = 0, timed = 0, ticks = 0, crashes = 0, skipped = 0;
            double seconds = 0;
            ErrorEntry? lastError = null;
            var current = new long[LatencyHistogram.BucketCount];
            var windowStart = new long[LatencyHistogram.BucketCount];
            foreach (var sample in samples)
            {
                processed += sample.Processed;
                windowProcessed += sample.WindowProcessed;
                seconds = Math.Max(seconds, sample.WindowSeconds);
                windowTimed += sample.WindowTimed;
                windowTicks += sample.WindowTimedTicks;
                timed += sample.Timed;
                ticks += sample.TimedTicks;
                crashes += sample.Crashes;
                skipped += sample.Skipped;
                if (sample.LastError is { } error && (lastError is null || error.Time > lastError.Time))
                {
                    lastError = error;
                }

                for (var i = 0; i < current.Length; i++)
                {
                    current[i] += sample.Buckets[i];
                    windowStart[i] += sample.WindowStartBuckets[i];
                }
            }

            double? rate = seconds > 0 ? windowProcessed / seconds : null;
            double? mean = windowTimed > 0 ? LatencyHistogram.TicksToMilliseconds(windowTicks / (double)windowTimed) : null;
            double? p99 = windowTimed > 0 ? LatencyHistogram.Percentile(current, windowStart, 0.99) : null;
            double? meanAll = timed > 0 ? LatencyHistogram.TicksToMilliseconds(ticks / (double)timed) : null;
            result.Add(new AgentSnapshot(name, samples.Count, processed, rate, mean, p99, meanAll, LatencyHistogram.Percentile(current, null, 0.99),
                timed, LatencyHistogram.TicksToMilliseconds(ticks), crashes, skipped, lastError));
        }

        return result;
    }

    private List<TableOpsSnapshot> SampleTables()
    {
        TableStats[] tables;
        lock (_tables)
        {
            tables = [.. _tables];
        }

        var result = new List<TableOpsSnapshot>(tables.Length);
        foreach (var stats in tables)
        {
            long gets = stats.Shared.Gets, sets = stats.Shared.Sets, deletes = stats.Shared.Deletes;
            foreach (var agent in _agents.Values)
            {
                var owned = agent.Tables;
                if (stats.Index < owned.Length && owned[stats.Index] is { } ops)
                {
                    gets += ops.Gets;
                    sets += ops.Sets;
                    deletes += ops.Deletes;
                }
            }

            result.Add(new TableOpsSnapshot(stats.Name, gets, sets, deletes));
        }

        return result;
    }

    private List<TopicSnapshot> SampleTopics(IMonitorSource? worker, WorkerState state, long nowMs, out long received, out long sent, out long? totalLag)
    {
        received = 0;
        sent = 0;
        totalLag = null;
        var result = new List<TopicSnapshot>();

        // Topics and partition counts are declared while the worker starts: read them only once it has been assigned.
        var offsetsKnown = worker is not null && state != WorkerState.Starting;
        var names = new SortedSet<string>(_topics.Keys, StringComparer.Ordinal);
        if (offsetsKnown)
        {
            names.UnionWith(worker!.PartitionCounts.Keys);
        }

        var assigned = offsetsKnown ? new HashSet<TopicPartition>(worker!.Assignment) : [];
        var askBroker = offsetsKnown && _samples++ % BrokerQueryEverySamples == 0;
        var lagKnown = assigned.Count > 0;
        long lagSum = 0;
        foreach (var name in names)
        {
            var stats = TopicOf(name, 0);
            var partitions = new PartitionSnapshot[stats.Partitions];
            for (var p = 0; p < partitions.Length; p++)
            {
                var tp = new TopicPartition(name, p);
                var isAssigned = assigned.Contains(tp);
                var receivedHere = Volatile.Read(ref stats.Received[p]);
                var sentHere = Volatile.Read(ref stats.Sent[p]);
                received += receivedHere;
                sent += sentHere;
                var read = Volatile.Read(ref stats.Read[p]);
                var committed = Volatile.Read(ref stats.Committed[p]);
                WatermarkOffsets? marks = null;
                if (offsetsKnown)
                {
                    // What the consumer knows already (Kafka: an assigned partition's end offset comes with every
                    // fetch); anything else is a broker request.
                    var known = TryGet(() => worker!.GetCachedWatermarks(tp));
                    if (known is null && askBroker && !_stopSampling)
                    {
                        known = TryGet(() => worker!.GetWatermarks(tp, BrokerQueryTimeout));
                    }

                    if (known is { } k)
                    {
                        stats.Low[p] = k.Low;
                        stats.High[p] = k.High;
                    }

                    marks = stats.High[p] >= 0 ? new WatermarkOffsets(stats.Low[p], stats.High[p]) : null;
                    if (committed < 0 && isAssigned && askBroker && !_stopSampling
                        && TryGet(() => worker!.GroupCommittedOffset(tp)) is { } groupCommitted)
                    {
                        // Committed in an earlier run (or by another member before a rebalance).
                        committed = groupCommitted;
                        Volatile.Write(ref stats.Committed[p], committed);
                    }
                }

                long? lag = null;
                if (isAssigned && marks is { } m)
                {
                    // Nothing committed yet: the group reads from the earliest offset (Faust's auto_offset_reset).
                    lag = Math.Max(0, m.High - (committed >= 0 ? committed : m.Low));
                    lagSum += lag.Value;
                }
                else if (isAssigned)
                {
                    lagKnown = false;
                }

                // Progress is the committed offset moving; before the first commit the group starts at the low watermark.
                var stalled = Stalled(worker, stats, tp, isAssigned ? lag : null, committed >= 0 ? committed : marks?.Low ?? -1, nowMs);
                partitions[p] = new PartitionSnapshot(p, isAssigned, receivedHere, sentHere, read >= 0 ? read : null,
                    committed >= 0 ? committed : null, marks?.Low, marks?.High, lag, stalled);
            }

            result.Add(new TopicSnapshot(name, partitions));
        }

        if (lagKnown)
        {
            totalLag = lagSum;
        }

        return result;
    }

    // Faust's commit livelock detector: an assigned partition with events waiting whose committed offset has not moved
    // for Faust:CommitLivelockSoftTimeout is stalled (an agent stuck in an event, or a partition no longer read). The
    // watch starts when the partition is assigned with events waiting, and restarts whenever its committed offset moves
    // or nothing waits; the stall is logged once per episode. Returns the seconds without progress once stalled.
    private double? Stalled(IMonitorSource? worker, TopicStats stats, TopicPartition tp, long? lag, long committed, long nowMs)
    {
        var p = tp.Partition;
        if (worker is null || lag is not > 0)
        {
            stats.StallWatchFromMs[p] = -1;
            stats.StallReported[p] = false;
            return null;
        }

        if (stats.StallWatchFromMs[p] < 0 || stats.StallWatchedCommit[p] != committed)
        {
            stats.StallWatchFromMs[p] = nowMs;
            stats.StallWatchedCommit[p] = committed;
            stats.StallReported[p] = false;
            return null;
        }

        var waited = TimeSpan.FromMilliseconds(nowMs - stats.StallWatchFromMs[p]);
        if (waited < worker.CommitLivelockSoftTimeout)
        {
            return null;
        }

        if (!stats.StallReported[p])
        {
            stats.StallReported[p] = true;
            LogStalled(worker.Logger, tp.ToString(), waited.TotalSeconds, lag.Value, committed);
        }

        return waited.TotalSeconds;
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "Partition {Partition} has not committed for {Seconds:F0} s while {Lag} events wait at offset {Committed}: an agent may be stuck in an event, or the worker no longer reads the partition. See Faust:CommitLivelockSoftTimeout.")]
    private static partial void LogStalled(Microsoft.Extensions.Logging.ILogger logger, string partition, double seconds, long lag, long committed);

    private static T? TryGet<T>(Func<T?> read) where T : struct
    {
        try
        {
            return read();
        }
        catch (Exception)
        {
            // The consumer is closing, the topic is not there (yet), or the broker did not answer in time: not known
            // this time; one partition's failure must not cost the whole sample.
            return null;
        }
    }

    private LatencySummary Summary(ref long count, ref long ticks, ref long lastTicks, ref long lastAtMs)
    {
        var n = Interlocked.Read(ref count);
        if (n == 0)
        {
            return LatencySummary.None;
        }

        return new LatencySummary(n, LatencyHistogram.TicksToMilliseconds(Interlocked.Read(ref ticks)),
            LatencyHistogram.TicksToMilliseconds(Volatile.Read(ref lastTicks)), DateTimeOffset.FromUnixTimeMilliseconds(Volatile.Read(ref lastAtMs)));
    }

    private void Push(MonitorPoint point)
    {
        _historyHead = (_historyHead + 1) % _history.Length;
        _history[_historyHead] = point;
        _historyCount = Math.Min(_historyCount + 1, _history.Length);
    }

    private MonitorPoint[] History()
    {
        var points = new MonitorPoint[_historyCount];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = _history[(_historyHead - _historyCount + 1 + i + _history.Length) % _history.Length];
        }

        return points;
    }
}
