namespace Faust.Diagnostics;

/// <summary>What the monitor knew at one sample: taken once a second, immutable, read by the HTTP API, the
/// Server-Sent Events stream, <c>/metrics</c> and the instruments without touching the hot path.</summary>
/// <remarks>Rates are over the last <see cref="FaustMonitor.WindowSeconds"/> seconds and null until two samples
/// exist; offsets, lag and <see cref="TotalLag"/> are null where they are not known.</remarks>
internal sealed record MonitorSnapshot(
    DateTimeOffset Time,
    WorkerState State,
    int Generation,
    DateTimeOffset? StartedAt,
    double? EventsPerSecond,
    double? ReceivedPerSecond,
    double? SentPerSecond,
    long EventsTotal,
    long ReceivedTotal,
    long SentTotal,
    long? TotalLag,
    long ErrorsTotal,
    long Rebalances,
    LatencySummary Commits,
    LatencySummary Assignments,
    IReadOnlyList<AgentSnapshot> Agents,
    IReadOnlyList<TopicSnapshot> Topics,
    IReadOnlyList<TableOpsSnapshot> Tables,
    IReadOnlyList<ErrorEntry> RecentErrors,
    string? Fault,
    IReadOnlyList<MonitorPoint> History)
{
    /// <summary>The snapshot before the first sample.</summary>
    public static MonitorSnapshot Empty { get; } = new(
        DateTimeOffset.UnixEpoch, WorkerState.Starting, 0, null, null, null, null, 0, 0, 0, null, 0, 0,
        LatencySummary.None, LatencySummary.None, [], [], [], [], null, []);

    /// <summary>True until the sampler has run once.</summary>
    public bool IsEmpty => ReferenceEquals(this, Empty);
}

/// <summary>One agent's numbers, its actors added up: totals since start, and rate and timing over the window.</summary>
internal sealed record AgentSnapshot(
    string Name,
    int Actors,
    long Processed,
    double? EventsPerSecond,
    double? MeanMs,
    double? P99Ms,
    double? MeanMsTotal,
    double? P99MsTotal,
    long TimedEvents,
    double TimedMsTotal,
    long Crashes,
    long Skipped,
    ErrorEntry? LastError)
{
    /// <summary>Crashes of the agent's function plus records skipped because they did not decode.</summary>
    public long Errors => Crashes + Skipped;
}

/// <summary>One topic's partitions as this worker sees them.</summary>
internal sealed record TopicSnapshot(string Name, IReadOnlyList<PartitionSnapshot> Partitions);

/// <summary>One partition: what this worker received from it and sent to it (for a changelog: the records produced,
/// one per key and commit while the changelog buffer folds repeated writes), and its offsets. <see cref="Assigned"/>
/// is true for source partitions the consumer holds; lag is known only for those. <see cref="StalledSeconds"/> is set
/// once events have waited Faust:CommitLivelockSoftTimeout without the committed offset moving: how long so far.</summary>
internal sealed record PartitionSnapshot(
    int Partition,
    bool Assigned,
    long Received,
    long Sent,
    long? ReadOffset,
    long? CommittedOffset,
    long? LowOffset,
    long? EndOffset,
    long? Lag,
    double? StalledSeconds = null);

/// <summary>One table's operations since start (its changelog records are counted on the changelog topic).</summary>
internal sealed record TableOpsSnapshot(string Name, long Gets, long Sets, long Deletes);

/// <summary>Count and durations of an operation (commits, assignments).</summary>
internal sealed record LatencySummary(long Count, double TotalMs, double? LastMs, DateTimeOffset? LastAt)
{
    public static LatencySummary None { get; } = new(0, 0, null, null);

    public double? MeanMs => Count > 0 ? TotalMs / Count : null;
}
