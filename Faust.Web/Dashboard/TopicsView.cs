namespace Faust.Web.Dashboard;

// GET /api/topics: every topic the worker declared, partition by partition.
internal sealed record TopicsView(IReadOnlyList<TopicView> Topics, long? TotalLag, IReadOnlyList<string> Unknown);

/// <summary>A topic: <see cref="Kind"/> is <c>source</c> (an agent reads it), <c>changelog</c> (of
/// <see cref="Table"/>), <c>internal</c> (the app's own, such as the timers' leader topic) or <c>topic</c>
/// (declared, read by no agent here).</summary>
internal sealed record TopicView(string Name, string Kind, string? Table, int PartitionCount, IReadOnlyList<PartitionView> Partitions);

/// <summary>A partition: its active owner's URL (null when no worker is known to hold it), standbys, and offsets;
/// lag is known for the partitions this worker consumes; <see cref="StalledSeconds"/> is set while a consumed partition
/// has had events waiting longer than Faust:CommitLivelockSoftTimeout without a commit.</summary>
internal sealed record PartitionView(
    int Partition,
    string? Active,
    IReadOnlyList<string> Standbys,
    bool Local,
    long Received,
    long Sent,
    long? ReadOffset,
    long? CommittedOffset,
    long? LowOffset,
    long? EndOffset,
    long? Lag,
    double? StalledSeconds);
